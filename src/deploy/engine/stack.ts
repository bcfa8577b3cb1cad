/**
 * Stack deployment as one reusable step: wait while someone else changes the
 * stack, repair the states CloudFormation cannot update from, go through a
 * change set so the user sees what changes before it happens, then follow the
 * operation to its end and, when it fails, say why in one message.
 *
 * Never races another operation and never cancels one: an interrupted command
 * leaves AWS working, and re-running it picks up from wherever the stack is.
 * The pipeline's build updates the same stack (its image tag) whenever it likes, so an
 * operation that starts between our idle check and our ExecuteChangeSet is
 * expected: we drop our change set, wait for it, and start over a few times.
 */
import type { Change, CloudFormationApi, Parameter, ResourceChange, Stack, StackEvent, Tag } from "../../aws/interfaces.js";
import { isStackMissingError, isThrottlingError } from "../../aws/error-translator.js";
import { AwsError, DeclinedError, InputError, InterruptedError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import type { Output } from "../../io/output.js";
import { formatTable } from "../../io/table.js";
import { parseTemplate } from "../../render/cfn-yaml.js";
import { resourceCountsLine } from "../../render/resource-groups.js";
import type { Clock } from "./clock.js";
import { importersOf } from "./discovery.js";
import { PollBackoff, STACK_POLL } from "./poll.js";
import { readOnce, type RunReads } from "./reads.js";
import { costlyReplacements, describeReplacement, isRoutineReplacement } from "./replacements.js";
import { findRootCause, formatRootCause, nestedStackIds, resourceFailures } from "./root-cause.js";
import { formatElapsed, StackProgress } from "./stack-progress.js";

/** What to deploy. */
export interface StackSpec {
  stackName: string;
  templateBody: string;
  /** Parameter values; `{ usePrevious: true }` keeps the deployed value (and the template default on create). */
  parameters: Record<string, string | { usePrevious: true }>;
  tags: Record<string, string>;
  capabilities?: ("CAPABILITY_IAM" | "CAPABILITY_NAMED_IAM")[];
  /** The parameter file's field behind a stack parameter, to name it when a change cannot be made. */
  fieldOfParameter?: (parameter: string) => string | undefined;
  /**
   * The deployed parameters these were planned against: an update of a stack whose parameters
   * differ by the time its change set would be made is refused, changing nothing (what was
   * approved no longer describes the change).
   */
  plannedAgainst?: Record<string, string>;
}

/** What the stack step needs. */
export interface StackDeps {
  cfn: CloudFormationApi;
  out: Output;
  clock: Clock;
  /** `--yes`: apply changes without asking. */
  assumeYes: boolean;
  /** Aborted on Ctrl-C: stop watching (AWS carries on). */
  signal?: AbortSignal;
  /** Between two polls of a running operation; default: from 250 ms growing to 3 s (`STACK_POLL`). */
  pollIntervalMs?: number;
  /** One more line of status while an operation runs, e.g. the ECS rollout CloudFormation is waiting for. */
  sidecar?: () => Promise<string | undefined>;
  /** Longest wait for one stack operation, ours or another's; default `STACK_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** The run's reads: the idle check before a change set takes the run's last answer for the stack; every stack operation forgets them all. */
  reads?: RunReads;
  /** How the user starts mlops: the commands the hints name are spelled that way. */
  invocation?: Invocation;
}

/** What `deployStack` did. */
export type DeployOutcome =
  { kind: "created" | "updated"; stack: Stack; outputs: Record<string, string> } | { kind: "unchanged"; stack: Stack; outputs: Record<string, string> };

type ChangeSetDescription = Awaited<ReturnType<CloudFormationApi["describeChangeSet"]>>;

/** One pass of a deployment: done, or pre-empted by another operation on the stack (nothing changed). */
type Attempt = DeployOutcome | { kind: "preempted"; cause: AwsError };

/** Why we are watching a stack: decides what an interruption message says and when to stop. */
type Watch = "deploy" | "rollback" | "delete" | "wait";

interface Followed {
  /** The stack at the end; undefined when it no longer exists. */
  stack?: Stack;
  /** Every event of the operation, oldest first. */
  events: StackEvent[];
}

/**
 * How long mlops follows one stack operation before it stops waiting (the operation goes on in
 * AWS). 60 minutes, the bound of the AWS CLI's own waiters (`aws cloudformation wait
 * stack-create-complete` and friends poll every 30 s, 120 times): a base endpoint's creation
 * (NAT gateway, load balancer, EFS mount targets, a first ECS service) takes 10 to 20 minutes.
 */
export const STACK_TIMEOUT_MS = 60 * 60_000;
/** How long CloudFormation may take to compute a change set (seconds usually; minutes with many resources). */
const CHANGE_SET_TIMEOUT_MS = 15 * 60_000;
/** Bound on events read in one poll, against an endpoint that never repeats an event id. */
const MAX_EVENTS_PER_POLL = 1000;
const SUCCESS = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"]);
/** States left by a failed first creation: CloudFormation can only delete such a stack. */
const FAILED_CREATION = new Set(["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"]);
const NO_CHANGES = [/The submitted information didn't contain changes/i, /No updates are to be performed/i];
/** CloudFormation's words for "another operation is running on this stack" (ValidationError, change set reason). */
const IN_PROGRESS_STATE = /_IN_PROGRESS state/;
/** Starting over more often than this means the stack is changing constantly: better to stop and say so. */
const MAX_PREEMPTED_RETRIES = 3;

/** The stack named `stackName`, or undefined when it does not exist (a DELETE_COMPLETE stack does not). */
export async function findStack(cfn: CloudFormationApi, stackName: string): Promise<Stack | undefined> {
  const stack = await describeStack(cfn, stackName);
  return stack && stack.StackStatus !== "DELETE_COMPLETE" ? stack : undefined;
}

/** The run's key for a stack's answer. */
export function stackReadKey(stackName: string): string {
  return `cfn:stack:${stackName}`;
}

/**
 * `findStack`, answered from the run's reads when this run has read the stack since it last changed
 * anything. Only where a stale answer is caught: CloudFormation refuses a change set on a busy
 * stack, and the stack step then starts over with a fresh read.
 */
export function readStack(cfn: CloudFormationApi, stackName: string, reads: RunReads | undefined): Promise<Stack | undefined> {
  return readOnce(reads, stackReadKey(stackName), () => findStack(cfn, stackName));
}

/** The stack's outputs as a key → value map. */
export function stackOutputs(stack: Stack): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue ?? "";
  }
  return outputs;
}

/** Waits, showing progress, while another operation (*_IN_PROGRESS) runs on the stack; returns it settled, or undefined if absent. */
export async function waitForStackIdle(stackName: string, deps: StackDeps): Promise<Stack | undefined> {
  return awaitIdle(stackName, deps, true);
}

/**
 * `waitForStackIdle`; `announce: false` when the caller has already said why it waits. `read`: the
 * stack as the caller has just read it (else the run's answer for it, else a read).
 */
async function awaitIdle(stackName: string, deps: StackDeps, announce: boolean, read?: { stack: Stack | undefined }): Promise<Stack | undefined> {
  const stack = read ? read.stack : await readStack(deps.cfn, stackName, deps.reads);
  if (!stack || !isBusy(stack.StackStatus)) return stack;
  if (announce) {
    deps.out.info(
      `Stack ${stackName} is busy (${stack.StackStatus}): another mlops command or the pipeline's build is changing it. Waiting for that to finish.`,
    );
  }
  const ref = stack.StackId ?? stackName;
  const { stack: settled } = await follow(ref, stackName, deps, await currentEventKeys(deps.cfn, ref), "wait");
  if (!settled || settled.StackStatus === "DELETE_COMPLETE") {
    deps.out.info(`Stack ${stackName} was deleted meanwhile.`);
    return undefined;
  }
  deps.out.info(`Stack ${stackName} is now ${settled.StackStatus}.`);
  return settled;
}

/** Creates or updates a stack through a change set, asking before an update unless `assumeYes`. */
export async function deployStack(spec: StackSpec, deps: StackDeps): Promise<DeployOutcome> {
  const name = spec.stackName;
  for (let retry = 0; ; retry++) {
    let attempt: Attempt;
    try {
      attempt = await deployOnce(spec, deps, retry === 0);
    } finally {
      // Whatever the attempt did or failed to do, the next read (a retry's idle check, the caller's) sees the present.
      deps.reads?.forgetAll();
    }
    if (attempt.kind !== "preempted") return attempt;
    if (retry >= MAX_PREEMPTED_RETRIES) {
      throw new AwsError(
        `Stack ${name} kept being changed by another operation (e.g. the pipeline's build) while this command prepared its own update; gave up after ${retry + 1} attempts. Last refusal: ${attempt.cause.message}`,
        {
          code: attempt.cause.code,
          cause: attempt.cause,
          hint: "This command changed nothing. Re-run it once the other updates (see the pipeline's builds) have finished.",
        },
      );
    }
    deps.out.info(`Another update of ${name} is in progress (e.g. the pipeline's build); waiting, then retrying`);
  }
}

/** True when the stack exists with exactly these parameter values. */
function sameParameters(stack: Stack | undefined, expected: Record<string, string>): boolean {
  if (!stack) return false;
  const actual = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]));
  return actual.size === Object.keys(expected).length && Object.entries(expected).every(([key, value]) => actual.get(key) === value);
}

/** One pass of `deployStack`; `preempted` when another operation got to the stack first and ours was dropped. */
async function deployOnce(spec: StackSpec, deps: StackDeps, announceWait: boolean): Promise<Attempt> {
  const { cfn, out } = deps;
  const name = spec.stackName;
  const stack = await prepareStack(name, deps, announceWait);
  const creating = !stack || stack.StackStatus === "REVIEW_IN_PROGRESS";
  if (spec.plannedAgainst && !sameParameters(stack, spec.plannedAgainst)) {
    throw new AwsError(`Stack ${name} was changed after the plan was made (by something other than mlops, which takes no lease): nothing was changed.`, {
      hint: "Run the same command again: it plans against the stack as it is now.",
    });
  }
  const changeSetName = changeSetNameAt(deps.clock.now());

  let created: { Id?: string; StackId?: string };
  try {
    created = await cfn.createChangeSet({
      StackName: name,
      ChangeSetName: changeSetName,
      ChangeSetType: creating ? "CREATE" : "UPDATE",
      TemplateBody: spec.templateBody,
      Parameters: toParameters(spec.parameters, creating),
      Tags: toTags(spec.tags),
      Capabilities: spec.capabilities ?? [],
      Description: "Deployment by mlops",
    });
  } catch (error) {
    // Some endpoints (moto among them) refuse an empty update at once instead of failing the change set.
    if (!creating && error instanceof AwsError && NO_CHANGES.some((re) => re.test(error.message))) return unchanged(name, stack, deps);
    if (isPreemption(error)) return { kind: "preempted", cause: error };
    throw error;
  }
  const stackRef = created.StackId ?? name;
  const changeSetRef = created.Id ?? changeSetName;
  const discard = () => discardChangeSet(cfn, stackRef, changeSetRef);

  const changeSet = await waitForChangeSet(stackRef, changeSetRef, name, deps, discard);
  if (changeSet.Status === "FAILED") {
    await discard();
    if (NO_CHANGES.some((re) => re.test(changeSet.StatusReason ?? ""))) return unchanged(name, stack, deps);
    if (IN_PROGRESS_STATE.test(changeSet.StatusReason ?? "")) return preempted(name, changeSet);
    throw new AwsError(`CloudFormation cannot apply the template to stack ${name}: ${changeSet.StatusReason ?? "the change set failed"}`, {
      hint: "Nothing was changed. Fix the template or parameters named above and re-run the same command.",
    });
  }
  // The stack changed after CloudFormation computed the change set: its changes are no longer what would happen.
  if (changeSet.ExecutionStatus === "OBSOLETE") {
    await discard();
    return preempted(name, changeSet);
  }

  showChanges(name, changeSet.Changes ?? [], creating, out);
  const impossible = creating ? [] : namedReplacements(spec, changeSet.Changes ?? []);
  if (impossible.length > 0) {
    await discard();
    throw impossibleChange(name, impossible, spec, deps.invocation);
  }
  const costly = creating ? [] : costlyReplacements(changeSet.Changes ?? []);
  for (const r of costly) out.warn(`REPLACEMENT ${r.cost.toUpperCase()}: ${describeReplacement(r)}.`);
  if (costly.length > 0 && !deps.assumeYes) {
    // Not even a prompt: a slip of the Enter key must not delete data or take the endpoint down.
    await discard();
    throw declined(
      `Stack ${name}: this change replaces ${costly.map((r) => r.logicalId).join(", ")}, which ${[...new Set(costly.map((r) => r.cost))].join(" and ")}; nothing was changed.`,
      "If that is intended (back up the data first), re-run with --yes; otherwise undo the parameter change that causes it (e.g. a new VPC CIDR or port).",
    );
  }
  if (!creating && !deps.assumeYes) {
    if (!out.interactive) {
      await discard();
      throw declined(
        `Stack ${name} has changes to apply, and no one is at a terminal to confirm them: nothing was changed.`,
        "Review the changes above, then re-run with --yes to apply them.",
      );
    }
    if (!(await out.confirm(`Apply these changes to stack ${name}?`))) {
      await discard();
      throw new DeclinedError();
    }
  }

  const seen = await currentEventKeys(cfn, stackRef);
  out.info(`${creating ? "Creating" : "Updating"} stack ${name} (change set ${changeSetName})`);
  const started = deps.clock.now();
  try {
    await cfn.executeChangeSet({ StackName: stackRef, ChangeSetName: changeSetRef });
  } catch (error) {
    if (!isPreemption(error)) throw error;
    await discard();
    return { kind: "preempted", cause: error };
  }
  const result = await follow(stackRef, name, deps, seen, "deploy");
  const final = result.stack;
  if (final?.StackStatus && SUCCESS.has(final.StackStatus)) {
    out.success(`Stack ${name} ${creating ? "created" : "updated"} (${final.StackStatus}) in ${formatElapsed(deps.clock.now() - started)}`);
    return { kind: creating ? "created" : "updated", stack: final, outputs: stackOutputs(final) };
  }
  throw await operationFailure(name, result, deps);
}

/** Deletes a stack and waits until it is gone; on DELETE_FAILED offers to retry keeping the resources that failed. */
export async function deleteStack(stackName: string, deps: StackDeps & { retainOnFailure?: boolean }): Promise<{ kind: "deleted" | "absent" }> {
  try {
    return await deleteAndFollow(stackName, deps);
  } finally {
    deps.reads?.forgetAll();
  }
}

async function deleteAndFollow(stackName: string, deps: StackDeps & { retainOnFailure?: boolean }): Promise<{ kind: "deleted" | "absent" }> {
  const { cfn, out } = deps;
  // Read fresh: what is deleted must be what exists now.
  const existing = await findStack(cfn, stackName);
  if (!existing) return { kind: "absent" };
  const stack = await awaitIdle(stackName, deps, true, { stack: existing });
  if (!stack) return { kind: existing.StackStatus === "DELETE_IN_PROGRESS" ? "deleted" : "absent" };
  const ref = stack.StackId ?? stackName;

  let retain: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const seen = await currentEventKeys(cfn, ref);
    try {
      await cfn.deleteStack({ StackName: ref, ...(retain.length > 0 ? { RetainResources: retain } : {}) });
    } catch (error) {
      if (error instanceof AwsError && isExportInUse(error.message)) throw await exportInUseError(stack, error.message, cfn, error);
      throw error;
    }
    out.info(`Deleting stack ${stackName}${retain.length > 0 ? `, keeping ${retain.join(", ")}` : ""}`);
    const result = await follow(ref, stackName, deps, seen, "delete");
    const status = result.stack?.StackStatus;
    if (!result.stack || status === "DELETE_COMPLETE") {
      out.success(`Stack ${stackName} deleted`);
      return { kind: "deleted" };
    }
    // CloudFormation refuses by putting the stack back as it was, with the reason on the stack and its last event.
    const reason = [result.stack.StackStatusReason, ...result.events.map((e) => e.ResourceStatusReason)].find((r) => r && isExportInUse(r));
    if (reason) throw await exportInUseError(result.stack, reason, cfn);
    if (status !== "DELETE_FAILED") throw await operationFailure(stackName, result, deps);

    const failed = [
      ...new Set(
        resourceFailures(result.events)
          .filter((f) => f.status === "DELETE_FAILED")
          .map((f) => f.logicalId),
      ),
    ];
    const failure = await operationFailure(stackName, result, deps);
    if (failed.length === 0 || attempt > 1) throw failure;
    out.warn(`Stack ${stackName} could not delete: ${failed.join(", ")}.`);
    const keep =
      deps.retainOnFailure === true ||
      (out.interactive && (await out.confirm(`Delete stack ${stackName} but keep ${failed.join(", ")}? They stay in the account until removed by hand.`)));
    if (!keep) throw failure;
    retain = failed;
  }
}

/** Waits for the stack to be idle, then gets it into a state a change set can apply to. */
async function prepareStack(name: string, deps: StackDeps, announceWait: boolean): Promise<Stack | undefined> {
  const stack = await awaitIdle(name, deps, announceWait);
  if (!stack) return undefined;
  const status = stack.StackStatus ?? "";
  if (FAILED_CREATION.has(status)) {
    const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : "";
    deps.out.warn(
      `Stack ${name} is in ${status}: its first creation failed${reason}, and CloudFormation can only delete such a stack. Deleting it, then creating it again.`,
    );
    await deleteStack(name, deps);
    return undefined;
  }
  if (status === "REVIEW_IN_PROGRESS" && !(await hasResources(deps.cfn, stack.StackId ?? name))) {
    deps.out.info(`Stack ${name} was left in REVIEW_IN_PROGRESS by a change set that never ran; deleting it to start clean.`);
    await deleteStack(name, deps);
    return undefined;
  }
  if (status === "UPDATE_ROLLBACK_FAILED") return continueRollback(name, stack, deps);
  if (status === "DELETE_FAILED") {
    throw new AwsError(`Stack ${name} is in DELETE_FAILED: an earlier deletion stopped half-way, and CloudFormation cannot update such a stack.`, {
      hint: `Finish deleting it (re-run the teardown, or: aws cloudformation delete-stack --stack-name ${name}), then deploy again.`,
    });
  }
  return stack;
}

/** Offers to continue a rollback that failed; returns the stack once it is back to UPDATE_ROLLBACK_COMPLETE. */
async function continueRollback(name: string, stack: Stack, deps: StackDeps): Promise<Stack> {
  const { out } = deps;
  const command = `aws cloudformation continue-update-rollback --stack-name ${name}`;
  const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : "";
  out.warn(
    `Stack ${name} is in UPDATE_ROLLBACK_FAILED: an earlier update failed, and CloudFormation could not roll it back${reason}. ` +
      "It cannot be updated until the rollback is continued, which returns it to its last working version.",
  );
  if (!deps.assumeYes) {
    if (!out.interactive) {
      throw declined(
        `Stack ${name} needs its rollback continued before it can be updated: nothing was changed.`,
        `Re-run with --yes to continue it, or run: ${command}`,
      );
    }
    if (!(await out.confirm(`Continue the rollback of stack ${name} now?`))) {
      throw declined(
        `Stack ${name} was left in UPDATE_ROLLBACK_FAILED.`,
        `Continue the rollback yourself, then re-run: ${command} (add --resources-to-skip LogicalId for resources that cannot roll back)`,
      );
    }
  }
  const ref = stack.StackId ?? name;
  const seen = await currentEventKeys(deps.cfn, ref);
  out.info(`Continuing the rollback of stack ${name}`);
  await deps.cfn.continueUpdateRollback({ StackName: ref });
  const result = await follow(ref, name, deps, seen, "rollback");
  if (result.stack?.StackStatus === "UPDATE_ROLLBACK_COMPLETE") {
    out.success(`Stack ${name} rolled back to its last working version`);
    return result.stack;
  }
  const failed = resourceFailures(result.events).map((f) => f.logicalId);
  const failure = await operationFailure(name, result, deps);
  const skip = failed.length > 0 ? ` --resources-to-skip ${[...new Set(failed)].join(" ")}` : "";
  throw new AwsError(failure.message, {
    hint: `The rollback failed again. Fix the cause above, or skip those resources: ${command}${skip}; then re-run.`,
  });
}

/** True when CloudFormation refused our call only because another operation holds the stack (or just changed it). */
function isPreemption(error: unknown): error is AwsError {
  if (!(error instanceof AwsError)) return false;
  // ExecuteChangeSet on a change set the other operation made OBSOLETE; the SDK names the code with "Exception".
  if (error.code === "InvalidChangeSetStatus" || error.code === "InvalidChangeSetStatusException") return true;
  return error.code === "ValidationError" && IN_PROGRESS_STATE.test(error.message);
}

/** The attempt's outcome when the change set was spoilt by another operation on the stack. */
function preempted(name: string, changeSet: ChangeSetDescription): Attempt {
  const why = changeSet.StatusReason ?? `change set ${changeSet.ChangeSetName ?? "?"} is ${changeSet.ExecutionStatus ?? changeSet.Status ?? "?"}`;
  return { kind: "preempted", cause: new AwsError(`CloudFormation cannot apply the change set to stack ${name}: ${why}`) };
}

/** The outcome when CloudFormation found nothing to change: the stack as it is. */
async function unchanged(name: string, before: Stack | undefined, deps: StackDeps): Promise<DeployOutcome> {
  const stack = (await findStack(deps.cfn, name)) ?? before;
  if (!stack) throw new AwsError(`Stack ${name} disappeared while its change set was being prepared.`, { hint: "Re-run the same command." });
  deps.out.success(`Stack ${name} is up to date: no changes`);
  return { kind: "unchanged", stack, outputs: stackOutputs(stack) };
}

/** Polls the change set until CloudFormation has computed it; returns it with all its changes. */
async function waitForChangeSet(
  stackRef: string,
  changeSetRef: string,
  name: string,
  deps: StackDeps,
  discard: () => Promise<void>,
): Promise<ChangeSetDescription> {
  const delays = new PollBackoff(STACK_POLL, deps.pollIntervalMs);
  const deadline = deps.clock.now() + CHANGE_SET_TIMEOUT_MS;
  for (;;) {
    let description: ChangeSetDescription | undefined;
    try {
      description = await deps.cfn.describeChangeSet({ StackName: stackRef, ChangeSetName: changeSetRef });
    } catch (error) {
      if (!isThrottlingError(error)) throw error;
      delays.throttled();
    }
    if (description && description.Status !== "CREATE_PENDING" && description.Status !== "CREATE_IN_PROGRESS") {
      const changes = [...(description.Changes ?? [])];
      for (let token = description.NextToken; token;) {
        const page = await deps.cfn.describeChangeSet({ StackName: stackRef, ChangeSetName: changeSetRef, NextToken: token });
        changes.push(...(page.Changes ?? []));
        token = page.NextToken;
      }
      return { ...description, Changes: changes, NextToken: undefined };
    }
    if (deps.clock.now() >= deadline) {
      await discard();
      throw new AwsError(
        `CloudFormation did not finish computing the changes to stack ${name} within ${CHANGE_SET_TIMEOUT_MS / 60_000} minutes (change set ${description?.Status ?? "not readable"}); the change set was deleted and nothing was changed.`,
        {
          hint: `Check CloudFormation's service health and the stack (aws cloudformation describe-stacks --stack-name ${name}), then re-run the same command.`,
        },
      );
    }
    try {
      await sleep(delays.next(), deps);
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
      await discard();
      throw new InterruptedError(`Interrupted before stack ${name} was changed.`, "Nothing was changed; re-run the same command.");
    }
  }
}

/** Shows the change set as a table, loudly flagging replacements, deletions and access changes; a new stack's as one line of counts (the plan listed it). */
function showChanges(name: string, changes: Change[], creating: boolean, out: Output): void {
  const resources = changes.flatMap((change) => (change.ResourceChange ? [change.ResourceChange] : []));
  if (resources.length === 0) {
    out.info(`Stack ${name}: no resource changes (only outputs, parameters or tags change).`);
    return;
  }
  if (creating) {
    // The plan has shown what the stack creates (grouped, or in full with --verbose): a count says it is that.
    const created = resources.map((r) => ({ logicalId: r.LogicalResourceId ?? "", type: r.ResourceType ?? "" }));
    out.info(`Stack ${name} will create ${created.length} resource${created.length === 1 ? "" : "s"}: ${resourceCountsLine(created)}`);
    return;
  }
  out.info(`Changes to stack ${name}:`);
  const rows = resources.map((r) => [
    r.Action ?? "?",
    r.LogicalResourceId ?? "",
    r.ResourceType ?? "",
    replacementCell(r.Replacement),
    replacementCauses(r).join(", "),
  ]);
  // The last column only when some replacement has a cause to name.
  const withCauses = rows.some((row) => row[4]);
  const headers = ["Action", "Logical ID", "Type", "Replacement", ...(withCauses ? ["Replaced because of"] : [])];
  const table = formatTable(headers, withCauses ? rows : rows.map((row) => row.slice(0, 4)));
  for (const line of table.split("\n")) out.info(`  ${line}`);

  for (const r of resources) {
    const what = `${r.LogicalResourceId ?? "?"} (${r.ResourceType ?? "?"})`;
    const causes = replacementCauses(r);
    const because = causes.length > 0 ? ` (changed: ${causes.join(", ")})` : "";
    if (r.Replacement === "True" && isRoutineReplacement(r.ResourceType)) {
      out.info(`${what}: a new revision${because}, as every change of a task definition makes.`);
    } else if (r.Replacement === "True") {
      out.warn(`REPLACEMENT: ${what} will be replaced${because}: CloudFormation creates a new one, then deletes the old one.`);
    } else if (r.Replacement === "Conditional") {
      out.warn(`POSSIBLE REPLACEMENT: ${what} may be replaced${because}, depending on values known only during the update.`);
    }
    if (r.Action === "Remove") out.warn(`DELETION: ${what} will be deleted.`);
  }
  const access = resources.filter((r) => isAccessResource(r.ResourceType));
  if (access.length > 0) {
    const list = access.map((r) => `${r.Action ?? "?"} ${r.LogicalResourceId ?? "?"} (${r.ResourceType ?? "?"})`).join(", ");
    out.warn(`ACCESS CHANGES: ${list}: review who can reach or do what.`);
  }
}

/**
 * The properties whose change makes CloudFormation replace the resource: the change set's
 * `Details[].Target` with `RequiresRecreation` Always or Conditionally, as DescribeChangeSet
 * documents them (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceTargetDefinition.html),
 * each with the parameter that caused it when there is one.
 */
function replacementCauses(change: ResourceChange): string[] {
  const causes = (change.Details ?? [])
    .filter(
      (d) =>
        d.Target?.Attribute === "Properties" && d.Target.Name && (d.Target.RequiresRecreation === "Always" || d.Target.RequiresRecreation === "Conditionally"),
    )
    .map((d) => `${d.Target?.Name ?? "?"}${d.ChangeSource === "ParameterReference" && d.CausingEntity ? ` (parameter ${d.CausingEntity})` : ""}`);
  return [...new Set(causes)];
}

/**
 * The property that gives each resource type we deploy its own name. CloudFormation cannot
 * replace a resource whose name is set ("If you specify a name, you cannot perform updates that
 * require replacement of this resource", https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html):
 * it would create the new one under the name the old one still holds, and the update fails.
 */
const NAME_PROPERTIES: Record<string, string> = {
  "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
  "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
  "AWS::ECS::Cluster": "ClusterName",
  "AWS::ECS::Service": "ServiceName",
  "AWS::ECR::Repository": "RepositoryName",
  "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::IAM::Role": "RoleName",
  "AWS::S3::Bucket": "BucketName",
  "AWS::EC2::SecurityGroup": "GroupName",
  "AWS::CodeBuild::Project": "Name",
};

/** A replacement CloudFormation would fail at: a custom-named resource, and what forces it. */
interface NamedReplacement {
  change: ResourceChange;
  nameProperty: string;
}

/** The changes that replace a resource the template gives a fixed name. */
function namedReplacements(spec: StackSpec, changes: Change[]): NamedReplacement[] {
  const resources = templateResources(spec.templateBody);
  const found: NamedReplacement[] = [];
  for (const change of changes) {
    const r = change.ResourceChange;
    if (!r || r.Action !== "Modify" || r.Replacement !== "True" || !r.ResourceType || !r.LogicalResourceId) continue;
    const nameProperty = NAME_PROPERTIES[r.ResourceType];
    const properties = resources[r.LogicalResourceId]?.Properties;
    if (nameProperty && properties && properties[nameProperty] !== undefined) found.push({ change: r, nameProperty });
  }
  return found;
}

/** The template's resources; none when the body cannot be read here (CloudFormation already accepted it). */
function templateResources(body: string): Record<string, { Properties?: Record<string, unknown> }> {
  try {
    const resources = parseTemplate(body).Resources;
    return resources && typeof resources === "object" ? (resources as Record<string, { Properties?: Record<string, unknown> }>) : {};
  } catch {
    return {};
  }
}

/** Exit 2: the input asks for a change CloudFormation cannot make; names the field behind it and the way out. */
function impossibleChange(name: string, replacements: NamedReplacement[], spec: StackSpec, invocation?: Invocation): InputError {
  const issues = replacements.map(({ change, nameProperty }) => {
    const details = (change.Details ?? []).filter((d) => d.Target?.RequiresRecreation === "Always");
    const parameters = [...new Set(details.flatMap((d) => (d.ChangeSource === "ParameterReference" && d.CausingEntity ? [d.CausingEntity] : [])))];
    const fields = parameters.map((p) => spec.fieldOfParameter?.(p) ?? p);
    const properties = [...new Set(details.flatMap((d) => (d.Target?.Name ? [d.Target.Name] : [])))];
    const what = `${change.LogicalResourceId ?? "?"} (${change.ResourceType ?? "?"})`;
    return {
      path: fields.length > 0 ? fields.join(", ") : `${change.LogicalResourceId ?? "?"}.${properties.join(",") || "?"}`,
      message: `changing it replaces ${what}${properties.length > 0 ? ` (create-only: ${properties.join(", ")})` : ""}, and CloudFormation cannot replace a resource with a fixed ${nameProperty}. Stack ${name} was not changed`,
    };
  });
  return new InputError(
    issues,
    `Keep the deployed value. A new value means a new resource under that name: delete the stack first (for an endpoint, ${runnable("mlops teardown", invocation)}, which keeps its EFS data), then deploy again.`,
  );
}

function replacementCell(replacement: string | undefined): string {
  if (replacement === "True") return "True  <-- REPLACED";
  if (replacement === "Conditional") return "Conditional  <-- may be replaced";
  return replacement === "False" ? "False" : "";
}

function isAccessResource(type: string | undefined): boolean {
  return !!type && (type.startsWith("AWS::IAM::") || type.startsWith("AWS::EC2::SecurityGroup"));
}

/** Follows a running operation until the stack settles (or vanishes), showing its events. */
async function follow(ref: string, name: string, deps: StackDeps, seen: Set<string>, watch: Watch): Promise<Followed> {
  const progress = new StackProgress(deps.out, deps.clock, name);
  const timeoutMs = deps.timeoutMs ?? STACK_TIMEOUT_MS;
  const deadline = deps.clock.now() + timeoutMs;
  const events: StackEvent[] = [];
  const delays = new PollBackoff(STACK_POLL, deps.pollIntervalMs);
  let stack: Stack | undefined;
  let status = "";
  try {
    for (;;) {
      try {
        stack = await describeStack(deps.cfn, ref);
        status = stack?.StackStatus ?? status;
        const fresh = await newEvents(deps.cfn, ref, seen);
        events.push(...fresh);
        progress.update(fresh, stack?.StackStatus, isBusy(stack?.StackStatus) ? await sidecarLine(deps) : undefined);
      } catch (error) {
        if (!isThrottlingError(error)) throw error;
        delays.throttled();
      }
      if (!stack || isSettled(stack.StackStatus, watch)) return { stack, events };
      if (deps.signal?.aborted) throw interruption(name, watch, status);
      if (deps.clock.now() >= deadline) throw stackTimeout(name, watch, status, timeoutMs, deps.invocation);
      try {
        await sleep(delays.next(), deps);
      } catch (error) {
        if (error instanceof InterruptedError) throw interruption(name, watch, status);
        throw error;
      }
    }
  } finally {
    progress.close();
  }
}

/** The sidecar's line; a sidecar that fails only loses its line, never the operation being watched. */
async function sidecarLine(deps: StackDeps): Promise<string | undefined> {
  try {
    return await deps.sidecar?.();
  } catch {
    return undefined;
  }
}

function isBusy(status: string | undefined): boolean {
  return !!status && status.endsWith("_IN_PROGRESS") && status !== "REVIEW_IN_PROGRESS";
}

function isSettled(status: string | undefined, watch: Watch): boolean {
  // Right after ExecuteChangeSet a new stack may still read REVIEW_IN_PROGRESS: the operation has not begun.
  if (watch === "deploy" && status === "REVIEW_IN_PROGRESS") return false;
  return !isBusy(status);
}

function interruption(name: string, watch: Watch, status: string): InterruptedError {
  const state = status ? ` (${status})` : "";
  if (watch === "wait") {
    return new InterruptedError(
      `Stopped waiting for stack ${name}${state}; this command changed nothing.`,
      "Re-run the same command: it waits for the other operation to finish first.",
    );
  }
  if (watch === "delete") {
    return new InterruptedError(
      `Stopped watching the deletion of stack ${name}${state}; the deletion continues in AWS.`,
      "Re-run the same command to see it through.",
    );
  }
  return new InterruptedError(
    `Stopped watching stack ${name}${state}; the stack operation continues in AWS.`,
    "Re-run the same command: it waits for that operation to finish, then picks up from there.",
  );
}

/** The error when a stack operation outlasts its deadline: what was awaited, that AWS carries on, and how to look and resume. */
function stackTimeout(name: string, watch: Watch, status: string, timeoutMs: number, invocation?: Invocation): AwsError {
  const waited = `${Math.round(timeoutMs / 60_000)} minutes`;
  const state = status ? ` it is still ${status}` : " it has not settled";
  const check = `Check it with: aws cloudformation describe-stack-events --stack-name ${name} (or ${runnable("mlops status", invocation)})`;
  if (watch === "wait") {
    return new AwsError(`Stopped waiting for another operation on stack ${name} after ${waited}:${state}. This command changed nothing.`, {
      hint: `${check}. Re-run the same command once that operation has finished.`,
    });
  }
  const what = watch === "delete" ? "the deletion of" : watch === "rollback" ? "the rollback of" : "the operation on";
  return new AwsError(`Stopped waiting for ${what} stack ${name} after ${waited}:${state}. The operation continues in AWS.`, {
    hint: `${check}. Re-run the same command: it waits for that operation to finish, then picks up from there.`,
  });
}

function sleep(ms: number, deps: StackDeps): Promise<void> {
  return deps.clock.sleep(ms, deps.signal);
}

/** Describes a stack by name or id; a deleted stack described by id reads DELETE_COMPLETE. */
async function describeStack(cfn: CloudFormationApi, ref: string): Promise<Stack | undefined> {
  try {
    return (await cfn.describeStacks({ StackName: ref })).Stacks?.[0];
  } catch (error) {
    if (isStackMissingError(error)) return undefined;
    throw error;
  }
}

/** Emulators may leave out EventId; their events are then told apart by content. */
function eventKey(event: StackEvent): string {
  if (event.EventId) return event.EventId;
  const time = event.Timestamp ? new Date(event.Timestamp).toISOString() : "";
  return [event.LogicalResourceId, event.ResourceStatus, time, event.ResourceStatusReason].join("|");
}

/** The keys of the newest events, taken before an operation so that only its own events are shown. */
async function currentEventKeys(cfn: CloudFormationApi, ref: string): Promise<Set<string>> {
  try {
    const page = await cfn.describeStackEvents({ StackName: ref });
    return new Set((page.StackEvents ?? []).map(eventKey));
  } catch (error) {
    if (isStackMissingError(error)) return new Set();
    throw error;
  }
}

/** Events not seen before, oldest first; reads pages (newest first) until it meets a seen one. */
async function newEvents(cfn: CloudFormationApi, ref: string, seen: Set<string>): Promise<StackEvent[]> {
  const fresh: StackEvent[] = [];
  let token: string | undefined;
  pages: do {
    let page;
    try {
      page = await cfn.describeStackEvents({ StackName: ref, NextToken: token });
    } catch (error) {
      if (isStackMissingError(error)) break;
      throw error;
    }
    for (const event of page.StackEvents ?? []) {
      const key = eventKey(event);
      if (seen.has(key)) break pages;
      seen.add(key);
      fresh.push(event);
    }
    token = page.NextToken;
  } while (token && fresh.length < MAX_EVENTS_PER_POLL);
  return fresh.reverse();
}

/** The error for an operation that ended badly: the root cause, and how to recover. */
async function operationFailure(name: string, result: Followed, deps: StackDeps): Promise<AwsError> {
  const status = result.stack?.StackStatus ?? "DELETE_COMPLETE";
  const nestedEvents = await fetchNestedEvents(deps.cfn, result.events);
  const cause = findRootCause(result.events, { nestedEvents, stackStatusReason: result.stack?.StackStatusReason });
  return new AwsError(formatRootCause(name, status, cause), { hint: recoveryHint(name, status) });
}

/** Reads the events of failed nested stacks (and theirs), so the root cause can name the resource inside. */
async function fetchNestedEvents(cfn: CloudFormationApi, events: StackEvent[]): Promise<Map<string, StackEvent[]>> {
  const found = new Map<string, StackEvent[]>();
  const since = events.find((e) => e.Timestamp)?.Timestamp;
  let pending = nestedStackIds(resourceFailures(events));
  for (let depth = 0; depth < 5 && pending.length > 0; depth++) {
    const next: string[] = [];
    for (const id of pending) {
      if (found.has(id)) continue;
      const nested = await eventsSince(cfn, id, since);
      found.set(id, nested);
      next.push(...nestedStackIds(resourceFailures(nested)));
    }
    pending = next;
  }
  return found;
}

/** A stack's events since `since` (oldest first), at most a few pages; empty when it cannot be read. */
async function eventsSince(cfn: CloudFormationApi, ref: string, since: Date | undefined): Promise<StackEvent[]> {
  const collected: StackEvent[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < 5; page++) {
      const response = await cfn.describeStackEvents({ StackName: ref, NextToken: token });
      for (const event of response.StackEvents ?? []) {
        if (since && event.Timestamp && new Date(event.Timestamp).getTime() < new Date(since).getTime()) return collected.reverse();
        collected.push(event);
      }
      token = response.NextToken;
      if (!token) break;
    }
  } catch (error) {
    // The root cause is still worth reporting without the nested detail.
    if (!(error instanceof AwsError)) throw error;
  }
  return collected.reverse();
}

function recoveryHint(name: string, status: string): string {
  switch (status) {
    case "ROLLBACK_COMPLETE":
      return `Nothing of stack ${name} was kept (ROLLBACK_COMPLETE). Fix the cause above and re-run the same command: the next run deletes the failed stack and creates it again.`;
    case "ROLLBACK_FAILED":
      return `Stack ${name} could not be rolled back cleanly (ROLLBACK_FAILED). Fix the cause above and re-run the same command: the next run deletes it and creates it again.`;
    case "UPDATE_ROLLBACK_COMPLETE":
      return `Stack ${name} was rolled back and still runs its previous version (UPDATE_ROLLBACK_COMPLETE). Fix the cause above and re-run the same command.`;
    case "UPDATE_ROLLBACK_FAILED":
      return `Stack ${name} is stuck in UPDATE_ROLLBACK_FAILED. Re-running the same command offers to continue the rollback; or run: aws cloudformation continue-update-rollback --stack-name ${name}`;
    case "DELETE_FAILED":
      return `Stack ${name} is in DELETE_FAILED. Fix the cause above (e.g. empty what cannot be deleted) and re-run, or keep those resources: aws cloudformation delete-stack --stack-name ${name} --retain-resources LogicalId ...`;
    default:
      return `Stack ${name} is in ${status}. Fix the cause above and re-run the same command.`;
  }
}

/** True when the stack has resources (entries with a logical id; emulators add nameless ones). */
async function hasResources(cfn: CloudFormationApi, ref: string): Promise<boolean> {
  const page = await cfn.listStackResources({ StackName: ref });
  return (page.StackResourceSummaries ?? []).some((r) => !!r.LogicalResourceId);
}

/** Removes a change set that will not be executed; failing to is not worth failing the command for. */
async function discardChangeSet(cfn: CloudFormationApi, stackRef: string, changeSetRef: string): Promise<void> {
  try {
    await cfn.deleteChangeSet({ StackName: stackRef, ChangeSetName: changeSetRef });
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
  }
}

function isExportInUse(message: string): boolean {
  return /Export\b.*\b(in use by|cannot be deleted)/i.test(message);
}

/** Names the stacks importing this stack's exports, which block its deletion. */
async function exportInUseError(stack: Stack, awsMessage: string, cfn: CloudFormationApi, cause?: unknown): Promise<AwsError> {
  const name = stack.StackName ?? "?";
  const exportNames = (stack.Outputs ?? []).flatMap((o) => (o.ExportName ? [o.ExportName] : []));
  const users = new Map<string, string[]>();
  for (const exportName of exportNames) {
    const importers = await importersOrNone(cfn, exportName);
    if (importers.length > 0) users.set(exportName, importers);
  }
  const stacks = [...new Set([...users.values()].flat())];
  if (stacks.length === 0) {
    return new AwsError(`Stack ${name} cannot be deleted: ${awsMessage}`, {
      cause,
      hint: "Delete or update the stacks that import its exports first, then re-run.",
    });
  }
  const detail = [...users.entries()].map(([exportName, importers]) => `${exportName} (used by ${importers.join(", ")})`).join("; ");
  return new AwsError(`Stack ${name} cannot be deleted: other stacks import its exports: ${detail}.`, {
    cause,
    hint: `Delete ${stacks.join(", ")} first (or update them to stop importing), then re-run.`,
  });
}

/** Stacks importing an export; none when CloudFormation cannot tell either (this only words an error message). */
async function importersOrNone(cfn: CloudFormationApi, exportName: string): Promise<string[]> {
  try {
    return await importersOf(cfn, exportName);
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return [];
  }
}

function toParameters(parameters: StackSpec["parameters"], creating: boolean): Parameter[] {
  return Object.entries(parameters).flatMap(([key, value]): Parameter[] => {
    if (typeof value === "string") return [{ ParameterKey: key, ParameterValue: value }];
    // A new stack has no previous value: leaving the parameter out applies the template's default.
    return creating ? [] : [{ ParameterKey: key, UsePreviousValue: true }];
  });
}

function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** `mlops-20260115T120000123Z`: sortable, unique per run, and valid as a change set name. */
function changeSetNameAt(time: number): string {
  return `mlops-${new Date(time).toISOString().replace(/[-:.]/g, "")}`;
}

/** A `DeclinedError` with a hint; its constructor takes none. */
function declined(message: string, hint: string): DeclinedError {
  const error = new DeclinedError(message);
  Object.defineProperty(error, "hint", { value: hint, enumerable: true });
  return error;
}
