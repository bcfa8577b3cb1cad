/**
 * A stateful fake of `CloudFormationApi`, for testing the stack step without AWS.
 *
 * Semantics (kept simple and explicit on purpose):
 * - It parses no template. Tests register each template body with `defineTemplate(body, spec)`,
 *   saying which resources it has (logical id, type, `props`), its outputs, its exports and any
 *   scripted failures. Using an unregistered body is a ValidationError. A resource's props may
 *   instead be computed from the stack's parameters (`resolve`; `fakeTemplateOf` in
 *   `template.ts` builds such a template from a real one), so a parameter change alone modifies it.
 * - A Modify change carries `Details` as DescribeChangeSet does: one per changed top-level
 *   property, `RequiresRecreation` Always for the resource's `createOnly` properties (then
 *   `Replacement` True) and Never otherwise, `ChangeSource` ParameterReference with the changed
 *   parameter as `CausingEntity` when `references` names it.
 * - `onApply` is told of every resource a successful operation created or modified, with its
 *   resolved props: the way a fake of the resource's own service (e.g. ECS) sees what it received.
 * - Stacks are found by name (live stacks only) or by stack id (deleted ones too, reading
 *   DELETE_COMPLETE), as in AWS. Unknown → ValidationError "Stack with id X does not exist".
 * - CreateChangeSet with type CREATE puts a new stack in REVIEW_IN_PROGRESS; type UPDATE needs a
 *   stack in an updatable state. Changes are Add/Remove by logical id and Modify where `props`
 *   differ (reporting the new resource's `replacement`). Same body, parameters and tags → the change
 *   set is FAILED with CloudFormation's real "The submitted information didn't contain changes..."
 *   reason; parameters or tags alone changing → an executable change set without resource changes.
 *   A change set reads CREATE_PENDING for `changeSetPolls` DescribeChangeSet calls, then settles.
 *   IAM resources without CAPABILITY_IAM → InsufficientCapabilitiesException.
 * - ExecuteChangeSet, DeleteStack and ContinueUpdateRollback start an operation: the stack enters
 *   its *_IN_PROGRESS status inside the call; the operation's other events are revealed over
 *   `pollsPerOperation` DescribeStacks calls on that stack (0: everything inside the call, as moto
 *   does). Outputs, exports and the resource list change with the last event.
 * - Scripted failures on resources: `fail` makes create/update fail (create → ROLLBACK_COMPLETE,
 *   the next resource is cancelled; update → UPDATE_ROLLBACK_COMPLETE); `rollbackFail` makes the
 *   rollback fail as well (→ ROLLBACK_FAILED / UPDATE_ROLLBACK_FAILED); `deleteFail` makes deleting
 *   it fail (→ DELETE_FAILED) unless it is named in RetainResources. A resource of type
 *   AWS::CloudFormation::Stack with `nested` resources gets a nested stack with its own events.
 * - Exports come from the template's `exports` (output key → export name); `addImport` declares
 *   who imports them. Deleting a stack whose export is imported does what AWS does: the call
 *   succeeds, the stack reads DELETE_IN_PROGRESS, then its previous status again with the reason
 *   "Export X cannot be deleted as it is in use by Y"; nothing is deleted.
 * - `emulatorQuirks` mimics moto: only the stack's own events are recorded, and ListStackResources
 *   includes an entry with an empty logical id and type.
 * - `failNext(method, error)` makes the next call of that method reject (e.g. throttling).
 * - `beforeNext(method, hook)` runs `hook` when that method is next called, before it does anything:
 *   the way to script another client acting between two of ours.
 * - `updateByOther(name, parameters)` is another client's `update-stack --use-previous-template`
 *   (the pipeline's build setting APITag): it needs an updatable stack, starts an update like
 *   ExecuteChangeSet does, and spoils the stack's change sets as AWS does: a computed one turns
 *   ExecutionStatus OBSOLETE (executing it is InvalidChangeSetStatus), one still CREATE_PENDING
 *   ends FAILED with the "... is in UPDATE_IN_PROGRESS state and can not be updated." reason.
 * Errors are `AwsError`s with CloudFormation's codes, their messages prefixed as the real adapter does.
 */
import type * as cfn from "@aws-sdk/client-cloudformation";
import type { CloudFormationApi } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

/** One resource of a registered template. */
export interface FakeResource {
  logicalId: string;
  type: string;
  /** Anything; a resource whose props differ between two templates is modified. */
  props?: unknown;
  /**
   * Props computed from the stack's parameters, as CloudFormation resolves `Ref`, `Fn::If`
   * and `AWS::NoValue` (takes precedence over `props`): a parameter change alone then
   * modifies the resource.
   */
  resolve?: (parameters: Record<string, string>) => Record<string, unknown>;
  /** Top-level properties that are create-only: changing one replaces the resource (RequiresRecreation Always). */
  createOnly?: string[];
  /** Top-level property → the parameters it references, for a change's CausingEntity. */
  references?: Record<string, string[]>;
  /** What the change set reports when this resource is modified. */
  replacement?: "True" | "False" | "Conditional";
  /** Creating or updating it fails with this reason. */
  fail?: string;
  /** Rolling it back fails with this reason. */
  rollbackFail?: string;
  /** Deleting it fails with this reason. */
  deleteFail?: string;
  /** For AWS::CloudFormation::Stack: the nested stack's resources. */
  nested?: FakeResource[];
}

/** What a template body stands for. */
export interface FakeTemplate {
  resources: FakeResource[];
  /** Outputs the stack has once this template is deployed. */
  outputs?: Record<string, string>;
  /** Output key → export name. */
  exports?: Record<string, string>;
  /** The change set fails with this reason (e.g. a template error). */
  changeSetFailure?: string;
}

/** Behaviour switches. */
export interface FakeCloudFormationOptions {
  /** DescribeStacks calls an operation takes to finish; 0 = done inside the API call (like moto). Default 3. */
  pollsPerOperation?: number;
  /** DescribeChangeSet calls that read CREATE_PENDING. Default 1. */
  changeSetPolls?: number;
  /** Only stack events, and a nameless resource entry (like moto). */
  emulatorQuirks?: boolean;
  /** Page size of DescribeStackEvents and DescribeChangeSet. Default 100. */
  pageSize?: number;
  /** Time for event timestamps; pass a FakeClock's. Default Date.now. */
  now?: () => number;
  /** Called when an operation succeeds, for each resource it created or modified, with its resolved props. */
  onApply?: (applied: AppliedResource) => void;
}

/** A resource a successful operation created or modified (what the resource's own API received). */
export interface AppliedResource {
  stackName: string;
  logicalId: string;
  type: string;
  action: "Add" | "Modify";
  props: unknown;
}

/** What `putStack` seeds. */
export interface SeedStack {
  name: string;
  status: string;
  /** A registered template body; its resources exist unless the status says nothing does. */
  templateBody?: string;
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
  reason?: string;
  /** Resources whose rollback failed (for UPDATE_ROLLBACK_FAILED). */
  rollbackFailed?: string[];
  /** Start an operation now: the stack reads `status` until it ends in `finalStatus`. */
  busyUntil?: string;
}

interface PendingEvent {
  logicalId: string;
  type: string;
  status: string;
  reason?: string;
  physicalId?: string;
  root: boolean;
}

interface Operation {
  queue: PendingEvent[];
  perPoll: number;
  onDone: () => void;
}

interface LiveResource {
  resource: FakeResource;
  status: string;
  physicalId: string;
}

interface FakeChangeSet {
  id: string;
  name: string;
  type: "CREATE" | "UPDATE";
  templateBody: string;
  template: FakeTemplate;
  parameters: cfn.Parameter[];
  tags: cfn.Tag[];
  changes: cfn.Change[];
  status: string;
  executionStatus: "AVAILABLE" | "UNAVAILABLE" | "OBSOLETE";
  reason?: string;
  pollsLeft: number;
}

/** A stack as the fake keeps it; exposed read-only for assertions. */
export interface FakeStackState {
  id: string;
  name: string;
  status: string;
  reason?: string;
  templateBody?: string;
  template: FakeTemplate;
  live: Map<string, LiveResource>;
  parameters: cfn.Parameter[];
  tags: cfn.Tag[];
  outputs: Record<string, string>;
  exports: Record<string, string>;
  /** Newest first, as DescribeStackEvents returns them. */
  events: cfn.StackEvent[];
  changeSets: Map<string, FakeChangeSet>;
  operation?: Operation;
  rollbackFailed: string[];
  deleted: boolean;
  creationTime: Date;
}

const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";
const UPDATABLE = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"]);
const STACK_TYPE = "AWS::CloudFormation::Stack";

type Method = keyof CloudFormationApi;

/** The fake; see the file header for its semantics. */
export class FakeCloudFormation implements CloudFormationApi {
  /** Every call, in order. */
  readonly calls: { method: Method; input: unknown }[] = [];
  private readonly templates = new Map<string, FakeTemplate>();
  private readonly stacks: FakeStackState[] = [];
  private readonly imports = new Map<string, string[]>();
  private readonly scripted = new Map<Method, Error[]>();
  private readonly hooks = new Map<Method, (() => void)[]>();
  private counter = 0;

  constructor(private readonly options: FakeCloudFormationOptions = {}) {}

  // ---- set-up and inspection for tests ----

  /** Registers what a template body contains; returns the body. */
  defineTemplate(body: string, template: FakeTemplate): string {
    this.templates.set(body, template);
    return body;
  }

  /** Puts a stack in a given state, optionally in the middle of an operation. */
  putStack(seed: SeedStack): FakeStackState {
    const template = seed.templateBody ? this.requireTemplate(seed.templateBody, "putStack") : { resources: [] };
    const stack = this.newStack(seed.name, seed.status);
    stack.reason = seed.reason;
    stack.templateBody = seed.templateBody;
    stack.template = template;
    stack.parameters = Object.entries(seed.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    stack.tags = Object.entries(seed.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    stack.rollbackFailed = seed.rollbackFailed ?? [];
    const empty = ["REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_COMPLETE"].includes(seed.status);
    if (!empty) {
      for (const r of template.resources) stack.live.set(r.logicalId, { resource: r, status: "CREATE_COMPLETE", physicalId: this.physicalId(stack, r) });
      stack.outputs = { ...(template.outputs ?? {}) };
      stack.exports = { ...(template.exports ?? {}) };
    }
    if (seed.busyUntil) {
      const verb = seed.status.split("_")[0] ?? "UPDATE";
      const events: PendingEvent[] = [this.rootEvent(stack, seed.status, "User Initiated")];
      for (const live of stack.live.values()) {
        events.push(this.resourceEvent(live.resource, `${verb}_IN_PROGRESS`, undefined, live.physicalId));
        events.push(this.resourceEvent(live.resource, `${verb}_COMPLETE`, undefined, live.physicalId));
      }
      events.push(this.rootEvent(stack, seed.busyUntil));
      const final = seed.busyUntil;
      this.start(stack, events, () => {
        if (final === "DELETE_COMPLETE") this.markDeleted(stack);
      });
    } else {
      this.recordEvent(stack, this.rootEvent(stack, seed.status, seed.reason));
    }
    return stack;
  }

  /** Declares that `importingStack` imports `exportName`. */
  addImport(exportName: string, importingStack: string): void {
    this.imports.set(exportName, [...(this.imports.get(exportName) ?? []), importingStack]);
  }

  /** Removes every import of `exportName`. */
  removeImports(exportName: string): void {
    this.imports.delete(exportName);
  }

  /** The next call of `method` rejects with `error`. */
  failNext(method: Method, error: Error): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), error]);
  }

  /** When `method` is next called, runs `hook` first (e.g. another client changing the stack). */
  beforeNext(method: Method, hook: () => void): void {
    this.hooks.set(method, [...(this.hooks.get(method) ?? []), hook]);
  }

  /** Another client's `update-stack --use-previous-template` with these parameter values (the others kept); see the header. */
  updateByOther(nameOrId: string, parameters: Record<string, string>): void {
    const op = "UpdateStack";
    const stack = this.require(nameOrId, op);
    if (!UPDATABLE.has(stack.status) || stack.operation)
      throw error(op, "ValidationError", `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    const merged = stack.parameters.map((p) =>
      p.ParameterKey && p.ParameterKey in parameters ? { ParameterKey: p.ParameterKey, ParameterValue: parameters[p.ParameterKey] } : p,
    );
    if (sameList(stack.parameters, merged)) throw error(op, "ValidationError", "No updates are to be performed.");
    const update: FakeChangeSet = {
      id: `arn:aws:cloudformation:us-east-1:123456789012:changeSet/other-${this.nextId()}`,
      name: "(update-stack)",
      type: "UPDATE",
      templateBody: stack.templateBody ?? "",
      template: stack.template,
      parameters: merged,
      tags: stack.tags,
      changes: [],
      status: "CREATE_COMPLETE",
      executionStatus: "AVAILABLE",
      pollsLeft: 0,
    };
    this.runUpdate(stack, update);
    for (const changeSet of stack.changeSets.values()) {
      if (changeSet.status === "FAILED") continue;
      if (changeSet.pollsLeft > 0) {
        changeSet.status = "FAILED";
        changeSet.executionStatus = "UNAVAILABLE";
        changeSet.reason = `Stack:${stack.id} is in UPDATE_IN_PROGRESS state and can not be updated.`;
      } else {
        changeSet.executionStatus = "OBSOLETE";
      }
    }
  }

  /** The live stack named `name` (or any stack by id), for assertions. */
  stack(nameOrId: string): FakeStackState | undefined {
    return this.find(nameOrId);
  }

  /** Calls of one method, for assertions. */
  callsOf(method: Method): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }

  // ---- CloudFormationApi ----

  async describeStacks(input: cfn.DescribeStacksInput): Promise<cfn.DescribeStacksOutput> {
    this.enter("describeStacks", input);
    if (!input.StackName) return { Stacks: this.stacks.filter((s) => !s.deleted).map((s) => this.describe(s)) };
    const stack = this.require(input.StackName, "DescribeStacks");
    this.advance(stack);
    return { Stacks: [this.describe(stack)] };
  }

  async createChangeSet(input: cfn.CreateChangeSetInput): Promise<cfn.CreateChangeSetOutput> {
    this.enter("createChangeSet", input);
    const op = "CreateChangeSet";
    const name = input.StackName ?? "";
    const body = input.TemplateBody ?? "";
    const template = this.requireTemplate(body, op);
    const type = input.ChangeSetType === "CREATE" ? "CREATE" : "UPDATE";
    let stack = this.find(name);
    if (type === "CREATE") {
      if (stack && stack.status !== "REVIEW_IN_PROGRESS") throw error(op, "AlreadyExistsException", `Stack [${name}] already exists`);
      if ((input.Parameters ?? []).some((p) => p.UsePreviousValue)) throw error(op, "ValidationError", "UsePreviousValue is not allowed when creating a stack");
      if (!stack) {
        stack = this.newStack(name, "REVIEW_IN_PROGRESS");
        this.recordEvent(stack, this.rootEvent(stack, "REVIEW_IN_PROGRESS", "User Initiated"));
      }
    } else {
      if (!stack) throw error(op, "ValidationError", `Stack [${name}] does not exist`);
      if (!UPDATABLE.has(stack.status)) throw error(op, "ValidationError", `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    const changeSetName = input.ChangeSetName ?? "";
    if (stack.changeSets.has(changeSetName)) throw error(op, "AlreadyExistsException", `ChangeSet ${changeSetName} already exists`);
    const capabilities = input.Capabilities ?? [];
    if (template.resources.some((r) => r.type.startsWith("AWS::IAM::")) && !capabilities.some((c) => c === "CAPABILITY_IAM" || c === "CAPABILITY_NAMED_IAM")) {
      throw error(op, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]");
    }

    const parameters = (input.Parameters ?? []).map((p) => {
      if (!p.UsePreviousValue) return { ParameterKey: p.ParameterKey, ParameterValue: p.ParameterValue };
      const previous = stack?.parameters.find((q) => q.ParameterKey === p.ParameterKey);
      return { ParameterKey: p.ParameterKey, ParameterValue: previous?.ParameterValue };
    });
    const tags = input.Tags ?? [];
    const changes = this.diff(stack.template.resources, record(stack.parameters), template.resources, record(parameters));
    const same = type === "UPDATE" && stack.templateBody === body && sameList(stack.parameters, parameters) && sameList(stack.tags, tags);
    const failure = template.changeSetFailure ?? (same ? NO_CHANGES : undefined);
    const changeSet: FakeChangeSet = {
      id: `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${changeSetName}/${this.nextId()}`,
      name: changeSetName,
      type,
      templateBody: body,
      template,
      parameters,
      tags,
      changes,
      status: failure ? "FAILED" : "CREATE_COMPLETE",
      executionStatus: failure ? "UNAVAILABLE" : "AVAILABLE",
      reason: failure,
      pollsLeft: this.options.changeSetPolls ?? 1,
    };
    stack.changeSets.set(changeSetName, changeSet);
    return { Id: changeSet.id, StackId: stack.id };
  }

  async describeChangeSet(input: cfn.DescribeChangeSetInput): Promise<cfn.DescribeChangeSetOutput> {
    this.enter("describeChangeSet", input);
    const { stack, changeSet } = this.requireChangeSet(input.ChangeSetName ?? "", input.StackName, "DescribeChangeSet");
    const base = {
      ChangeSetName: changeSet.name,
      ChangeSetId: changeSet.id,
      StackId: stack.id,
      StackName: stack.name,
      Parameters: changeSet.parameters,
      Tags: changeSet.tags,
    };
    if (changeSet.pollsLeft > 0) {
      changeSet.pollsLeft--;
      return { ...base, Status: "CREATE_PENDING", ExecutionStatus: "UNAVAILABLE", Changes: [] };
    }
    const size = this.options.pageSize ?? 100;
    const start = Number(input.NextToken ?? 0);
    const end = start + size;
    return {
      ...base,
      Status: changeSet.status as cfn.ChangeSetStatus,
      StatusReason: changeSet.reason,
      ExecutionStatus: changeSet.executionStatus,
      Changes: changeSet.changes.slice(start, end),
      NextToken: end < changeSet.changes.length ? String(end) : undefined,
    };
  }

  async executeChangeSet(input: cfn.ExecuteChangeSetInput): Promise<cfn.ExecuteChangeSetOutput> {
    this.enter("executeChangeSet", input);
    const op = "ExecuteChangeSet";
    const { stack, changeSet } = this.requireChangeSet(input.ChangeSetName ?? "", input.StackName, op);
    if (changeSet.status !== "CREATE_COMPLETE" || changeSet.pollsLeft > 0) {
      throw error(
        op,
        "InvalidChangeSetStatusException",
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.pollsLeft > 0 ? "CREATE_PENDING" : changeSet.status}]`,
      );
    }
    if (changeSet.executionStatus !== "AVAILABLE") {
      throw error(
        op,
        "InvalidChangeSetStatusException",
        `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`,
      );
    }
    if (stack.operation) throw error(op, "ValidationError", `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    // CloudFormation drops every change set of a stack once one is executed.
    stack.changeSets.clear();
    if (changeSet.type === "CREATE") this.runCreate(stack, changeSet);
    else this.runUpdate(stack, changeSet);
    return {};
  }

  async deleteChangeSet(input: cfn.DeleteChangeSetInput): Promise<cfn.DeleteChangeSetOutput> {
    this.enter("deleteChangeSet", input);
    const { stack, changeSet } = this.requireChangeSet(input.ChangeSetName ?? "", input.StackName, "DeleteChangeSet");
    stack.changeSets.delete(changeSet.name);
    return {};
  }

  async deleteStack(input: cfn.DeleteStackInput): Promise<unknown> {
    this.enter("deleteStack", input);
    const op = "DeleteStack";
    const stack = this.find(input.StackName ?? "");
    // Deleting a stack that does not exist, or is being deleted, succeeds and does nothing.
    if (!stack || stack.deleted || stack.status === "DELETE_IN_PROGRESS") return {};
    if (stack.operation) throw error(op, "ValidationError", `Stack [${stack.name}] cannot be deleted while in status ${stack.status}`);
    for (const exportName of Object.values(stack.exports)) {
      const importers = this.imports.get(exportName) ?? [];
      if (importers.length === 0) continue;
      // As in AWS: the call succeeds, the stack goes back to where it was, and only its reason says why.
      const previous = stack.status;
      const names = importers.length > 1 ? `${importers.slice(0, -1).join(", ")} and ${importers.at(-1) ?? ""}` : (importers[0] ?? "");
      const reason = `Export ${exportName} cannot be deleted as it is in use by ${names}`;
      this.start(stack, [this.rootEvent(stack, "DELETE_IN_PROGRESS", "User Initiated"), this.rootEvent(stack, previous, reason)], () => {});
      return {};
    }
    const retain = new Set(input.RetainResources ?? []);
    if (retain.size > 0 && stack.status !== "DELETE_FAILED") {
      throw error(
        op,
        "ValidationError",
        `Invalid operation on stack [${stack.id}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`,
      );
    }

    const events: PendingEvent[] = [this.rootEvent(stack, "DELETE_IN_PROGRESS", "User Initiated")];
    const failed: string[] = [];
    for (const live of [...stack.live.values()].reverse()) {
      if (retain.has(live.resource.logicalId)) {
        events.push(this.resourceEvent(live.resource, "DELETE_SKIPPED", undefined, live.physicalId));
        continue;
      }
      events.push(this.resourceEvent(live.resource, "DELETE_IN_PROGRESS", undefined, live.physicalId));
      if (live.resource.deleteFail) {
        events.push(this.resourceEvent(live.resource, "DELETE_FAILED", live.resource.deleteFail, live.physicalId));
        failed.push(live.resource.logicalId);
      } else {
        events.push(this.resourceEvent(live.resource, "DELETE_COMPLETE", undefined, live.physicalId));
      }
    }
    if (failed.length > 0) {
      events.push(this.rootEvent(stack, "DELETE_FAILED", `The following resource(s) failed to delete: [${failed.join(", ")}]. `));
    } else {
      events.push(this.rootEvent(stack, "DELETE_COMPLETE"));
    }
    this.start(stack, events, () => {
      for (const id of [...stack.live.keys()]) if (!failed.includes(id)) stack.live.delete(id);
      if (failed.length === 0) this.markDeleted(stack);
    });
    return {};
  }

  async describeStackEvents(input: cfn.DescribeStackEventsInput): Promise<cfn.DescribeStackEventsOutput> {
    this.enter("describeStackEvents", input);
    const stack = this.require(input.StackName ?? "", "DescribeStackEvents");
    const size = this.options.pageSize ?? 100;
    const start = Number(input.NextToken ?? 0);
    const end = start + size;
    return { StackEvents: stack.events.slice(start, end), NextToken: end < stack.events.length ? String(end) : undefined };
  }

  async listStackResources(input: cfn.ListStackResourcesInput): Promise<cfn.ListStackResourcesOutput> {
    this.enter("listStackResources", input);
    const stack = this.require(input.StackName ?? "", "ListStackResources");
    const summaries: cfn.StackResourceSummary[] = [...stack.live.values()].map((live) => ({
      LogicalResourceId: live.resource.logicalId,
      ResourceType: live.resource.type,
      ResourceStatus: live.status as cfn.ResourceStatus,
      PhysicalResourceId: live.physicalId,
      LastUpdatedTimestamp: new Date(this.now()),
    }));
    if (this.options.emulatorQuirks) {
      summaries.unshift({
        LogicalResourceId: "",
        ResourceType: "",
        ResourceStatus: "CREATE_COMPLETE",
        PhysicalResourceId: "",
        LastUpdatedTimestamp: new Date(this.now()),
      });
    }
    return { StackResourceSummaries: summaries };
  }

  async listExports(input: cfn.ListExportsInput): Promise<cfn.ListExportsOutput> {
    this.enter("listExports", input);
    const exports: cfn.Export[] = [];
    for (const stack of this.stacks) {
      if (stack.deleted) continue;
      for (const [key, name] of Object.entries(stack.exports)) exports.push({ ExportingStackId: stack.id, Name: name, Value: stack.outputs[key] ?? "" });
    }
    return { Exports: exports };
  }

  async listImports(input: cfn.ListImportsInput): Promise<cfn.ListImportsOutput> {
    this.enter("listImports", input);
    const importers = this.imports.get(input.ExportName ?? "") ?? [];
    if (importers.length === 0) throw error("ListImports", "ValidationError", `Export '${input.ExportName ?? ""}' is not imported by any stack.`);
    return { Imports: importers };
  }

  async continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput): Promise<cfn.ContinueUpdateRollbackOutput> {
    this.enter("continueUpdateRollback", input);
    const op = "ContinueUpdateRollback";
    const stack = this.require(input.StackName ?? "", op);
    if (stack.status !== "UPDATE_ROLLBACK_FAILED") {
      throw error(op, "ValidationError", `Stack ${stack.id} is in ${stack.status} state and can not continue update rollback.`);
    }
    const skip = new Set(input.ResourcesToSkip ?? []);
    const events: PendingEvent[] = [this.rootEvent(stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")];
    for (const logicalId of stack.rollbackFailed) {
      const live = stack.live.get(logicalId);
      const resource = live?.resource ?? { logicalId, type: "" };
      if (skip.has(logicalId)) {
        events.push(this.resourceEvent(resource, "UPDATE_COMPLETE", "Resource skipped during rollback", live?.physicalId));
      } else {
        events.push(this.resourceEvent(resource, "UPDATE_IN_PROGRESS", undefined, live?.physicalId));
        events.push(this.resourceEvent(resource, "UPDATE_COMPLETE", undefined, live?.physicalId));
      }
    }
    events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"));
    events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_COMPLETE"));
    this.start(stack, events, () => {
      stack.rollbackFailed = [];
    });
    return {};
  }

  async getTemplate(input: cfn.GetTemplateInput): Promise<cfn.GetTemplateOutput> {
    this.enter("getTemplate", input);
    const stack = this.require(input.StackName ?? "", "GetTemplate");
    return { TemplateBody: stack.templateBody };
  }

  // ---- operations ----

  private runCreate(stack: FakeStackState, changeSet: FakeChangeSet): void {
    const events: PendingEvent[] = [this.rootEvent(stack, "CREATE_IN_PROGRESS", "User Initiated")];
    const created: { resource: FakeResource; physicalId: string }[] = [];
    const resources = changeSet.template.resources;
    let failed: FakeResource | undefined;
    for (let i = 0; i < resources.length; i++) {
      const resource = resources[i] as FakeResource;
      const physicalId = this.physicalId(stack, resource);
      events.push(this.resourceEvent(resource, "CREATE_IN_PROGRESS", undefined, physicalId));
      const reason = this.failureOf(resource, stack, physicalId);
      if (reason) {
        events.push(this.resourceEvent(resource, "CREATE_FAILED", reason, physicalId));
        failed = resource;
        const next = resources[i + 1];
        if (next) {
          events.push(this.resourceEvent(next, "CREATE_IN_PROGRESS"));
          events.push(this.resourceEvent(next, "CREATE_FAILED", "Resource creation cancelled"));
        }
        break;
      }
      events.push(this.resourceEvent(resource, "CREATE_COMPLETE", undefined, physicalId));
      created.push({ resource, physicalId });
    }

    if (!failed) {
      events.push(this.rootEvent(stack, "CREATE_COMPLETE"));
      this.start(stack, events, () => {
        this.commit(stack, changeSet, created);
        for (const item of created) this.applied(stack, item.resource, "Add", changeSet);
      });
      return;
    }
    events.push(
      this.rootEvent(stack, "ROLLBACK_IN_PROGRESS", `The following resource(s) failed to create: [${failed.logicalId}]. Rollback requested by user.`),
    );
    const stuck: { resource: FakeResource; physicalId: string }[] = [];
    for (const item of [...created].reverse()) {
      events.push(this.resourceEvent(item.resource, "DELETE_IN_PROGRESS", undefined, item.physicalId));
      if (item.resource.rollbackFail) {
        events.push(this.resourceEvent(item.resource, "DELETE_FAILED", item.resource.rollbackFail, item.physicalId));
        stuck.push(item);
      } else {
        events.push(this.resourceEvent(item.resource, "DELETE_COMPLETE", undefined, item.physicalId));
      }
    }
    events.push(this.resourceEvent(failed, "DELETE_COMPLETE"));
    if (stuck.length > 0) {
      events.push(
        this.rootEvent(stack, "ROLLBACK_FAILED", `The following resource(s) failed to delete: [${stuck.map((s) => s.resource.logicalId).join(", ")}]. `),
      );
    } else {
      events.push(this.rootEvent(stack, "ROLLBACK_COMPLETE"));
    }
    this.start(stack, events, () => {
      stack.templateBody = changeSet.templateBody;
      stack.template = changeSet.template;
      stack.parameters = changeSet.parameters;
      stack.tags = changeSet.tags;
      for (const item of stuck) stack.live.set(item.resource.logicalId, { ...item, status: "DELETE_FAILED" });
    });
  }

  private runUpdate(stack: FakeStackState, changeSet: FakeChangeSet): void {
    const old = new Map(stack.template.resources.map((r) => [r.logicalId, r]));
    const events: PendingEvent[] = [this.rootEvent(stack, "UPDATE_IN_PROGRESS", "User Initiated")];
    const done: { resource: FakeResource; action: "Add" | "Modify"; physicalId: string }[] = [];
    let failed: { resource: FakeResource; action: "Add" | "Modify"; physicalId: string } | undefined;
    for (const resource of changeSet.template.resources) {
      const before = old.get(resource.logicalId);
      const beforeProps = before && propsOf(before, record(stack.parameters));
      const action = !before ? "Add" : JSON.stringify(beforeProps) !== JSON.stringify(propsOf(resource, record(changeSet.parameters))) ? "Modify" : undefined;
      if (!action) continue;
      const physicalId = stack.live.get(resource.logicalId)?.physicalId ?? this.physicalId(stack, resource);
      const verb = action === "Add" ? "CREATE" : "UPDATE";
      if (action === "Modify" && replacementOf(resource, beforeProps, propsOf(resource, record(changeSet.parameters))) === "True") {
        events.push(
          this.resourceEvent(
            resource,
            "UPDATE_IN_PROGRESS",
            "Requested update requires the creation of a new physical resource; hence creating one.",
            physicalId,
          ),
        );
      }
      events.push(this.resourceEvent(resource, `${verb}_IN_PROGRESS`, undefined, physicalId));
      const reason = this.failureOf(resource, stack, physicalId);
      if (reason) {
        events.push(this.resourceEvent(resource, `${verb}_FAILED`, reason, physicalId));
        failed = { resource, action, physicalId };
        break;
      }
      events.push(this.resourceEvent(resource, `${verb}_COMPLETE`, undefined, physicalId));
      done.push({ resource, action, physicalId });
    }

    if (!failed) {
      events.push(this.rootEvent(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
      const kept = new Set(changeSet.template.resources.map((r) => r.logicalId));
      for (const [logicalId, live] of stack.live) {
        if (kept.has(logicalId)) continue;
        events.push(this.resourceEvent(live.resource, "DELETE_IN_PROGRESS", undefined, live.physicalId));
        events.push(
          this.resourceEvent(live.resource, live.resource.deleteFail ? "DELETE_FAILED" : "DELETE_COMPLETE", live.resource.deleteFail, live.physicalId),
        );
      }
      events.push(this.rootEvent(stack, "UPDATE_COMPLETE"));
      const resulting = changeSet.template.resources.map((resource) => ({
        resource,
        physicalId: stack.live.get(resource.logicalId)?.physicalId ?? this.physicalId(stack, resource),
      }));
      this.start(stack, events, () => {
        this.commit(stack, changeSet, resulting);
        for (const item of done) this.applied(stack, item.resource, item.action, changeSet);
      });
      return;
    }

    const verb = failed.action === "Add" ? "create" : "update";
    events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_IN_PROGRESS", `The following resource(s) failed to ${verb}: [${failed.resource.logicalId}]. `));
    const touched = [...done, failed];
    const rollbackFailed: string[] = [];
    for (const item of [...touched].reverse()) {
      if (item.action !== "Modify") continue;
      events.push(this.resourceEvent(item.resource, "UPDATE_IN_PROGRESS", undefined, item.physicalId));
      if (item.resource.rollbackFail) {
        events.push(this.resourceEvent(item.resource, "UPDATE_FAILED", item.resource.rollbackFail, item.physicalId));
        rollbackFailed.push(item.resource.logicalId);
      } else {
        events.push(this.resourceEvent(item.resource, "UPDATE_COMPLETE", undefined, item.physicalId));
      }
    }
    if (rollbackFailed.length > 0) {
      events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_FAILED", `The following resource(s) failed to update: [${rollbackFailed.join(", ")}]. `));
      this.start(stack, events, () => {
        stack.rollbackFailed = rollbackFailed;
      });
      return;
    }
    events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"));
    for (const item of [...touched].reverse()) {
      if (item.action !== "Add") continue;
      events.push(this.resourceEvent(item.resource, "DELETE_IN_PROGRESS", undefined, item.physicalId));
      events.push(this.resourceEvent(item.resource, "DELETE_COMPLETE", undefined, item.physicalId));
    }
    events.push(this.rootEvent(stack, "UPDATE_ROLLBACK_COMPLETE"));
    this.start(stack, events, () => {});
  }

  /** The reason a resource fails; a nested stack fails when one of its resources does (and gets its own events). */
  private failureOf(resource: FakeResource, parent: FakeStackState, physicalId: string): string | undefined {
    if (resource.fail) return resource.fail;
    if (resource.type !== STACK_TYPE || !resource.nested) return undefined;
    const child = this.newStack(`${parent.name}-${resource.logicalId}`, "CREATE_IN_PROGRESS", physicalId);
    this.recordEvent(child, this.rootEvent(child, "CREATE_IN_PROGRESS", "User Initiated"));
    for (const inner of resource.nested) {
      const innerId = this.physicalId(child, inner);
      this.recordEvent(child, this.resourceEvent(inner, "CREATE_IN_PROGRESS", undefined, innerId));
      const reason = this.failureOf(inner, child, innerId);
      if (reason) {
        this.recordEvent(child, this.resourceEvent(inner, "CREATE_FAILED", reason, innerId));
        this.recordEvent(child, this.rootEvent(child, "ROLLBACK_IN_PROGRESS", `The following resource(s) failed to create: [${inner.logicalId}]. `));
        this.recordEvent(child, this.rootEvent(child, "ROLLBACK_COMPLETE"));
        return `Embedded stack ${child.id} was not successfully created: The following resource(s) failed to create: [${inner.logicalId}]. `;
      }
      this.recordEvent(child, this.resourceEvent(inner, "CREATE_COMPLETE", undefined, innerId));
    }
    this.recordEvent(child, this.rootEvent(child, "CREATE_COMPLETE"));
    return undefined;
  }

  private commit(stack: FakeStackState, changeSet: FakeChangeSet, resources: { resource: FakeResource; physicalId: string }[]): void {
    stack.templateBody = changeSet.templateBody;
    stack.template = changeSet.template;
    stack.parameters = changeSet.parameters;
    stack.tags = changeSet.tags;
    stack.outputs = { ...(changeSet.template.outputs ?? {}) };
    stack.exports = { ...(changeSet.template.exports ?? {}) };
    stack.live = new Map(resources.map((r) => [r.resource.logicalId, { ...r, status: changeSet.type === "CREATE" ? "CREATE_COMPLETE" : "UPDATE_COMPLETE" }]));
  }

  /** Applies the first event now, the rest over the next polls. */
  private start(stack: FakeStackState, events: PendingEvent[], onDone: () => void): void {
    const [first, ...rest] = events;
    if (first) this.recordEvent(stack, first);
    const polls = this.options.pollsPerOperation ?? 3;
    if (polls <= 0 || rest.length === 0) {
      for (const event of rest) this.recordEvent(stack, event);
      onDone();
      return;
    }
    stack.operation = { queue: rest, perPoll: Math.ceil(rest.length / polls), onDone };
  }

  private advance(stack: FakeStackState): void {
    const operation = stack.operation;
    if (!operation) return;
    for (const event of operation.queue.splice(0, operation.perPoll)) this.recordEvent(stack, event);
    if (operation.queue.length === 0) {
      stack.operation = undefined;
      operation.onDone();
    }
  }

  // ---- helpers ----

  private enter(method: Method, input: unknown): void {
    this.calls.push({ method, input });
    this.hooks.get(method)?.shift()?.();
    const queued = this.scripted.get(method);
    const next = queued?.shift();
    if (next) throw next;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private nextId(): string {
    this.counter++;
    return `00000000-0000-4000-8000-${String(this.counter).padStart(12, "0")}`;
  }

  private newStack(name: string, status: string, id?: string): FakeStackState {
    const stack: FakeStackState = {
      id: id ?? `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${this.nextId()}`,
      name,
      status,
      template: { resources: [] },
      live: new Map(),
      parameters: [],
      tags: [],
      outputs: {},
      exports: {},
      events: [],
      changeSets: new Map(),
      rollbackFailed: [],
      deleted: false,
      creationTime: new Date(this.now()),
    };
    this.stacks.push(stack);
    return stack;
  }

  private markDeleted(stack: FakeStackState): void {
    stack.deleted = true;
    stack.live.clear();
    stack.exports = {};
    stack.outputs = {};
  }

  private physicalId(stack: FakeStackState, resource: FakeResource): string {
    if (resource.type === STACK_TYPE) return `arn:aws:cloudformation:us-east-1:123456789012:stack/${stack.name}-${resource.logicalId}/${this.nextId()}`;
    return `${stack.name}-${resource.logicalId}-${this.counter++}`;
  }

  private rootEvent(stack: FakeStackState, status: string, reason?: string): PendingEvent {
    return { logicalId: stack.name, type: STACK_TYPE, status, reason, physicalId: stack.id, root: true };
  }

  private resourceEvent(resource: FakeResource, status: string, reason?: string, physicalId?: string): PendingEvent {
    return { logicalId: resource.logicalId, type: resource.type, status, reason, physicalId, root: false };
  }

  private recordEvent(stack: FakeStackState, event: PendingEvent): void {
    if (event.root) {
      stack.status = event.status;
      stack.reason = event.reason;
    } else {
      const live = stack.live.get(event.logicalId);
      if (live) live.status = event.status;
      if (this.options.emulatorQuirks) return;
    }
    stack.events.unshift({
      StackId: stack.id,
      StackName: stack.name,
      EventId: this.nextId(),
      LogicalResourceId: event.logicalId,
      PhysicalResourceId: event.physicalId,
      ResourceType: event.type,
      ResourceStatus: event.status as cfn.ResourceStatus,
      ResourceStatusReason: event.reason,
      Timestamp: new Date(this.now()),
    });
  }

  private describe(stack: FakeStackState): cfn.Stack {
    const outputs = Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue, ExportName: stack.exports[OutputKey] }));
    return {
      StackName: stack.name,
      StackId: stack.id,
      StackStatus: (stack.deleted ? "DELETE_COMPLETE" : stack.status) as cfn.StackStatus,
      StackStatusReason: stack.reason,
      CreationTime: stack.creationTime,
      Parameters: stack.parameters,
      Tags: stack.tags,
      Outputs: outputs.length > 0 ? outputs : undefined,
    };
  }

  private find(nameOrId: string): FakeStackState | undefined {
    if (nameOrId.startsWith("arn:")) return this.stacks.find((s) => s.id === nameOrId);
    return this.stacks.find((s) => s.name === nameOrId && !s.deleted);
  }

  private require(nameOrId: string, op: string): FakeStackState {
    const stack = this.find(nameOrId);
    if (!stack) throw error(op, "ValidationError", `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  private requireTemplate(body: string, op: string): FakeTemplate {
    const template = this.templates.get(body);
    if (!template) throw error(op, "ValidationError", "Template format error: the fake does not know this template (register it with defineTemplate)");
    return template;
  }

  private requireChangeSet(nameOrId: string, stackName: string | undefined, op: string): { stack: FakeStackState; changeSet: FakeChangeSet } {
    for (const stack of this.stacks) {
      if (nameOrId.startsWith("arn:")) {
        for (const changeSet of stack.changeSets.values()) if (changeSet.id === nameOrId) return { stack, changeSet };
      } else if (stackName && (stack.id === stackName || (stack.name === stackName && !stack.deleted))) {
        const changeSet = stack.changeSets.get(nameOrId);
        if (changeSet) return { stack, changeSet };
      }
    }
    throw error(op, "ChangeSetNotFoundException", `ChangeSet [${nameOrId}] does not exist`);
  }

  private applied(stack: FakeStackState, resource: FakeResource, action: "Add" | "Modify", changeSet: FakeChangeSet): void {
    this.options.onApply?.({
      stackName: stack.name,
      logicalId: resource.logicalId,
      type: resource.type,
      action,
      props: propsOf(resource, record(changeSet.parameters)),
    });
  }

  /** Changes as CloudFormation reports them: a Modify names each changed property in Details, create-only ones with RequiresRecreation Always. */
  private diff(before: FakeResource[], beforeParameters: Record<string, string>, after: FakeResource[], afterParameters: Record<string, string>): cfn.Change[] {
    const old = new Map(before.map((r) => [r.logicalId, r]));
    const changes: cfn.Change[] = [];
    for (const resource of after) {
      const previous = old.get(resource.logicalId);
      if (!previous) {
        changes.push({ Type: "Resource", ResourceChange: { Action: "Add", LogicalResourceId: resource.logicalId, ResourceType: resource.type } });
        continue;
      }
      const oldProps = propsOf(previous, beforeParameters);
      const newProps = propsOf(resource, afterParameters);
      if (JSON.stringify(oldProps) === JSON.stringify(newProps)) continue;
      const changedParameters = Object.keys({ ...beforeParameters, ...afterParameters }).filter((k) => beforeParameters[k] !== afterParameters[k]);
      const details: cfn.ResourceChangeDetail[] = changedProperties(oldProps, newProps).map((name) => {
        const causing = (resource.references?.[name] ?? []).find((p) => changedParameters.includes(p));
        return {
          Target: { Attribute: "Properties", Name: name, RequiresRecreation: resource.createOnly?.includes(name) ? "Always" : "Never" },
          Evaluation: "Static",
          ChangeSource: causing ? "ParameterReference" : "DirectModification",
          ...(causing ? { CausingEntity: causing } : {}),
        };
      });
      changes.push({
        Type: "Resource",
        ResourceChange: {
          Action: "Modify",
          LogicalResourceId: resource.logicalId,
          ResourceType: resource.type,
          Replacement: replacementOf(resource, oldProps, newProps),
          Scope: ["Properties"],
          Details: details,
        },
      });
    }
    const kept = new Set(after.map((r) => r.logicalId));
    for (const resource of before) {
      if (!kept.has(resource.logicalId)) {
        changes.push({ Type: "Resource", ResourceChange: { Action: "Remove", LogicalResourceId: resource.logicalId, ResourceType: resource.type } });
      }
    }
    return changes;
  }
}

function propsOf(resource: FakeResource, parameters: Record<string, string>): unknown {
  return resource.resolve ? resource.resolve(parameters) : resource.props;
}

function record(parameters: cfn.Parameter[]): Record<string, string> {
  return Object.fromEntries(parameters.map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""]));
}

/** Top-level properties that differ; empty when the props are not both mappings. */
function changedProperties(before: unknown, after: unknown): string[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/** "True" when a create-only property changes, else what the resource says (default "False"). */
function replacementOf(resource: FakeResource, before: unknown, after: unknown): "True" | "False" | "Conditional" {
  if (changedProperties(before, after).some((name) => resource.createOnly?.includes(name))) return "True";
  return resource.replacement ?? "False";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function error(op: string, code: string, message: string): AwsError {
  return new AwsError(`CloudFormation ${op}: ${message}`, { code });
}

function sameList<T>(a: T[], b: T[]): boolean {
  const key = (items: T[]) => JSON.stringify(items.map((i) => JSON.stringify(i)).sort());
  return key(a) === key(b);
}
