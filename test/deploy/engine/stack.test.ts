import { describe, expect, it } from "vitest";
import { deleteStack, deployStack, findStack, stackOutputs, waitForStackIdle, type StackDeps, type StackSpec } from "../../../src/deploy/engine/stack.js";
import { AwsError, DeclinedError, InterruptedError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCloudFormation, type FakeResource } from "../../fakes/cloudformation.js";
import { InteractiveMemoryOutput, MemoryOutput } from "../../fakes/output.js";

const NAME = "ep-a-prod";

const logs = (props: unknown = { retention: 7 }): FakeResource => ({ logicalId: "Logs", type: "AWS::Logs::LogGroup", props });
const bucket: FakeResource = { logicalId: "Bucket", type: "AWS::S3::Bucket" };
const service = (extra: Partial<FakeResource> = {}): FakeResource => ({ logicalId: "Service", type: "AWS::ECS::Service", props: { image: "v1" }, ...extra });

interface Setup {
  clock: FakeClock;
  cfn: FakeCloudFormation;
  out: MemoryOutput | InteractiveMemoryOutput;
  deps: StackDeps;
}

function setup(
  options: {
    polls?: number;
    interactive?: boolean;
    answers?: boolean[];
    assumeYes?: boolean;
    quirks?: boolean;
    pageSize?: number;
    changeSetPolls?: number;
  } = {},
): Setup {
  const clock = new FakeClock();
  const cfn = new FakeCloudFormation({
    pollsPerOperation: options.polls ?? 3,
    now: () => clock.now(),
    emulatorQuirks: options.quirks,
    pageSize: options.pageSize,
    changeSetPolls: options.changeSetPolls,
  });
  const out = options.interactive ? new InteractiveMemoryOutput(options.answers) : new MemoryOutput(options.answers);
  const deps: StackDeps = { cfn, out, clock, assumeYes: options.assumeYes ?? false, pollIntervalMs: 1000 };
  cfn.defineTemplate("v1", {
    resources: [logs(), bucket],
    outputs: { LogGroupName: "ep-logs", BucketName: "ep-bucket" },
    exports: { LogGroupName: "ep-a-prod-LogGroupName" },
  });
  cfn.defineTemplate("v2", {
    resources: [logs({ retention: 14 }), bucket, service()],
    outputs: { LogGroupName: "ep-logs", BucketName: "ep-bucket", ServiceName: "svc" },
  });
  return { clock, cfn, out, deps };
}

function spec(templateBody: string, parameters: StackSpec["parameters"] = { ImageTag: "v1" }): StackSpec {
  return { stackName: NAME, templateBody, parameters, tags: { "mlops:endpoint": "ep-a" }, capabilities: ["CAPABILITY_IAM"] };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function liveLines(out: { lines: string[] }): string[] {
  return out.lines.filter((l) => l.startsWith("live: ")).map((l) => l.slice(6));
}

describe("deployStack", () => {
  it("creates a new stack through a CREATE change set without asking", async () => {
    const { cfn, deps, out, clock } = setup();
    const outcome = await deployStack(spec("v1", { ImageTag: "v1", Kept: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("created");
    expect(outcome.outputs).toEqual({ LogGroupName: "ep-logs", BucketName: "ep-bucket" });
    expect(outcome.stack.StackStatus).toBe("CREATE_COMPLETE");
    const [created] = cfn.callsOf("createChangeSet") as {
      ChangeSetName: string;
      ChangeSetType: string;
      Parameters: unknown[];
      Tags: unknown[];
      Capabilities: string[];
    }[];
    expect(created?.ChangeSetType).toBe("CREATE");
    expect(created?.ChangeSetName).toMatch(/^mlops-\d{8}T\d{9}Z$/);
    // A new stack has no previous value to keep: the template's default applies.
    expect(created?.Parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "v1" }]);
    expect(created?.Tags).toEqual([{ Key: "mlops:endpoint", Value: "ep-a" }]);
    expect(created?.Capabilities).toEqual(["CAPABILITY_IAM"]);
    expect(out.lines.some((l) => l.startsWith("confirm:"))).toBe(false);
    // One line of counts: the plan listed the resources before.
    expect(out.lines.filter((l) => l.startsWith(`info: Stack ${NAME} will create`))).toEqual([
      `info: Stack ${NAME} will create 2 resources: storage 1, logs 1`,
    ]);
    expect(out.lines.some((l) => /Add +Logs +AWS::Logs::LogGroup/.test(l))).toBe(false);
    expect(out.lines.at(-1)).toMatch(new RegExp(`^success: Stack ${NAME} created \\(CREATE_COMPLETE\\) in \\d+:\\d\\d$`));
    expect(clock.sleeps.every((ms) => ms === 1000)).toBe(true);
  });

  it("without a fixed interval, notices a stack that settles at once within a second, and backs off while one stays busy", async () => {
    const quick = setup({ assumeYes: true, polls: 1 });
    await deployStack(spec("v1"), { ...quick.deps, pollIntervalMs: undefined });
    expect(quick.clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(1000);

    const slow = setup({ assumeYes: true, polls: 5 });
    await deployStack(spec("v1"), { ...slow.deps, pollIntervalMs: undefined });
    // The change set is computed on its first re-read (250 ms); then the stack's reads back off.
    expect(slow.clock.sleeps).toEqual([250, 250, 375, 563, 845]);
  });

  it("updates an existing stack, showing the changes, when --yes is given", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(outcome.outputs.ServiceName).toBe("svc");
    expect(cfn.stack(NAME)?.status).toBe("UPDATE_COMPLETE");
    const update = (cfn.callsOf("createChangeSet") as { ChangeSetType: string; Parameters: unknown[] }[])[1];
    expect(update?.ChangeSetType).toBe("UPDATE");
    expect(update?.Parameters).toEqual([{ ParameterKey: "ImageTag", UsePreviousValue: true }]);
    expect(cfn.stack(NAME)?.parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "v1" }]);
    expect(out.lines).toContain(`info: Changes to stack ${NAME}:`);
    expect(out.lines.some((l) => /Modify +Logs +AWS::Logs::LogGroup +False/.test(l))).toBe(true);
    expect(out.lines.some((l) => /Add +Service +AWS::ECS::Service/.test(l))).toBe(true);
  });

  it("reports an unchanged stack and deletes the empty change set", async () => {
    const { cfn, deps, out } = setup();
    const first = await deployStack(spec("v1"), deps);
    const again = await deployStack(spec("v1"), deps);

    expect(again.kind).toBe("unchanged");
    expect(again.outputs).toEqual(first.outputs);
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(1);
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
    expect(cfn.stack(NAME)?.changeSets.size).toBe(0);
    expect(out.lines.at(-1)).toBe(`success: Stack ${NAME} is up to date: no changes`);
  });

  it("treats an endpoint that refuses an empty update outright as unchanged", async () => {
    const { cfn, deps } = setup();
    await deployStack(spec("v1"), deps);
    cfn.failNext("createChangeSet", new AwsError("CloudFormation CreateChangeSet: No updates are to be performed.", { code: "ValidationError" }));
    expect((await deployStack(spec("v1"), deps)).kind).toBe("unchanged");
  });

  it("applies a change of parameters alone, though no resource changes", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    const outcome = await deployStack(spec("v1", { ImageTag: "v2" }), deps);
    expect(outcome.kind).toBe("updated");
    expect(cfn.stack(NAME)?.parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "v2" }]);
    expect(out.lines).toContain(`info: Stack ${NAME}: no resource changes (only outputs, parameters or tags change).`);
  });

  it("flags replacements, deletions and access changes loudly", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    cfn.defineTemplate("v1-sg", { resources: [logs(), bucket, { logicalId: "TaskSg", type: "AWS::EC2::SecurityGroup", props: { port: 80 } }, service()] });
    cfn.defineTemplate("v3", {
      resources: [
        { ...logs({ name: "renamed" }), replacement: "True" },
        { logicalId: "TaskSg", type: "AWS::EC2::SecurityGroup", props: { port: 8080 }, replacement: "Conditional" },
        { ...service({ props: { image: "v2" } }) },
        { logicalId: "TaskRole", type: "AWS::IAM::Role" },
      ],
    });
    await deployStack(spec("v1-sg"), deps);
    await deployStack(spec("v3"), deps);

    expect(out.lines.some((l) => /Modify +Logs +AWS::Logs::LogGroup +True {2}<-- REPLACED/.test(l))).toBe(true);
    expect(out.lines.some((l) => /Modify +TaskSg +AWS::EC2::SecurityGroup +Conditional {2}<-- may be replaced/.test(l))).toBe(true);
    expect(out.lines).toContain("warn: REPLACEMENT: Logs (AWS::Logs::LogGroup) will be replaced: CloudFormation creates a new one, then deletes the old one.");
    expect(out.lines).toContain(
      "warn: POSSIBLE REPLACEMENT: TaskSg (AWS::EC2::SecurityGroup) may be replaced, depending on values known only during the update.",
    );
    expect(out.lines).toContain("warn: DELETION: Bucket (AWS::S3::Bucket) will be deleted.");
    expect(out.lines).toContain(
      "warn: ACCESS CHANGES: Modify TaskSg (AWS::EC2::SecurityGroup), Add TaskRole (AWS::IAM::Role): review who can reach or do what.",
    );
  });

  it("refuses to apply an update when no one can confirm it, naming --yes", async () => {
    const { cfn, deps } = setup();
    await deployStack(spec("v1"), deps);
    const error = await rejection(deployStack(spec("v2"), deps));

    expect(error).toBeInstanceOf(DeclinedError);
    expect((error as DeclinedError).hint).toMatch(/re-run with --yes/);
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(1);
    expect(cfn.stack(NAME)?.templateBody).toBe("v1");
    expect(cfn.stack(NAME)?.changeSets.size).toBe(0);
  });

  it("asks on a terminal, and a no leaves the stack as it was", async () => {
    const { cfn, deps, out } = setup({ interactive: true, answers: [false, true] });
    await deployStack(spec("v1"), deps);

    const error = await rejection(deployStack(spec("v2"), deps));
    expect(error).toBeInstanceOf(DeclinedError);
    expect(error.message).toBe("Cancelled: nothing was changed.");
    expect(out.lines).toContain(`confirm: Apply these changes to stack ${NAME}?`);
    expect(cfn.stack(NAME)?.templateBody).toBe("v1");
    expect(cfn.stack(NAME)?.changeSets.size).toBe(0);

    expect((await deployStack(spec("v2"), deps)).kind).toBe("updated");
  });

  it("reports a failed creation's root cause, and the next run deletes the stack and creates it again", async () => {
    const { cfn, deps, out } = setup();
    cfn.defineTemplate("broken", {
      resources: [logs(), service({ fail: 'Resource handler returned message: "subnet-123 does not exist"' }), bucket],
    });
    const error = await rejection(deployStack(spec("broken"), deps));

    expect(error).toBeInstanceOf(AwsError);
    expect(error.message.split("\n")[0]).toBe(
      `Stack ${NAME} failed (ROLLBACK_COMPLETE): Service (AWS::ECS::Service) CREATE_FAILED: Resource handler returned message: "subnet-123 does not exist"`,
    );
    expect(error.message).not.toContain("cancelled");
    expect((error as AwsError).hint).toContain("the next run deletes the failed stack and creates it again");
    expect(cfn.stack(NAME)?.status).toBe("ROLLBACK_COMPLETE");

    const outcome = await deployStack(spec("v1"), deps);
    expect(outcome.kind).toBe("created");
    expect(out.lines.some((l) => l.startsWith(`warn: Stack ${NAME} is in ROLLBACK_COMPLETE: its first creation failed`))).toBe(true);
    expect(out.lines).toContain(`success: Stack ${NAME} deleted`);
    expect(cfn.callsOf("deleteStack")).toHaveLength(1);
    expect(cfn.stack(NAME)?.status).toBe("CREATE_COMPLETE");
  });

  it("reports a failed update's root cause; the stack keeps its previous version", async () => {
    const { cfn, deps } = setup({ assumeYes: true });
    cfn.defineTemplate("v2-bad", { resources: [logs({ retention: 14 }), bucket, service({ fail: "Invalid request provided: CannotPullContainerError" })] });
    await deployStack(spec("v1"), deps);
    const error = await rejection(deployStack(spec("v2-bad"), deps));

    expect(error.message).toBe(
      `Stack ${NAME} failed (UPDATE_ROLLBACK_COMPLETE): Service (AWS::ECS::Service) CREATE_FAILED: Invalid request provided: CannotPullContainerError`,
    );
    expect((error as AwsError).hint).toContain("still runs its previous version");
    expect(cfn.stack(NAME)?.status).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(cfn.stack(NAME)?.templateBody).toBe("v1");
    // UPDATE_ROLLBACK_COMPLETE can be updated again.
    expect((await deployStack(spec("v2"), deps)).kind).toBe("updated");
  });

  it("finds the root cause inside a nested stack", async () => {
    const { cfn, deps } = setup();
    cfn.defineTemplate("nested", {
      resources: [
        {
          logicalId: "Network",
          type: "AWS::CloudFormation::Stack",
          nested: [
            { logicalId: "Vpc", type: "AWS::EC2::VPC" },
            { logicalId: "Nat", type: "AWS::EC2::NatGateway", fail: "The maximum number of addresses has been reached." },
          ],
        },
      ],
    });
    const error = await rejection(deployStack(spec("nested"), deps));
    expect(error.message.split("\n")[0]).toBe(
      `Stack ${NAME} failed (ROLLBACK_COMPLETE): Network/Nat (AWS::EC2::NatGateway) CREATE_FAILED: The maximum number of addresses has been reached.`,
    );
  });

  it("reports a change set CloudFormation refuses, changing nothing", async () => {
    const { cfn, deps } = setup();
    cfn.defineTemplate("invalid", { resources: [], changeSetFailure: "Template error: instance of Fn::GetAtt references undefined resource Nope" });
    const error = await rejection(deployStack(spec("invalid"), deps));
    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toBe(
      `CloudFormation cannot apply the template to stack ${NAME}: Template error: instance of Fn::GetAtt references undefined resource Nope`,
    );
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(0);
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
  });

  it("offers to continue a failed rollback, with the exact command when declined", async () => {
    const { cfn, deps } = setup({ assumeYes: true });
    cfn.defineTemplate("v2-stuck", {
      resources: [{ ...logs({ retention: 14 }), rollbackFail: "Log group cannot be restored" }, bucket, service({ fail: "Service failed to stabilize" })],
    });
    await deployStack(spec("v1"), deps);
    const failed = await rejection(deployStack(spec("v2-stuck"), deps));
    expect(failed.message.split("\n")[0]).toBe(
      `Stack ${NAME} failed (UPDATE_ROLLBACK_FAILED): Service (AWS::ECS::Service) CREATE_FAILED: Service failed to stabilize`,
    );
    expect(failed.message).toContain("Also failed:\n  - Logs (AWS::Logs::LogGroup) UPDATE_FAILED: Log group cannot be restored");
    expect((failed as AwsError).hint).toContain(`aws cloudformation continue-update-rollback --stack-name ${NAME}`);

    // Without --yes and without a terminal: refuse, and say what to run.
    const declined = await rejection(deployStack(spec("v2"), { ...deps, assumeYes: false }));
    expect(declined).toBeInstanceOf(DeclinedError);
    expect((declined as DeclinedError).hint).toContain(`aws cloudformation continue-update-rollback --stack-name ${NAME}`);
    expect(cfn.callsOf("continueUpdateRollback")).toHaveLength(0);

    // On a terminal, a no: the same command as the hint.
    const interactive = new InteractiveMemoryOutput([false]);
    const no = await rejection(deployStack(spec("v2"), { ...deps, assumeYes: false, out: interactive }));
    expect(no).toBeInstanceOf(DeclinedError);
    expect((no as DeclinedError).hint).toContain(`aws cloudformation continue-update-rollback --stack-name ${NAME}`);
    expect(interactive.lines).toContain(`confirm: Continue the rollback of stack ${NAME} now?`);

    // With --yes: continue the rollback, then deploy.
    const outcome = await deployStack(spec("v2"), deps);
    expect(cfn.callsOf("continueUpdateRollback")).toHaveLength(1);
    expect(outcome.kind).toBe("updated");
    expect(cfn.stack(NAME)?.status).toBe("UPDATE_COMPLETE");
  });

  it("waits for another operation on the stack before changing it", async () => {
    const { cfn, deps, out } = setup({ polls: 4 });
    cfn.putStack({
      name: NAME,
      status: "UPDATE_IN_PROGRESS",
      templateBody: "v1",
      parameters: { ImageTag: "v1" },
      tags: { "mlops:endpoint": "ep-a" },
      busyUntil: "UPDATE_COMPLETE",
    });
    const outcome = await deployStack(spec("v1"), deps);

    expect(outcome.kind).toBe("unchanged");
    expect(out.lines[0]).toBe(
      `info: Stack ${NAME} is busy (UPDATE_IN_PROGRESS): another mlops command or the pipeline's build is changing it. Waiting for that to finish.`,
    );
    expect(out.lines).toContain(`info: Stack ${NAME} is now UPDATE_COMPLETE.`);
    // Events from before the wait began are not replayed; those after it are shown.
    expect(liveLines(out).some((l) => / Bucket {2}AWS::S3::Bucket {2}UPDATE_COMPLETE$/.test(l))).toBe(true);
    expect(liveLines(out).at(-1)).toMatch(new RegExp(` ${NAME}  AWS::CloudFormation::Stack  UPDATE_COMPLETE$`));
  });

  it("stops watching on abort, leaving the operation to AWS, and the next run picks it up", async () => {
    const { cfn, deps, clock } = setup({ polls: 5, assumeYes: true });
    await deployStack(spec("v1"), deps);
    const controller = new AbortController();
    clock.onSleep = (count) => {
      if (count === clock.sleeps.length && cfn.stack(NAME)?.status === "UPDATE_IN_PROGRESS") controller.abort();
    };
    const error = await rejection(deployStack(spec("v2"), { ...deps, signal: controller.signal }));

    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.message).toBe(`Stopped watching stack ${NAME} (UPDATE_IN_PROGRESS); the stack operation continues in AWS.`);
    expect((error as InterruptedError).hint).toContain("Re-run the same command");
    expect(cfn.stack(NAME)?.status).toBe("UPDATE_IN_PROGRESS");

    clock.onSleep = undefined;
    const again = await deployStack(spec("v2"), deps);
    expect(again.kind).toBe("unchanged");
    expect(cfn.stack(NAME)?.status).toBe("UPDATE_COMPLETE");
  });

  it("slows down to 10 s between polls when throttled", async () => {
    const { cfn, deps, clock } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    const before = clock.sleeps.length;
    const throttle = (op: string) => new AwsError(`CloudFormation ${op}: Rate exceeded`, { code: "Throttling" });
    cfn.failNext("describeChangeSet", throttle("DescribeChangeSet"));
    let injected = false;
    clock.onSleep = () => {
      if (injected || cfn.stack(NAME)?.status !== "UPDATE_IN_PROGRESS") return;
      injected = true;
      cfn.failNext("describeStacks", throttle("DescribeStacks"));
    };
    expect((await deployStack(spec("v2"), deps)).kind).toBe("updated");
    expect(injected).toBe(true);
    expect(clock.sleeps.slice(before).filter((ms) => ms === 10_000).length).toBeGreaterThanOrEqual(2);
  });

  it("prints one line per event off a terminal", async () => {
    const { cfn, deps, out } = setup({ pageSize: 2 });
    await deployStack(spec("v1"), deps);
    const lines = liveLines(out);
    // Every event after the change set's REVIEW_IN_PROGRESS, oldest first, once each.
    const events = [...(cfn.stack(NAME)?.events ?? [])].reverse().slice(1);
    expect(lines).toHaveLength(events.length);
    expect(lines.map((l) => l.split("  ").slice(1, 4).join(" "))).toEqual(events.map((e) => `${e.LogicalResourceId} ${e.ResourceType} ${e.ResourceStatus}`));
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${NAME}  AWS::CloudFormation::Stack  CREATE_IN_PROGRESS  User Initiated$`));
  });

  it("redraws a table with one row per resource on a terminal", async () => {
    const { deps, out } = setup({ interactive: true });
    await deployStack(spec("v1"), deps);
    const frames = (out as InteractiveMemoryOutput).redraws;
    expect(frames).toBeGreaterThan(1);
    const lines = liveLines(out);
    expect(lines.at(-3)).toMatch(new RegExp(`^${NAME}  CREATE_COMPLETE  \\d:\\d\\d$`));
    expect(lines.at(-2)).toMatch(/^ {2}Logs +AWS::Logs::LogGroup {2}CREATE_COMPLETE {2}\d:\d\d$/);
    expect(lines.at(-1)).toMatch(/^ {2}Bucket +AWS::S3::Bucket +CREATE_COMPLETE {2}\d:\d\d$/);
  });

  it("deletes a stack left in REVIEW_IN_PROGRESS with no resources, then creates it", async () => {
    const { cfn, deps, out } = setup({ quirks: true });
    cfn.putStack({ name: NAME, status: "REVIEW_IN_PROGRESS" });
    const outcome = await deployStack(spec("v1"), deps);
    expect(outcome.kind).toBe("created");
    expect(out.lines).toContain(`info: Stack ${NAME} was left in REVIEW_IN_PROGRESS by a change set that never ran; deleting it to start clean.`);
  });

  it("works against an emulator that finishes inside the call and reports only stack events", async () => {
    const { cfn, deps, out } = setup({ polls: 0, quirks: true, assumeYes: true });
    expect((await deployStack(spec("v1"), deps)).kind).toBe("created");
    expect((await deployStack(spec("v1"), deps)).kind).toBe("unchanged");
    expect((await deployStack(spec("v2"), deps)).kind).toBe("updated");
    cfn.defineTemplate("v3-bad", { resources: [logs({ retention: 14 }), bucket, service({ fail: "nope", props: { image: "v3" } })] });
    const error = await rejection(deployStack(spec("v3-bad"), deps));
    // No resource events: the stack's own reason is all there is.
    expect(error.message).toBe(`Stack ${NAME} failed (UPDATE_ROLLBACK_COMPLETE): The following resource(s) failed to update: [Service]. `);
    expect(cfn.stack(NAME)?.templateBody).toBe("v2");
    expect(await deleteStack(NAME, deps)).toEqual({ kind: "deleted" });
    expect(liveLines(out).every((l) => l.includes("AWS::CloudFormation::Stack"))).toBe(true);
  });
});

describe("deployStack while the pipeline's build updates the same stack", () => {
  const RETRY = `info: Another update of ${NAME} is in progress (e.g. the pipeline's build); waiting, then retrying`;
  /** What the build does: update-stack --use-previous-template, only APITag (here ImageTag) changing. */
  const buildUpdates = (cfn: FakeCloudFormation, tag: string) => () => cfn.updateByOther(NAME, { ImageTag: tag });

  it("starts over when the build's update makes our change set OBSOLETE before we execute it", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("executeChangeSet", buildUpdates(cfn, "tag-abc"));
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(out.lines.filter((l) => l === RETRY)).toHaveLength(1);
    // The refused change set is removed, not left behind in the console.
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
    expect(cfn.stack(NAME)?.changeSets.size).toBe(0);
    // The second change set is computed against the stack the build left: the build's tag is kept.
    expect(cfn.callsOf("createChangeSet")).toHaveLength(3);
    expect(cfn.stack(NAME)?.templateBody).toBe("v2");
    expect(cfn.stack(NAME)?.parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "tag-abc" }]);
    // The wait shows the build's update as it goes, without a second "is busy" line.
    expect(out.lines).toContain(`info: Stack ${NAME} is now UPDATE_COMPLETE.`);
    expect(out.lines.some((l) => l.includes("is busy"))).toBe(false);
    expect(out.lines.indexOf(RETRY)).toBeLessThan(out.lines.indexOf(`info: Stack ${NAME} is now UPDATE_COMPLETE.`));
    expect(out.lines.at(-1)).toMatch(new RegExp(`^success: Stack ${NAME} updated \\(UPDATE_COMPLETE\\)`));
  });

  it("starts over when ExecuteChangeSet says the stack is UPDATE_IN_PROGRESS", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("executeChangeSet", buildUpdates(cfn, "tag-abc"));
    const stackId = cfn.stack(NAME)?.id ?? "";
    cfn.failNext(
      "executeChangeSet",
      new AwsError(`CloudFormation ExecuteChangeSet: Stack:${stackId} is in UPDATE_IN_PROGRESS state and can not be updated.`, { code: "ValidationError" }),
    );
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(out.lines).toContain(RETRY);
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
    expect(cfn.stack(NAME)?.parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "tag-abc" }]);
  });

  it("waits and starts over when CreateChangeSet answers ValidationError ... UPDATE_IN_PROGRESS once", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true, polls: 4 });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("createChangeSet", buildUpdates(cfn, "tag-abc"));
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(out.lines).toContain(RETRY);
    expect(cfn.callsOf("createChangeSet")).toHaveLength(3);
    // No change set was made by the refused call, so there is none to delete.
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(0);
    // The build's update is followed with the usual progress lines, then ours starts.
    const waited = out.lines.slice(out.lines.indexOf(RETRY) + 1, out.lines.indexOf(`info: Stack ${NAME} is now UPDATE_COMPLETE.`));
    expect(waited).toEqual([expect.stringMatching(new RegExp(`^live: .* ${NAME}  AWS::CloudFormation::Stack  UPDATE_COMPLETE$`))]);
    expect(cfn.stack(NAME)?.parameters).toEqual([{ ParameterKey: "ImageTag", ParameterValue: "tag-abc" }]);
  });

  it("starts over when the change set FAILED because the build's update began while it was computed", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("describeChangeSet", buildUpdates(cfn, "tag-abc"));
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(out.lines).toContain(RETRY);
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(2);
    expect(cfn.callsOf("deleteChangeSet")).toHaveLength(1);
  });

  it("starts over when the change set reads OBSOLETE once computed, without showing its changes", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true, changeSetPolls: 0 });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("describeChangeSet", buildUpdates(cfn, "tag-abc"));
    const outcome = await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps);

    expect(outcome.kind).toBe("updated");
    expect(out.lines).toContain(RETRY);
    expect(out.lines.filter((l) => l === `info: Changes to stack ${NAME}:`)).toHaveLength(1);
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(2);
  });

  it("asks again on a terminal, since the changes are computed anew", async () => {
    const { cfn, deps, out } = setup({ interactive: true, answers: [true, true] });
    await deployStack(spec("v1"), deps);
    cfn.beforeNext("executeChangeSet", buildUpdates(cfn, "tag-abc"));
    expect((await deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps)).kind).toBe("updated");
    expect(out.lines.filter((l) => l === `confirm: Apply these changes to stack ${NAME}?`)).toHaveLength(2);
  });

  it("gives up after 3 retries when the stack keeps changing, having changed nothing", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    let builds = 0;
    const again = () => {
      builds++;
      cfn.updateByOther(NAME, { ImageTag: `tag-${builds}` });
      cfn.beforeNext("executeChangeSet", again);
    };
    cfn.beforeNext("executeChangeSet", again);
    const error = await rejection(deployStack(spec("v2", { ImageTag: { usePrevious: true } }), deps));

    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toMatch(
      new RegExp(
        `^Stack ${NAME} kept being changed by another operation \\(e\\.g\\. the pipeline's build\\) .*gave up after 4 attempts\\. Last refusal: .*OBSOLETE`,
      ),
    );
    expect((error as AwsError).hint).toContain("This command changed nothing");
    expect(out.lines.filter((l) => l === RETRY)).toHaveLength(3);
    expect(builds).toBe(4);
    // One execution by the first deploy, four refused.
    expect(cfn.callsOf("executeChangeSet")).toHaveLength(5);
    expect(cfn.stack(NAME)?.templateBody).toBe("v1");
    expect(cfn.stack(NAME)?.changeSets.size).toBe(0);
  });

  it("does not retry a ValidationError that is about the input", async () => {
    const { cfn, deps, out } = setup({ assumeYes: true });
    await deployStack(spec("v1"), deps);
    cfn.failNext(
      "createChangeSet",
      new AwsError("CloudFormation CreateChangeSet: Parameters: [Nope] do not exist in the template", { code: "ValidationError" }),
    );
    const error = await rejection(deployStack(spec("v2"), deps));
    expect(error.message).toBe("CloudFormation CreateChangeSet: Parameters: [Nope] do not exist in the template");
    expect(cfn.callsOf("createChangeSet")).toHaveLength(2);
    expect(out.lines).not.toContain(RETRY);
  });
});

describe("deleteStack", () => {
  it("deletes a stack and reports an absent one", async () => {
    const { cfn, deps } = setup();
    await deployStack(spec("v1"), deps);
    expect(await deleteStack(NAME, deps)).toEqual({ kind: "deleted" });
    expect(cfn.stack(NAME)).toBeUndefined();
    expect(await findStack(cfn, NAME)).toBeUndefined();
    expect(await deleteStack(NAME, deps)).toEqual({ kind: "absent" });
  });

  it("retries keeping the resources that failed to delete when told to", async () => {
    const { cfn, deps, out } = setup();
    cfn.defineTemplate("sticky", { resources: [logs(), { ...bucket, deleteFail: "The bucket you tried to delete is not empty" }] });
    cfn.putStack({ name: NAME, status: "CREATE_COMPLETE", templateBody: "sticky" });

    expect(await deleteStack(NAME, { ...deps, retainOnFailure: true })).toEqual({ kind: "deleted" });
    const calls = cfn.callsOf("deleteStack") as { RetainResources?: string[] }[];
    expect(calls).toHaveLength(2);
    expect(calls[1]?.RetainResources).toEqual(["Bucket"]);
    expect(out.lines).toContain(`warn: Stack ${NAME} could not delete: Bucket.`);
    expect(out.lines).toContain(`info: Deleting stack ${NAME}, keeping Bucket`);
  });

  it("asks before keeping resources on a terminal", async () => {
    const { cfn, deps, out } = setup({ interactive: true, answers: [true] });
    cfn.defineTemplate("sticky", { resources: [{ ...bucket, deleteFail: "The bucket you tried to delete is not empty" }] });
    cfn.putStack({ name: NAME, status: "CREATE_COMPLETE", templateBody: "sticky" });
    expect(await deleteStack(NAME, deps)).toEqual({ kind: "deleted" });
    expect(out.lines.some((l) => l.startsWith(`confirm: Delete stack ${NAME} but keep Bucket?`))).toBe(true);
  });

  it("otherwise fails with the resources and the command to keep them", async () => {
    const { cfn, deps } = setup();
    cfn.defineTemplate("sticky", { resources: [logs(), { ...bucket, deleteFail: "The bucket you tried to delete is not empty" }] });
    cfn.putStack({ name: NAME, status: "CREATE_COMPLETE", templateBody: "sticky" });
    const error = await rejection(deleteStack(NAME, deps));

    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toBe(`Stack ${NAME} failed (DELETE_FAILED): Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty`);
    expect((error as AwsError).hint).toContain(`aws cloudformation delete-stack --stack-name ${NAME} --retain-resources`);
    expect(cfn.stack(NAME)?.status).toBe("DELETE_FAILED");
  });

  it("names the stacks that import its exports", async () => {
    const { cfn, deps } = setup();
    await deployStack(spec("v1"), deps);
    cfn.addImport("ep-a-prod-LogGroupName", "ep-b-prod");
    const error = await rejection(deleteStack(NAME, deps));

    expect(error).toBeInstanceOf(AwsError);
    expect(error.message).toBe(`Stack ${NAME} cannot be deleted: other stacks import its exports: ep-a-prod-LogGroupName (used by ep-b-prod).`);
    expect((error as AwsError).hint).toBe("Delete ep-b-prod first (or update them to stop importing), then re-run.");
    expect(cfn.callsOf("listImports")).toEqual([{ ExportName: "ep-a-prod-LogGroupName", NextToken: undefined }]);
    expect(cfn.stack(NAME)?.status).toBe("CREATE_COMPLETE");
  });

  it("also names the importers when DeleteStack itself refuses", async () => {
    const { cfn, deps } = setup();
    await deployStack(spec("v1"), deps);
    cfn.addImport("ep-a-prod-LogGroupName", "ep-b-prod");
    cfn.addImport("ep-a-prod-LogGroupName", "ep-c-prod");
    cfn.failNext(
      "deleteStack",
      new AwsError("CloudFormation DeleteStack: Export ep-a-prod-LogGroupName cannot be deleted as it is in use by ep-b-prod and ep-c-prod", {
        code: "ValidationError",
      }),
    );
    const error = await rejection(deleteStack(NAME, deps));
    expect(error.message).toBe(`Stack ${NAME} cannot be deleted: other stacks import its exports: ep-a-prod-LogGroupName (used by ep-b-prod, ep-c-prod).`);
    expect((error as AwsError).hint).toBe("Delete ep-b-prod, ep-c-prod first (or update them to stop importing), then re-run.");
  });

  it("waits for a running deletion and reports the stack deleted", async () => {
    const { cfn, deps } = setup();
    cfn.putStack({ name: NAME, status: "DELETE_IN_PROGRESS", templateBody: "v1", busyUntil: "DELETE_COMPLETE" });
    expect(await deleteStack(NAME, deps)).toEqual({ kind: "deleted" });
    expect(cfn.callsOf("deleteStack")).toHaveLength(0);
  });

  it("stops watching on abort, saying the deletion goes on", async () => {
    const { deps } = setup({ polls: 4 });
    await deployStack(spec("v1"), deps);
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(deleteStack(NAME, { ...deps, signal: controller.signal }));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.message).toBe(`Stopped watching the deletion of stack ${NAME} (DELETE_IN_PROGRESS); the deletion continues in AWS.`);
  });
});

describe("findStack, stackOutputs, waitForStackIdle", () => {
  it("treats a missing stack and a deleted one as absent", async () => {
    const { cfn } = setup();
    expect(await findStack(cfn, "nope")).toBeUndefined();
    const deleted = cfn.putStack({ name: NAME, status: "DELETE_COMPLETE" });
    expect(await findStack(cfn, deleted.id)).toBeUndefined();
  });

  it("maps outputs by key", () => {
    expect(
      stackOutputs({
        StackName: "x",
        CreationTime: new Date(),
        StackStatus: "CREATE_COMPLETE",
        Outputs: [{ OutputKey: "A", OutputValue: "1" }, { OutputKey: "B" }, { OutputValue: "orphan" }],
      }),
    ).toEqual({ A: "1", B: "" });
    expect(stackOutputs({ StackName: "x", CreationTime: new Date(), StackStatus: "CREATE_COMPLETE" })).toEqual({});
  });

  it("returns an idle stack at once and undefined when a busy one is deleted meanwhile", async () => {
    const { cfn, deps, clock } = setup();
    cfn.putStack({ name: NAME, status: "UPDATE_COMPLETE", templateBody: "v1" });
    expect((await waitForStackIdle(NAME, deps))?.StackStatus).toBe("UPDATE_COMPLETE");
    expect(clock.sleeps).toHaveLength(0);

    cfn.putStack({ name: "other", status: "DELETE_IN_PROGRESS", templateBody: "v1", busyUntil: "DELETE_COMPLETE" });
    expect(await waitForStackIdle("other", deps)).toBeUndefined();
  });
});
