/**
 * Every wait has a deadline: following a stack operation, waiting for another one, and
 * waiting for a change set. A stack operation can run for hours in AWS (CloudFormation waits
 * up to three hours for an ECS service to stabilize when nothing stops a failing rollout), so
 * the fake here is a stack whose operation never ends, on a fake clock.
 */
import type * as cfn from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import { rolloutStackTimeout } from "../../../src/deploy/workflows/endpoint.js";
import { deployStack, STACK_TIMEOUT_MS, waitForStackIdle, type StackDeps } from "../../../src/deploy/engine/stack.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation } from "../../fakes/cloudformation.js";
import { MemoryOutput } from "../../fakes/output.js";

const NAME = "ep-a-prod";

/** A fake whose stack, once `stuck`, reads UPDATE_IN_PROGRESS for ever. */
class StuckCloudFormation extends FakeCloudFormation {
  stuck = false;
  override async describeStacks(input: cfn.DescribeStacksInput): Promise<cfn.DescribeStacksOutput> {
    const result = await super.describeStacks(input);
    if (!this.stuck) return result;
    return { Stacks: result.Stacks?.map((s) => ({ ...s, StackStatus: "UPDATE_IN_PROGRESS" })) };
  }
}

function setup(options: { changeSetPolls?: number } = {}) {
  const clock = new FakeClock();
  const cfn = new StuckCloudFormation({ pollsPerOperation: 0, now: () => clock.now(), changeSetPolls: options.changeSetPolls });
  cfn.defineTemplate("v1", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 7 } }] });
  cfn.defineTemplate("v2", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 14 } }] });
  cfn.putStack({ name: NAME, status: "UPDATE_COMPLETE", templateBody: "v1" });
  const out = new MemoryOutput();
  const deps: StackDeps = { cfn, out, clock, assumeYes: true, pollIntervalMs: 5_000 };
  return { clock, cfn, deps };
}

const spec = (templateBody: string) => ({ stackName: NAME, templateBody, parameters: {}, tags: {} });

describe("stack waits have deadlines", () => {
  it("following an update stops at its deadline, says what it waited for, that AWS carries on, and how to look and resume", async () => {
    const { clock, cfn, deps } = setup();
    cfn.beforeNext("executeChangeSet", () => (cfn.stuck = true));
    const started = clock.now();
    const error = await deployStack(spec("v2"), { ...deps, timeoutMs: 10 * 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toBe(
      "Stopped waiting for the operation on stack ep-a-prod after 10 minutes: it is still UPDATE_IN_PROGRESS. The operation continues in AWS.",
    );
    expect((error as AwsError).hint).toContain("aws cloudformation describe-stack-events --stack-name ep-a-prod");
    expect((error as AwsError).hint).toContain("Re-run the same command");
    expect(clock.now() - started).toBeGreaterThanOrEqual(10 * 60_000);
    expect(clock.now() - started).toBeLessThan(11 * 60_000);
  });

  it("without a deadline given, stops after 60 minutes (the AWS CLI waiters' bound)", async () => {
    const { clock, cfn, deps } = setup();
    cfn.beforeNext("executeChangeSet", () => (cfn.stuck = true));
    const started = clock.now();
    await expect(deployStack(spec("v2"), deps)).rejects.toThrow(/after 60 minutes: it is still UPDATE_IN_PROGRESS/);
    expect(STACK_TIMEOUT_MS).toBe(60 * 60_000);
    expect(clock.now() - started).toBeGreaterThanOrEqual(STACK_TIMEOUT_MS);
    expect(clock.now() - started).toBeLessThan(STACK_TIMEOUT_MS + 60_000);
  });

  it("waiting for another operation stops at the deadline and says this command changed nothing", async () => {
    const { cfn, deps } = setup();
    cfn.stuck = true;
    const error = await waitForStackIdle(NAME, { ...deps, timeoutMs: 5 * 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toBe(
      "Stopped waiting for another operation on stack ep-a-prod after 5 minutes: it is still UPDATE_IN_PROGRESS. This command changed nothing.",
    );
    expect(cfn.callsOf("createChangeSet")).toEqual([]);
  });

  it("a change set CloudFormation never computes is deleted after 15 minutes, nothing changed", async () => {
    const { clock, cfn, deps } = setup({ changeSetPolls: 1_000_000 });
    const started = clock.now();
    const error = await deployStack(spec("v2"), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toMatch(
      /did not finish computing the changes to stack ep-a-prod within 15 minutes .* the change set was deleted and nothing was changed/,
    );
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
    expect(cfn.callsOf("executeChangeSet")).toEqual([]);
    expect(clock.now() - started).toBeLessThan(16 * 60_000);
  });

  it("the rollout's stack update waits at least the stack deadline, longer with a longer --rollout-timeout", () => {
    expect(rolloutStackTimeout(15 * 60_000)).toBe(STACK_TIMEOUT_MS);
    expect(rolloutStackTimeout(90 * 60_000)).toBe(90 * 60_000);
  });
});
