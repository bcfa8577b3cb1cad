/**
 * create-endpoint without --tag: the connection waits for its handshake, the
 * pipeline's first execution builds the image, and the CLI deploys the tag it
 * pushed. The emulator has no executions or connections, so those two APIs
 * are stateful fakes; everything else is the emulator through the real
 * adapters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../src/aws/clients.js";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { deployEndpoint } from "../../../src/deploy/workflows/endpoint.js";
import { AwsError } from "../../../src/errors.js";
import { MemoryOutput } from "../../fakes/output.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeConnections, FakePipelineExecutions } from "../../fakes/codepipeline.js";
import { pushImage, sdkClients } from "../../helpers/aws.js";
import { startEmulator } from "../../setup/emulator-process.js";

const sha = "0123456789abcdef0123456789abcdef01234567";
let emulator: { url: string; stop(): Promise<void> };

beforeAll(async () => {
  emulator = await startEmulator();
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
});
afterAll(async () => {
  await emulator?.stop();
});

async function clients(
  outcomeOf: (n: number) => "Succeeded" | "Failed",
  pendingReads = 2,
): Promise<{ aws: AwsClients; executions: FakePipelineExecutions; connections: FakeConnections }> {
  const real = await createAwsClients({ region: "us-east-1", endpointUrl: emulator.url });
  const sdk = sdkClients(emulator.url);
  const executions = new FakePipelineExecutions(real.codePipeline, {
    revision: sha,
    pollsInProgress: 3,
    outcomeOf,
    onSucceeded: (name) => pushImage(sdk.ecr, name, `tag-${sha}`),
  });
  const connections = new FakeConnections(pendingReads);
  return { aws: { ...real, codePipeline: executions, connections }, executions, connections };
}

describe("create-endpoint following the pipeline's first build", () => {
  it("replaces an execution that failed before this run (e.g. while the handshake was pending) with a new one", async () => {
    await fetch(`${emulator.url}/moto-api/reset`, { method: "POST" });
    const { aws, executions } = await clients((n) => (n === 0 ? "Failed" : "Succeeded"), 0);
    const config = await loadEndpointConfig("params/ep-a.yaml");
    const context = { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true, pollIntervalMs: 10 };
    // An earlier run created the pipeline with --tag while the connection was pending; its first execution failed.
    const first = deployEndpoint(config, { pipeline: true, imageTimeoutMs: 60_000, rolloutTimeoutMs: 60_000, tag: "never-pushed" }, context);
    await expect(first).rejects.toThrow(/Timed out/);
    const waitLines = context.out.lines.join("\n");
    // The image wait names the repository URI and the commands that end it, with its elapsed time.
    expect(waitLines).toMatch(
      /aws ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin \d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\n/,
    );
    expect(waitLines).toMatch(/docker push \d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/ep-a-prod:never-pushed/);
    expect(waitLines).toMatch(/Waiting for image ep-a-prod:never-pushed: 0:00 of up to 1 min \(not in ECR yet\)/);
    executions.finishAll();
    const result = await deployEndpoint(config, { pipeline: true, imageTimeoutMs: 30 * 60_000, rolloutTimeoutMs: 15 * 60_000 }, context);
    expect(executions.started).toBe(1);
    expect(result.imageTag).toBe(`tag-${sha}`);
    expect(context.out.lines.join("\n")).toMatch(/ended failed before this run; starting a new one/);
    // The pipeline wait names the pipeline's console page and shows its elapsed time.
    expect(context.out.lines).toContain(
      "info: [build] Watch it: https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/ep-a-prod/view?region=us-east-1",
    );
    expect(context.out.lines.join("\n")).toMatch(/Waiting for pipeline ep-a-prod to finish: \d+:\d\d of up to 30 min \(InProgress\)/);
  });

  it("waits for the connection, follows the execution and deploys the tag it built", async () => {
    await fetch(`${emulator.url}/moto-api/reset`, { method: "POST" });
    const { aws, executions, connections } = await clients(() => "Succeeded");
    const out = new MemoryOutput();
    const config = await loadEndpointConfig("params/ep-a.yaml");
    // The build takes the lease this command holds: while following it, the lease says so, so the build does not wait for it.
    const awaited: (string | undefined)[] = [];
    const awaitingBuild = async (stack: string | undefined) => {
      awaited.push(stack);
    };
    const result = await deployEndpoint(
      config,
      { pipeline: true, imageTimeoutMs: 30 * 60_000, rolloutTimeoutMs: 15 * 60_000 },
      { aws, out, clock: new FakeClock(), assumeYes: true, pollIntervalMs: 10, awaitingBuild },
    );
    expect(result.imageTag).toBe(`tag-${sha}`);
    expect(awaited).toEqual(["ep-a-prod", undefined]);
    expect(connections.reads).toBeGreaterThan(2);
    expect(executions.listings).toBe(4);
    expect(executions.started).toBe(0);
    expect(out.lines.join("\n")).toContain("ACTION REQUIRED");
    const stack = await aws.cloudFormation.describeStacks({ StackName: "ep-a-prod" });
    expect(stack.Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe(`tag-${sha}`);
    expect(stack.Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === "DesiredCount")?.ParameterValue).toBe("2");
  });

  it("a failed build stops with the execution's reason and starts no task", async () => {
    await fetch(`${emulator.url}/moto-api/reset`, { method: "POST" });
    const { aws } = await clients(() => "Failed");
    const config = await loadEndpointConfig("params/ep-a.yaml");
    const run = deployEndpoint(
      config,
      { pipeline: true, imageTimeoutMs: 30 * 60_000, rolloutTimeoutMs: 15 * 60_000 },
      { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true, pollIntervalMs: 10 },
    );
    await expect(run).rejects.toThrow(AwsError);
    await expect(run).rejects.toThrow(/failed: Build failed: docker build exited with 1/);
    // The stack's side runs beside the build and is left to finish (or not started, when the build failed first):
    // either way no task was started with an image that does not exist.
    const stacks = (await aws.cloudFormation.describeStacks({})).Stacks ?? [];
    const stack = stacks.find((s) => s.StackName === "ep-a-prod");
    if (stack) expect(stack.Parameters?.find((p) => p.ParameterKey === "DesiredCount")?.ParameterValue).toBe("0");
    expect(stacks.every((s) => !s.StackStatus?.startsWith("UPDATE"))).toBe(true);
  });
});
