/**
 * Why did a stack operation fail? Pure functions over stack events, so the
 * answer can be tested without AWS. The first resource that failed is the root
 * cause; what failed after it (rollback deletes, other resources) is listed as
 * context; cancellations ("Resource creation cancelled") are noise.
 */
import type { StackEvent } from "../../aws/interfaces.js";

/** The resource type of a (nested) stack. */
export const STACK_RESOURCE_TYPE = "AWS::CloudFormation::Stack";

/** One resource that failed during a stack operation. */
export interface ResourceFailure {
  /** Logical ids of the nested stacks that lead to the resource, outermost first; empty in the root stack. */
  path: string[];
  logicalId: string;
  resourceType: string;
  /** E.g. `CREATE_FAILED`. */
  status: string;
  reason: string;
  physicalId?: string;
}

/** The explanation of a failed stack operation. */
export interface RootCause {
  /** The failure that started it, when a resource event explains it. */
  primary?: ResourceFailure;
  /** Failures after the first one, oldest first. */
  others: ResourceFailure[];
  /** The stack's own reason, given only when no resource event explains the failure. */
  stackReason?: string;
}

/** True for events about the stack itself rather than one of its resources. */
export function isStackEvent(event: StackEvent): boolean {
  if (event.ResourceType !== STACK_RESOURCE_TYPE && event.ResourceType) return false;
  if (event.PhysicalResourceId && event.StackId) return event.PhysicalResourceId === event.StackId;
  // Emulators leave out ids; the stack's own events then carry the stack name as logical id.
  return event.LogicalResourceId === event.StackName;
}

/** True for a failure CloudFormation caused itself because another resource failed first. */
export function isCancellation(event: StackEvent): boolean {
  return /cancelled/i.test(event.ResourceStatusReason ?? "");
}

/** Failed resources among `events` (oldest first), excluding the stack's own events and cancellations. */
export function resourceFailures(events: readonly StackEvent[], path: string[] = []): ResourceFailure[] {
  const failures: ResourceFailure[] = [];
  for (const event of events) {
    const status = event.ResourceStatus ?? "";
    // Emulators send events without a logical id; they cannot name a culprit.
    if (!status.endsWith("_FAILED") || !event.LogicalResourceId || isStackEvent(event) || isCancellation(event)) continue;
    failures.push({
      path,
      logicalId: event.LogicalResourceId,
      resourceType: event.ResourceType ?? "",
      status,
      reason: event.ResourceStatusReason ?? "",
      physicalId: event.PhysicalResourceId || undefined,
    });
  }
  return failures;
}

/** Nested stacks among `failures` whose own events would say more (their stack ids). */
export function nestedStackIds(failures: readonly ResourceFailure[]): string[] {
  return failures.filter((f) => f.resourceType === STACK_RESOURCE_TYPE && f.physicalId).map((f) => f.physicalId as string);
}

/** Options for `findRootCause`. */
export interface RootCauseOptions {
  /** Events of nested stacks (oldest first), keyed by the nested stack's id (its ARN). */
  nestedEvents?: ReadonlyMap<string, readonly StackEvent[]>;
  /** The stack's `StackStatusReason`, used when no resource event explains the failure. */
  stackStatusReason?: string;
}

/** Computes the root cause of a failed operation from its events, oldest first. */
export function findRootCause(events: readonly StackEvent[], options: RootCauseOptions = {}): RootCause {
  const failures = expandNested(resourceFailures(events), options.nestedEvents ?? new Map(), 0);
  const [primary, ...others] = failures;
  if (primary) return { primary, others };
  return { others: [], stackReason: options.stackStatusReason || lastStackReason(events) };
}

const MAX_NESTING = 5;

/** Replaces each failed nested stack by the failures inside it, when its events are known. */
function expandNested(failures: ResourceFailure[], nestedEvents: ReadonlyMap<string, readonly StackEvent[]>, depth: number): ResourceFailure[] {
  return failures.flatMap((failure) => {
    const inner = failure.resourceType === STACK_RESOURCE_TYPE && failure.physicalId ? nestedEvents.get(failure.physicalId) : undefined;
    if (!inner || depth >= MAX_NESTING) return [failure];
    const innerFailures = resourceFailures(inner, [...failure.path, failure.logicalId]);
    // A nested stack whose events show nothing still has its own "Embedded stack ... failed" reason.
    return innerFailures.length > 0 ? expandNested(innerFailures, nestedEvents, depth + 1) : [failure];
  });
}

/** The most recent reason the stack itself gave for a failure or rollback. */
function lastStackReason(events: readonly StackEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as StackEvent;
    const status = event.ResourceStatus ?? "";
    if (isStackEvent(event) && event.ResourceStatusReason && (status.includes("ROLLBACK") || status.endsWith("_FAILED"))) {
      return event.ResourceStatusReason;
    }
  }
  return undefined;
}

/** `Network/NatGateway (AWS::EC2::NatGateway) CREATE_FAILED: reason`. */
export function describeFailure(failure: ResourceFailure): string {
  const name = [...failure.path, failure.logicalId].join("/");
  const type = failure.resourceType ? ` (${failure.resourceType})` : "";
  const reason = failure.reason ? `: ${failure.reason}` : "";
  return `${name}${type} ${failure.status}${reason}`;
}

/** The error message for a failed operation: the root cause first, the other failures after it. */
export function formatRootCause(stackName: string, stackStatus: string, cause: RootCause): string {
  const head = `Stack ${stackName} failed (${stackStatus})`;
  if (!cause.primary) {
    return cause.stackReason ? `${head}: ${cause.stackReason}` : `${head}; CloudFormation gave no reason.`;
  }
  const lines = [`${head}: ${describeFailure(cause.primary)}`];
  if (cause.others.length > 0) {
    lines.push("Also failed:");
    for (const other of cause.others) lines.push(`  - ${describeFailure(other)}`);
  }
  return lines.join("\n");
}
