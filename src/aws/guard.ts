/**
 * Ctrl-C stops changes in one place: every AWS client goes through this
 * guard, which refuses to start any call once the command's signal has
 * aborted (so no change begins after Ctrl-C), and remembers the changes that
 * were started, so the interruption message can say what may still be running
 * in AWS: a request cut short by Ctrl-C was sent, so it is named even though
 * its answer never came. The lease on a base (SSM `/mlops/lease/...`) is
 * followed apart, so the message can say when it was not given back.
 */
import { InterruptedError } from "../errors.js";
import type { AwsClients } from "./interfaces.js";

/** Method-name prefixes of the calls that change something in AWS (the action's verb). */
const MUTATING =
  /^(create|update|delete|put|authorize|revoke|execute|start|stop|register|deregister|request|add|remove|modify|set|batchDelete|continue|cancel|tag|untag|import|attach|detach|associate|disassociate|release|allocate|run|invoke|send|enable|disable)(?=[A-Z]|$)/;

/** True when an AWS call of this (client method) name changes something. */
export function isMutatingCall(method: string): boolean {
  return MUTATING.test(method);
}

/** One change mlops asked AWS to make. */
export interface StartedChange {
  service: string;
  method: string;
  /** The resource it named (stack, pipeline, file system...), when the input names one. */
  target?: string;
  /** Still waiting for AWS's answer. */
  inFlight: boolean;
  /** Cut short by Ctrl-C before AWS answered: the request was sent, so AWS may have received it and be acting on it. */
  unanswered?: boolean;
  /** AWS was later seen to have finished the operation (a stack no longer in progress, a task stopped). */
  finished?: boolean;
  /** runTask: the task it started, which runs on after the command ends. */
  task?: { arn: string; cluster: string };
}

/** A lease on a base (see deploy/lease.ts) this process took and has not been seen to give back. */
export interface HeldLeaseRecord {
  /** The base, e.g. `ep-a-prod`. */
  scope: string;
  /** The generation this process created, `/mlops/lease/<scope>/NNNNNNNNNN`. */
  name: string;
  /** When it expires unless renewed (epoch seconds), as its last write said. */
  expiresAt: number;
}

/** The changes started so far, newest last. */
export class ChangeLog {
  readonly started: StartedChange[] = [];
  /** Leases taken and not (yet) given back, by generation name. */
  readonly leases = new Map<string, HeldLeaseRecord>();

  /** The leases still held: after Ctrl-C, the ones whose give-back was not answered in time. */
  leasesLeft(): HeldLeaseRecord[] {
    return [...this.leases.values()];
  }

  /**
   * The changes whose effect may still be under way in AWS: calls in flight and long-running operations started.
   * A stack operation on a stack that one of `namedElsewhere` names (`stack NAME`, as the workflow that started it
   * says it, e.g. "the creation of stack ep-a-prod") is left out: the list names each stack once.
   */
  mayStillRun(namedElsewhere: string[] = []): string[] {
    const lines: string[] = [];
    for (const change of this.started) {
      if (change.finished) continue;
      if (change.service === "cloudFormation" && change.target && namedElsewhere.some((line) => namesStack(line, stackNameOf(change.target as string))))
        continue;
      const what = describeChange(change);
      if (what && !lines.includes(what)) lines.push(what);
    }
    return lines;
  }
}

/** The stack's name, from its name or its ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`). */
function stackNameOf(target: string): string {
  const match = /^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//.exec(target);
  return match?.[1] ?? target;
}

/** Whether a phrase names the stack as `stack NAME` (not a longer name that starts with it). */
function namesStack(line: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w-])stack ${escaped}(?![\\w-])`).test(line);
}

/** Marks the stack operations of stacks a DescribeStacks answer shows settled (or gone) as finished. */
function noteStackStates(log: ChangeLog, input: unknown, output: unknown): void {
  const asked = (input as { StackName?: string } | undefined)?.StackName;
  const stacks = (output as { Stacks?: { StackName?: string; StackId?: string; StackStatus?: string }[] } | undefined)?.Stacks ?? [];
  for (const change of log.started) {
    if (change.finished || change.service !== "cloudFormation" || !change.target) continue;
    const stack = stacks.find((s) => s.StackName === change.target || s.StackId === change.target);
    if (stack ? !stack.StackStatus?.endsWith("_IN_PROGRESS") : asked === change.target && stacks.length === 0) change.finished = true;
  }
}

/** Remembers the task a RunTask started, so that an interruption names it. */
function noteStartedTask(change: StartedChange, input: unknown, output: unknown): void {
  const arn = (output as { tasks?: { taskArn?: string }[] } | undefined)?.tasks?.[0]?.taskArn;
  const cluster = (input as { cluster?: string } | undefined)?.cluster ?? "default";
  if (arn) change.task = { arn, cluster };
}

/** Marks the one-off tasks a DescribeTasks answer shows STOPPED as finished. */
function noteStoppedTasks(log: ChangeLog, output: unknown): void {
  const tasks = (output as { tasks?: { taskArn?: string; lastStatus?: string }[] } | undefined)?.tasks ?? [];
  for (const change of log.started) {
    if (change.task && tasks.some((t) => t.taskArn === change.task?.arn && t.lastStatus === "STOPPED")) change.finished = true;
  }
}

/** Operations AWS carries on after answering the call. */
function describeChange(change: StartedChange): string | undefined {
  const target = change.target ? ` ${change.target}` : "";
  if (change.method === "executeChangeSet") return `the update of stack${target} (CloudFormation continues it)`;
  if (change.method === "deleteStack") return `the deletion of stack${target} (CloudFormation continues it)`;
  if (change.method === "continueUpdateRollback") return `the rollback of stack${target} (CloudFormation continues it)`;
  if (change.method === "deleteFileSystem") return `the deletion of EFS file system${target}`;
  if (change.method === "runTask" && change.task)
    return `the one-off ECS task ${change.task.arn} (it runs to its end; to stop it now: aws ecs stop-task --cluster ${change.task.cluster} --task ${change.task.arn})`;
  return change.inFlight || change.unanswered
    ? `${change.service}.${change.method}${target} (sent before Ctrl-C and not answered: AWS may have received it)`
    : undefined;
}

function targetOf(input: unknown): string | undefined {
  if (!input || typeof input !== "object") return undefined;
  const record = input as Record<string, unknown>;
  for (const key of ["StackName", "name", "FileSystemId", "GroupId", "repositoryName", "ListenerArn", "DomainName", "logGroupName", "HostedZoneId"]) {
    const value = record[key];
    if (typeof value === "string") return value;
  }
  const pipeline = record.pipeline as { name?: unknown } | undefined;
  return typeof pipeline?.name === "string" ? pipeline.name : undefined;
}

const leasePrefix = "/mlops/lease/";

/**
 * A call on a lease on a base (`/mlops/lease/...`, see deploy/lease.ts):
 * bookkeeping between mlops commands, not a change to what the user deployed,
 * so the summary of changes leaves it out and follows the lease itself.
 */
function isLeaseCall(service: string, input: unknown): boolean {
  const { Name: name, Path: path } = (input ?? {}) as { Name?: unknown; Path?: unknown };
  const onLease = (value: unknown) => typeof value === "string" && value.startsWith(leasePrefix);
  return service === "ssm" && (onLease(name) || onLease(`${String(path)}/`));
}

/**
 * What may still run after Ctrl-C: giving back the command's own lease on a
 * base (it deletes its own generation), so that running the same command
 * again does not wait for it to expire. It changes nothing the user deployed
 * and leaves nothing behind.
 */
function releasesOwnLease(service: string, method: string, input: unknown): boolean {
  return isLeaseCall(service, input) && (method === "deleteParameter" || method === "getParametersByPath");
}

/** Follows the leases this process creates (PutParameter without Overwrite), renews, and deletes. */
async function trackLease(log: ChangeLog, method: string, input: unknown, call: () => Promise<unknown>): Promise<unknown> {
  const { Name: name, Value: value, Overwrite: overwrite } = (input ?? {}) as { Name?: string; Value?: string; Overwrite?: boolean };
  if (method === "deleteParameter" && name) {
    try {
      const output = await call();
      log.leases.delete(name);
      return output;
    } catch (error) {
      if ((error as { code?: unknown }).code === "ParameterNotFound") log.leases.delete(name);
      throw error;
    }
  }
  const output = await call();
  if (method === "putParameter" && name && (!overwrite || log.leases.has(name))) {
    let expiresAt = 0;
    try {
      expiresAt = Number((JSON.parse(value ?? "") as { expiresAt?: unknown }).expiresAt) || 0;
    } catch {
      // Not a claim mlops wrote: nothing to say about its expiry.
    }
    const scope = name.slice(leasePrefix.length, name.lastIndexOf("/"));
    log.leases.set(name, { scope, name, expiresAt });
  }
  return output;
}

/**
 * Wraps every client: after `signal` aborts, no call starts (a change would
 * outlive the command; a read is wasted time), and each change is recorded.
 */
export function guardClients(clients: AwsClients, signal: AbortSignal, log: ChangeLog = new ChangeLog()): AwsClients {
  const guarded: Record<string, unknown> = { ...clients };
  for (const [service, client] of Object.entries(clients)) {
    if (!client || typeof client !== "object") continue;
    guarded[service] = new Proxy(client as object, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== "function" || typeof property !== "string") return value;
        return async (input: unknown, ...rest: unknown[]) => {
          const mutating = isMutatingCall(property);
          if (signal.aborted && !releasesOwnLease(service, property, input)) {
            throw new InterruptedError(mutating ? `Stopped before ${service}.${property}: no change was started after Ctrl-C.` : "Stopped after Ctrl-C.");
          }
          const send = () => (value as (i: unknown, ...r: unknown[]) => Promise<unknown>).call(target, input, ...rest);
          if (isLeaseCall(service, input)) return trackLease(log, property, input, send);
          if (!mutating) {
            const output = await send();
            if (property === "describeStacks") noteStackStates(log, input, output);
            if (property === "describeTasks") noteStoppedTasks(log, output);
            return output;
          }
          const change: StartedChange = { service, method: property, target: targetOf(input), inFlight: true };
          log.started.push(change);
          try {
            const output = await send();
            if (property === "runTask") noteStartedTask(change, input, output);
            return output;
          } catch (error) {
            // Aborted by Ctrl-C: the request went out and its answer never came, so it is still named.
            if (signal.aborted) change.unanswered = true;
            throw error;
          } finally {
            change.inFlight = false;
          }
        };
      },
    });
  }
  return guarded as unknown as AwsClients;
}
