/**
 * A GPU service whose new tasks ECS cannot place: what the emulator cannot show. When no instance
 * of the capacity provider has the GPUs a task asks for, ECS stops the task with the reason
 * `TaskFailedToStart: RESOURCE:GPU` ("Amazon ECS API failure reasons", Amazon ECS Developer Guide,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html); ListTasks
 * with `desiredStatus: STOPPED` lists such tasks and DescribeTasks gives their reason.
 */
import type * as ecs from "@aws-sdk/client-ecs";
import type { EcsApi } from "../../src/aws/interfaces.js";

/** Only the calls a stopped-task report makes; any other call fails the test. */
export class FakeGpuPlacement implements Pick<EcsApi, "listTasks" | "describeTasks"> {
  readonly calls: { method: string; input: unknown }[] = [];

  /** `kinds`: the resource each stopped task lacked, newest first (GPU, CPU, MEMORY). */
  constructor(private readonly kinds: string[]) {}

  private arn(index: number): string {
    return `arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/${index.toString(16).padStart(32, "0")}`;
  }

  async listTasks(input: ecs.ListTasksRequest): Promise<ecs.ListTasksResponse> {
    this.calls.push({ method: "listTasks", input });
    if (input.desiredStatus !== "STOPPED") return { taskArns: [] };
    return { taskArns: this.kinds.slice(0, input.maxResults ?? 100).map((_, index) => this.arn(index)) };
  }

  async describeTasks(input: ecs.DescribeTasksRequest): Promise<ecs.DescribeTasksResponse> {
    this.calls.push({ method: "describeTasks", input });
    const tasks = (input.tasks ?? []).map((arn) => {
      const index = this.kinds.findIndex((_, i) => this.arn(i) === arn);
      return {
        taskArn: arn,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        launchType: "MANAGED_INSTANCES",
        stopCode: "TaskFailedToStart",
        stoppedReason: `TaskFailedToStart: RESOURCE:${this.kinds[index]}`,
      } satisfies ecs.Task;
    });
    return { tasks, failures: [] };
  }
}
