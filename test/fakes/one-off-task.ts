/**
 * A fake one-off ECS task and its CloudWatch Logs stream, behind `EcsApi` and `LogsApi`.
 *
 * The task follows a script, one step per DescribeTasks: its status, the log lines its container
 * writes by then, and how it stops. As in ECS, RunTask answers PROVISIONING and the container
 * creates its log stream when it starts (before that GetLogEvents fails with
 * ResourceNotFoundException). GetLogEvents reads forward with `startFromHead`, at most
 * `pageSize` events a page; "If you have reached the end of the stream, it returns the same token
 * you passed in" (CloudWatch Logs API Reference, GetLogEvents).
 */
import type * as ecs from "@aws-sdk/client-ecs";
import type * as logs from "@aws-sdk/client-cloudwatch-logs";
import type { EcsApi, LogsApi } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

/** One step of the task's life, reached at a DescribeTasks. */
export interface TaskStep {
  status: "PROVISIONING" | "PENDING" | "RUNNING" | "STOPPED";
  /** Lines the container writes by this step (the stream exists from the first step with lines). */
  lines?: string[];
  /** STOPPED: the container's exit code (absent: it never ran) and the task's reason. */
  exitCode?: number;
  stoppedReason?: string;
}

export class FakeOneOffTask implements EcsApi, LogsApi {
  readonly calls: { method: string; input: unknown }[] = [];
  private step = -1;
  private readonly events: string[] = [];
  private streamExists = false;
  readonly taskArn = "arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/0123456789abcdef";

  constructor(
    private readonly script: TaskStep[],
    private readonly options: { pageSize?: number; runFailure?: string } = {},
  ) {}

  async runTask(input: ecs.RunTaskRequest): Promise<ecs.RunTaskResponse> {
    this.calls.push({ method: "runTask", input });
    if (this.options.runFailure) return { tasks: [], failures: [{ reason: this.options.runFailure }] };
    return { tasks: [{ taskArn: this.taskArn, lastStatus: "PROVISIONING" }], failures: [] };
  }

  async describeTasks(input: ecs.DescribeTasksRequest): Promise<ecs.DescribeTasksResponse> {
    this.calls.push({ method: "describeTasks", input });
    this.step = Math.min(this.step + 1, this.script.length - 1);
    const step = this.script[this.step]!;
    if (step.lines) {
      this.streamExists = true;
      this.events.push(...step.lines.filter((l) => !this.events.includes(l)));
    }
    const stopped = step.status === "STOPPED";
    return {
      tasks: [
        {
          taskArn: this.taskArn,
          lastStatus: step.status,
          stoppedReason: stopped ? step.stoppedReason : undefined,
          containers: [{ name: "sync", exitCode: stopped ? step.exitCode : undefined }],
        },
      ],
    };
  }

  async getLogEvents(input: logs.GetLogEventsRequest): Promise<logs.GetLogEventsResponse> {
    this.calls.push({ method: "getLogEvents", input });
    if (!this.streamExists) throw new AwsError("CloudWatch Logs GetLogEvents: The specified log stream does not exist.", { code: "ResourceNotFoundException" });
    if (!input.startFromHead) throw new Error("FakeOneOffTask: the step reads forward (startFromHead)");
    const from = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
    const page = this.events.slice(from, from + (this.options.pageSize ?? 10_000));
    const next = page.length ? `f/${from + page.length}` : (input.nextToken ?? "f/0");
    return { events: page.map((message, i) => ({ message: `${message}\n`, timestamp: from + i })), nextForwardToken: next };
  }

  async stopTask(): Promise<ecs.StopTaskResponse> {
    throw new Error("FakeOneOffTask: mlops never stops the task itself");
  }
  async updateService(): Promise<ecs.UpdateServiceResponse> {
    throw new Error("not modelled");
  }
  async describeServices(): Promise<ecs.DescribeServicesResponse> {
    throw new Error("not modelled");
  }
  async listTasks(): Promise<ecs.ListTasksResponse> {
    throw new Error("not modelled");
  }
  async describeContainerInstances(): Promise<ecs.DescribeContainerInstancesResponse> {
    throw new Error("not modelled");
  }
  async listServiceDeployments(): Promise<ecs.ListServiceDeploymentsResponse> {
    throw new Error("not modelled");
  }
  async describeServiceDeployments(): Promise<ecs.DescribeServiceDeploymentsResponse> {
    throw new Error("not modelled");
  }
  async describeServiceRevisions(): Promise<ecs.DescribeServiceRevisionsResponse> {
    throw new Error("not modelled");
  }
  async describeTaskDefinition(): Promise<ecs.DescribeTaskDefinitionResponse> {
    throw new Error("not modelled");
  }
  async executeCommand(): Promise<ecs.ExecuteCommandResponse> {
    throw new Error("not modelled");
  }
  async describeLogStreams(): Promise<logs.DescribeLogStreamsResponse> {
    throw new Error("not modelled");
  }
  async describeLogGroups(): Promise<logs.DescribeLogGroupsResponse> {
    throw new Error("not modelled");
  }
  async filterLogEvents(): Promise<logs.FilterLogEventsResponse> {
    throw new Error("not modelled");
  }
  async deleteLogGroup(): Promise<unknown> {
    throw new Error("not modelled");
  }
}
