/**
 * The one-off task step against a fake task and log stream: lines streamed in order as they
 * come, the wait for STOPPED with its deadline, the exit code judged, failures reported with
 * the stop reason and the last lines, Ctrl-C naming the task and how to stop it.
 */
import { describe, expect, it } from "vitest";
import { runOneOffTask, type OneOffTaskSpec } from "../../../src/deploy/steps/one-off-task.js";
import { AwsError, InterruptedError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeOneOffTask, type TaskStep } from "../../fakes/one-off-task.js";
import { MemoryOutput } from "../../fakes/output.js";

const spec: OneOffTaskSpec = {
  cluster: "ep-a-prod",
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/ep-a-prod-weights:3",
  containerName: "sync",
  command: ["aws s3 sync 's3://b/p/' /mnt/weights --no-progress"],
  subnets: ["subnet-1", "subnet-2"],
  securityGroups: ["sg-1"],
  logGroup: "/mlops/ep-a-prod",
  logStreamPrefix: "weights",
  purpose: "weights sync",
  timeoutMs: 10 * 60_000,
};

function setup(script: TaskStep[], options: { pageSize?: number; runFailure?: string } = {}) {
  const fake = new FakeOneOffTask(script, options);
  const out = new MemoryOutput();
  const clock = new FakeClock();
  const printed: string[] = [];
  const deps = { ecs: fake, logs: fake, out, clock, pollIntervalMs: 2_000, onLine: (line: string) => printed.push(line) };
  return { fake, out, clock, printed, deps };
}

describe("runOneOffTask", () => {
  it("starts the task in the private subnets without a public IP, with the command as the container's override", async () => {
    const { fake, deps } = setup([{ status: "STOPPED", exitCode: 0 }]);
    await runOneOffTask(spec, deps);
    expect(fake.calls[0]).toEqual({
      method: "runTask",
      input: expect.objectContaining({
        cluster: "ep-a-prod",
        taskDefinition: spec.taskDefinitionArn,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" } },
        overrides: { containerOverrides: [{ name: "sync", command: spec.command }] },
      }),
    });
  });

  it("streams every log line once, in order, while the task runs, across pages and before the stream exists", async () => {
    const { fake, printed, deps } = setup(
      [
        { status: "PROVISIONING" },
        { status: "RUNNING", lines: ["download: a", "download: b", "download: c"] },
        { status: "RUNNING", lines: ["download: d"] },
        { status: "STOPPED", exitCode: 0, lines: ["download: e"] },
      ],
      { pageSize: 2 },
    );
    const result = await runOneOffTask(spec, deps);
    expect(printed).toEqual(["download: a", "download: b", "download: c", "download: d", "download: e"]);
    expect(result).toMatchObject({ exitCode: 0, taskArn: fake.taskArn, lines: printed });
    const stream = (fake.calls.find((c) => c.method === "getLogEvents")?.input as { logStreamName: string }).logStreamName;
    expect(stream).toBe("weights/sync/0123456789abcdef");
  });

  it("a non-zero exit code is an AWS failure with the stop reason and the last log lines", async () => {
    const lines = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`);
    const { deps } = setup([
      { status: "RUNNING", lines },
      { status: "STOPPED", exitCode: 1, stoppedReason: "Essential container in task exited" },
    ]);
    const error = await runOneOffTask(spec, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    const message = (error as AwsError).message;
    expect(message).toContain("failed: its container exited with code 1. Stop reason: Essential container in task exited.");
    expect(message).toContain("line 14");
    expect(message).toContain("line 5");
    expect(message).not.toContain("line 4\n");
  });

  it("a task whose container never ran is reported with ECS's reason", async () => {
    const { deps } = setup([{ status: "STOPPED", stoppedReason: "CannotPullContainerError: pull access denied" }]);
    await expect(runOneOffTask(spec, deps)).rejects.toThrow(
      /did not run its container\. Stop reason: CannotPullContainerError: pull access denied\.\nIt wrote no log lines\./,
    );
  });

  it("RunTask's failure (no task) is reported with its reason", async () => {
    const { deps } = setup([{ status: "STOPPED", exitCode: 0 }], { runFailure: "RESOURCE:ENI" });
    await expect(runOneOffTask(spec, deps)).rejects.toThrow(/could not start the weights sync task: RESOURCE:ENI/);
  });

  it("stops waiting at the deadline and says how to stop the task", async () => {
    const { deps, clock } = setup([{ status: "RUNNING", lines: ["still copying"] }]);
    const error = (await runOneOffTask({ ...spec, timeoutMs: 60_000 }, deps).catch((e: unknown) => e)) as AwsError;
    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toMatch(/is still RUNNING after/);
    expect(error.hint).toContain("aws ecs stop-task --cluster ep-a-prod --task arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/0123456789abcdef");
    expect(clock.now() - Date.UTC(2026, 0, 15, 12, 0, 0)).toBeLessThanOrEqual(62_000);
  });

  it("Ctrl-C stops waiting and names the task with the command that stops it", async () => {
    const { deps, clock } = setup([{ status: "RUNNING" }]);
    const controller = new AbortController();
    clock.onSleep = (n) => n === 2 && controller.abort();
    const error = (await runOneOffTask(spec, { ...deps, signal: controller.signal }).catch((e: unknown) => e)) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.message).toContain("0123456789abcdef");
    expect(error.hint).toContain("aws ecs stop-task --cluster ep-a-prod --task");
  });
});
