/**
 * While CloudFormation waits for an ECS service, the stack step shows the
 * rollout itself (the sidecar line), and a failing sidecar never fails the
 * deployment.
 */
import { describe, expect, it } from "vitest";
import { deployStack, type StackDeps } from "../../../src/deploy/engine/stack.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation } from "../../fakes/cloudformation.js";
import { InteractiveMemoryOutput, MemoryOutput } from "../../fakes/output.js";

function setup(out: MemoryOutput | InteractiveMemoryOutput, sidecar: StackDeps["sidecar"]) {
  const clock = new FakeClock();
  const cfn = new FakeCloudFormation({ pollsPerOperation: 3, now: () => clock.now() });
  cfn.defineTemplate("t", { resources: [{ logicalId: "Service", type: "AWS::ECS::Service" }], outputs: {} });
  const deps: StackDeps = { cfn, out, clock, assumeYes: true, pollIntervalMs: 1000, sidecar };
  return { deps };
}

const spec = { stackName: "ep-a-prod", templateBody: "t", parameters: { APITag: "v1" }, tags: {}, capabilities: ["CAPABILITY_IAM" as const] };

describe("stack progress with a sidecar", () => {
  it("prints each new rollout line once in logs", async () => {
    const out = new MemoryOutput();
    let calls = 0;
    const { deps } = setup(out, async () => `ECS ep-a-prod: ${Math.min(++calls, 2)}/2 running`);
    await deployStack(spec, deps);
    const live = out.lines.filter((l) => l.startsWith("live: ECS"));
    expect(live).toEqual(["live: ECS ep-a-prod: 1/2 running", "live: ECS ep-a-prod: 2/2 running"]);
  });

  it("adds the rollout line under the table on a terminal", async () => {
    const out = new InteractiveMemoryOutput();
    const { deps } = setup(out, async () => "ECS ep-a-prod: 1/2 running, rollout IN_PROGRESS");
    await deployStack(spec, deps);
    expect(out.lines.some((l) => l.includes("  ECS ep-a-prod: 1/2 running, rollout IN_PROGRESS"))).toBe(true);
  });

  it("a sidecar that fails does not fail the deployment", async () => {
    const out = new MemoryOutput();
    const { deps } = setup(out, async () => {
      throw new Error("ECS unreachable");
    });
    const outcome = await deployStack(spec, deps);
    expect(outcome.kind).toBe("created");
  });
});
