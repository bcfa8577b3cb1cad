/**
 * A run's reads: each question asked once while nothing can have changed the answer; the stack
 * step forgets them all with every operation, and reads afresh what it deletes.
 */
import { describe, expect, it } from "vitest";
import { RunReads, readOnce } from "../../../src/deploy/engine/reads.js";
import { deleteStack, deployStack, readStack, type StackDeps } from "../../../src/deploy/engine/stack.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation } from "../../fakes/cloudformation.js";
import { MemoryOutput } from "../../fakes/output.js";

describe("RunReads", () => {
  it("answers a question it has asked from the first answer, also to askers while the read is in flight", async () => {
    const reads = new RunReads();
    let asked = 0;
    const read = async () => ++asked;
    const [a, b] = await Promise.all([reads.once("q", read), reads.once("q", read)]);
    expect([a, b, await reads.once("q", read)]).toEqual([1, 1, 1]);
    expect(asked).toBe(1);
  });

  it("keeps no failed read: the next asker reads again", async () => {
    const reads = new RunReads();
    await expect(reads.once("q", () => Promise.reject(new Error("throttled")))).rejects.toThrow("throttled");
    expect(await reads.once("q", async () => "fresh")).toBe("fresh");
  });

  it("forgets the answers under a prefix, or all of them", async () => {
    const reads = new RunReads();
    let asked = 0;
    const read = async () => ++asked;
    await reads.once("elb:rules:a", read);
    await reads.once("acm:issued", read);
    reads.forget("elb:");
    expect(await reads.once("elb:rules:a", read)).toBe(3);
    expect(await reads.once("acm:issued", read)).toBe(2);
    reads.forgetAll();
    expect(await reads.once("acm:issued", read)).toBe(4);
  });

  it("without a run's reads, every read asks", async () => {
    let asked = 0;
    await readOnce(undefined, "q", async () => ++asked);
    await readOnce(undefined, "q", async () => ++asked);
    expect(asked).toBe(2);
  });
});

function setup() {
  const clock = new FakeClock();
  const cfn = new FakeCloudFormation({ pollsPerOperation: 0, now: () => clock.now() });
  cfn.defineTemplate("v1", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 7 } }], outputs: { LogGroupName: "ep-logs" } });
  cfn.defineTemplate("v2", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 14 } }], outputs: { LogGroupName: "ep-logs" } });
  const reads = new RunReads();
  const deps: StackDeps = { cfn, out: new MemoryOutput(), clock, assumeYes: true, pollIntervalMs: 1000, reads };
  const describes = () => cfn.callsOf("describeStacks").length;
  const spec = (templateBody: string) => ({ stackName: "ep-a-prod", templateBody, parameters: {}, tags: {} });
  return { cfn, deps, reads, describes, spec };
}

describe("the stack step and the run's reads", () => {
  it("the first change set starts from the stack as the run read it; after the operation, the stack is read afresh", async () => {
    const { cfn, deps, reads, describes, spec } = setup();
    // The plan's read: no stack yet.
    expect(await readStack(cfn, "ep-a-prod", reads)).toBeUndefined();
    expect(describes()).toBe(1);
    await deployStack(spec("v1"), deps);
    // Only the operation's own follow-up read: no second idle check of a stack the run has just read.
    expect(describes()).toBe(2);
    const created = describes();
    // The update after it checks the stack it created afresh, then follows its operation.
    const outcome = await deployStack(spec("v2"), deps);
    expect(outcome.kind).toBe("updated");
    expect(describes() - created).toBe(2);
    expect((await readStack(cfn, "ep-a-prod", reads))?.StackStatus).toBe("UPDATE_COMPLETE");
  });

  it("a stale answer costs nothing but a fresh read: CloudFormation refuses the change set on a busy stack, and the step starts over", async () => {
    const clock = new FakeClock();
    const cfn = new FakeCloudFormation({ pollsPerOperation: 2, now: () => clock.now() });
    cfn.defineTemplate("v1", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 7 } }] });
    cfn.defineTemplate("v2", { resources: [{ logicalId: "Logs", type: "AWS::Logs::LogGroup", props: { retention: 14 } }] });
    const reads = new RunReads();
    const out = new MemoryOutput();
    const deps: StackDeps = { cfn, out, clock, assumeYes: true, pollIntervalMs: 1000, reads };
    await deployStack({ stackName: "ep-a-prod", templateBody: "v1", parameters: { ImageTag: "v1" }, tags: {} }, deps);
    // The run read the stack idle; then another client (the pipeline's build) started an update.
    expect((await readStack(cfn, "ep-a-prod", reads))?.StackStatus).toBe("CREATE_COMPLETE");
    cfn.updateByOther("ep-a-prod", { ImageTag: "v9" });
    const outcome = await deployStack({ stackName: "ep-a-prod", templateBody: "v2", parameters: { ImageTag: "v2" }, tags: {} }, deps);
    expect(outcome.kind).toBe("updated");
    expect(outcome.stack.Parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "v2" }]);
    expect(out.lines.some((l) => /in progress|busy/.test(l))).toBe(true);
  });

  it("deleteStack reads the stack once before it deletes it, and fresh, not from the run's reads", async () => {
    const { cfn, deps, reads, describes, spec } = setup();
    await deployStack(spec("v1"), deps);
    await readStack(cfn, "ep-a-prod", reads);
    const before = describes();
    const deleteCalls = () => cfn.callsOf("deleteStack").length;
    cfn.beforeNext("deleteStack", () => expect(describes() - before).toBe(1));
    expect((await deleteStack("ep-a-prod", deps)).kind).toBe("deleted");
    expect(deleteCalls()).toBe(1);
    // Forgotten: the run's next question about the stack is asked again, and finds it gone.
    expect(await readStack(cfn, "ep-a-prod", reads)).toBeUndefined();
  });
});
