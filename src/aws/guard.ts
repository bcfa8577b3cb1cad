/**
 * Ctrl-C stops changes in one place: every AWS client goes through this
 * guard, which refuses to start any call once the command's signal has
 * aborted (so no change begins after Ctrl-C), and remembers the changes that
 * were started, so the interruption message can say what may still be running
 * in AWS.
 */
import { InterruptedError } from "../errors.js";
import type { AwsClients } from "./interfaces.js";

/** Method-name prefixes of the calls that change something in AWS (the action's verb). */
const MUTATING = /^(create|update|delete|put|authorize|revoke|execute|start|stop|register|deregister|request|add|remove|modify|set|batchDelete|continue|cancel|tag|untag|import|attach|detach|associate|disassociate|release|allocate|run|invoke|send|enable|disable)(?=[A-Z]|$)/;

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
  /** AWS was later seen to have finished the operation (a stack no longer in progress, a task stopped). */
  finished?: boolean;
  /** runTask: the task it started, which runs on after the command ends. */
  task?: { arn: string; cluster: string };
}

/** The changes started so far, newest last. */
export class ChangeLog {
  readonly started: StartedChange[] = [];

  /** The changes whose effect may still be under way in AWS: calls in flight and long-running operations started. */
  mayStillRun(): string[] {
    const lines: string[] = [];
    for (const change of this.started) {
      if (change.finished) continue;
      const what = describeChange(change);
      if (what && !lines.includes(what)) lines.push(what);
    }
    return lines;
  }
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
  if (change.method === "requestCertificate") return undefined;
  if (change.method === "runTask" && change.task) return `the one-off ECS task ${change.task.arn} (it runs to its end; to stop it now: aws ecs stop-task --cluster ${change.task.cluster} --task ${change.task.arn})`;
  return change.inFlight ? `${change.service}.${change.method}${target} (sent just before Ctrl-C)` : undefined;
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

/**
 * What may still run after Ctrl-C: giving back the command's own lease on a
 * base (`/mlops/lease/...`, see deploy/lease.ts: it reads the lease, then
 * deletes its own generation), so that running the same command again does
 * not wait for it to expire. It changes nothing the user deployed and leaves
 * nothing behind.
 */
function releasesOwnLease(service: string, method: string, input: unknown): boolean {
  const { Name: name, Path: path } = (input ?? {}) as { Name?: unknown; Path?: unknown };
  const onLease = (value: unknown) => typeof value === "string" && value.startsWith("/mlops/lease/");
  return service === "ssm" && ((method === "deleteParameter" && onLease(name)) || (method === "getParametersByPath" && onLease(`${String(path)}/`)));
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
        return async (input: unknown) => {
          const mutating = isMutatingCall(property);
          if (signal.aborted && !releasesOwnLease(service, property, input)) {
            throw new InterruptedError(mutating ? `Stopped before ${service}.${property}: no change was started after Ctrl-C.` : "Stopped after Ctrl-C.");
          }
          if (!mutating) {
            const output = await (value as (i: unknown) => Promise<unknown>).call(target, input);
            if (property === "describeStacks") noteStackStates(log, input, output);
            if (property === "describeTasks") noteStoppedTasks(log, output);
            return output;
          }
          const change: StartedChange = { service, method: property, target: targetOf(input), inFlight: true };
          log.started.push(change);
          try {
            const output = await (value as (i: unknown) => Promise<unknown>).call(target, input);
            if (property === "runTask") noteStartedTask(change, input, output);
            return output;
          } finally {
            change.inFlight = false;
          }
        };
      },
    });
  }
  return guarded as unknown as AwsClients;
}
