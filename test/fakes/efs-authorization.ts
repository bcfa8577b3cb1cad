/**
 * A fake of EFS's NFS-side authorization, evaluated over a rendered endpoint stack
 * (template + parameters), because the emulator mounts nothing: what a container of a
 * task definition may do on an EFS volume, as the EFS User Guide describes it.
 *
 * - "Using IAM to control access to file systems"
 *   (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html): a client
 *   that mounts with IAM authorization is its task role; an Allow of ClientMount (read-only
 *   access), ClientWrite (write) or ClientRootAccess (root) in either the role's identity
 *   policy or the file-system policy grants the action, an explicit Deny in either refuses
 *   it. Without ClientRootAccess the client's root user is squashed to the anonymous user
 *   (UID/GID 65534); with no file-system policy at all every client gets everything.
 * - "Enforcing a user identity using an access point"
 *   (https://docs.aws.amazon.com/efs/latest/ug/enforce-identity-access-points.html): the
 *   access point's PosixUser replaces the client's UID/GID for every operation, new files
 *   belong to it, and a PosixUser of UID or GID 0 is subject to ClientRootAccess.
 * - "Enforcing a root directory with an access point"
 *   (https://docs.aws.amazon.com/efs/latest/ug/enforce-root-directory-access-point.html):
 *   the client sees only the RootDirectory's path; a path that does not exist is created
 *   on first mount with CreationInfo's owner and permissions, and without CreationInfo the
 *   mount fails.
 * - "Network File System (NFS) level users, groups, and permissions"
 *   (https://docs.aws.amazon.com/efs/latest/ug/accessing-fs-nfs-permissions.html): a new
 *   file system's root directory belongs to UID 0 / GID 0 with mode 0755, so only root can
 *   write into it; otherwise Unix permission bits decide (UID 0 bypasses them).
 */
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import type { RenderedStack } from "../../src/render/render.js";

type Value = unknown;
type Json = Record<string, Value>;

/** One file or directory of a fake file system. */
export interface Entry {
  uid: number;
  gid: number;
  mode: number;
  directory: boolean;
}

/** A file system's tree, path (no leading `/`, "" the root) to entry, and its policy. */
export interface FakeFileSystem {
  entries: Map<string, Entry>;
  /** The file-system policy; undefined: the default policy (every client may do everything). */
  policy?: Json;
}

const ANONYMOUS = 65534;
const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** A new file system: only its root directory, owned by root, 0755; with the policy the stack gives it. */
export function newFileSystem(policy?: Json): FakeFileSystem {
  return { entries: new Map([["", { uid: 0, gid: 0, mode: 0o755, directory: true }]]), policy };
}

/** Adds a file (and its missing parent directories) owned by `uid`, as a writer with that identity would have. */
export function addFile(fs: FakeFileSystem, path: string, uid = 0, gid = uid): void {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join("/");
    if (!fs.entries.has(dir)) fs.entries.set(dir, { uid, gid, mode: 0o755, directory: true });
  }
  fs.entries.set(parts.join("/"), { uid, gid, mode: 0o644, directory: false });
}

/** The outcome of one NFS operation. */
export type Outcome = { ok: true } | { ok: false; reason: string };

/** Evaluates a rendered endpoint stack's intrinsic functions with its parameters and conditions. */
export class RenderedTemplate {
  readonly template: Json;
  private readonly conditions = new Map<string, boolean>();

  constructor(private readonly stack: Pick<RenderedStack, "templateBody" | "parameters">) {
    this.template = parseTemplate(stack.templateBody);
  }

  /** A resource of the template (present only if its condition holds), properties resolved. */
  resource(logicalId: string): Json | undefined {
    const resource = (this.template.Resources as Json)[logicalId] as Json | undefined;
    if (!resource) return undefined;
    if (typeof resource.Condition === "string" && !this.condition(resource.Condition)) return undefined;
    return { ...resource, Properties: this.resolve(resource.Properties ?? {}) as Json };
  }

  /** A resource's declaration, whatever its condition (a kept file system keeps the policy it was created with). */
  declared(logicalId: string): Json | undefined {
    const resource = (this.template.Resources as Json)[logicalId] as Json | undefined;
    return resource ? { ...resource, Properties: this.resolve(resource.Properties ?? {}) as Json } : undefined;
  }

  /** The logical id of the resource whose physical id (see `physicalId`) is `id`. */
  logicalIdOf(id: string): string | undefined {
    return Object.keys(this.template.Resources as Json).find((logicalId) => physicalId(logicalId) === id);
  }

  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const value = this.truth((this.template.Conditions as Json)[name]);
    this.conditions.set(name, value);
    return value;
  }

  private parameter(name: string): string {
    if (name === "AWS::AccountId") return ACCOUNT;
    if (name === "AWS::Region") return REGION;
    if (name === "AWS::Partition") return "aws";
    if (name === "AWS::NoValue") return "";
    const given = this.stack.parameters[name];
    if (given !== undefined) return given;
    const declared = ((this.template.Parameters as Json)[name] as Json | undefined)?.Default;
    if (declared === undefined) throw new Error(`parameter ${name} has no value`);
    return String(declared);
  }

  private truth(value: Value): boolean {
    const v = value as Json;
    if ("Condition" in v) return this.condition(v.Condition as string);
    if ("Fn::Equals" in v) {
      const [a, b] = v["Fn::Equals"] as Value[];
      return String(this.resolve(a)) === String(this.resolve(b));
    }
    if ("Fn::Not" in v) return !this.truth((v["Fn::Not"] as Value[])[0]);
    if ("Fn::And" in v) return (v["Fn::And"] as Value[]).every((c) => this.truth(c));
    if ("Fn::Or" in v) return (v["Fn::Or"] as Value[]).some((c) => this.truth(c));
    throw new Error(`cannot evaluate condition ${JSON.stringify(value)}`);
  }

  /** Resolves intrinsic functions; `Ref` of a resource is its fake physical id, `Fn::ImportValue` a marker. */
  resolve(value: Value): Value {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== "object" || value instanceof Date) return value;
    const v = value as Json;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = v[key];
      if (key === "Ref") {
        const name = arg as string;
        if (name === "AWS::NoValue") return NO_VALUE;
        if ((this.template.Resources as Json)[name]) return physicalId(name);
        return this.parameter(name);
      }
      if (key === "Fn::If") {
        const [condition, whenTrue, whenFalse] = arg as Value[];
        return this.resolve(this.condition(condition as string) ? whenTrue : whenFalse);
      }
      if (key === "Fn::GetAtt") {
        const [logicalId, attribute] = (typeof arg === "string" ? arg.split(".") : arg) as [string, string];
        return `${physicalId(logicalId)}.${attribute}`;
      }
      if (key === "Fn::ImportValue") return `import:${String(this.resolve(arg))}`;
      if (key === "Fn::Join") {
        const [separator, parts] = arg as [string, Value[]];
        return (this.resolve(parts) as Value[]).map(String).join(separator);
      }
      if (key === "Fn::Sub") {
        const [text, local] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Json];
        const vars = Object.fromEntries(Object.entries(local).map(([k, x]) => [k, String(this.resolve(x))]));
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
          if (name in vars) return vars[name]!;
          if (name.includes(".")) return String(this.resolve({ "Fn::GetAtt": name.split(".") }));
          return String(this.resolve({ Ref: name }));
        });
      }
      if (key === "Fn::Select" || key === "Fn::Split" || key === "Fn::GetAZs" || key === "Fn::Cidr") return `${key}(…)`;
    }
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const resolved = this.resolve(x);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }
}

const NO_VALUE = Symbol("AWS::NoValue");

/** The fake physical id of a resource: file systems `fs-…`, access points `fsap-…`, others their logical id. */
export function physicalId(logicalId: string): string {
  if (logicalId.endsWith("FileSystem")) return `fs-${logicalId.toLowerCase()}`;
  if (logicalId.endsWith("AccessPoint")) return `fsap-${logicalId.toLowerCase()}`;
  return logicalId;
}

function fileSystemArn(id: string): string {
  return `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${id}`;
}

function accessPointArn(id: string): string {
  return `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:access-point/${id}`;
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's `*` and `?` wildcards. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/** Whether a statement's Condition holds in the request's context (the operators the templates use). */
function conditionHolds(condition: Json | undefined, context: Record<string, string | undefined>): boolean {
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests as Json)) {
      const actual = context[key];
      const wanted = asList(expected as string | string[]).map(String);
      const ok =
        actual === undefined
          ? false
          : operator === "Bool" || operator === "StringEquals" || operator === "ArnEquals"
            ? wanted.includes(actual)
            : operator === "StringLike" || operator === "ArnLike"
              ? wanted.some((w) => matches(w, actual))
              : (() => {
                  throw new Error(`condition operator ${operator} is not modelled`);
                })();
      if (!ok) return false;
    }
  }
  return true;
}

/** Allow, Deny or nothing from one policy document for an action on a file system. */
function decide(
  document: Json | undefined,
  action: string,
  resourceArn: string,
  context: Record<string, string | undefined>,
  resourcePolicy: boolean,
): "Allow" | "Deny" | undefined {
  let result: "Allow" | undefined;
  for (const statement of asList(document?.Statement as Json[] | Json)) {
    const actions = asList(statement.Action as string | string[]);
    if (!actions.some((a) => matches(a, action))) continue;
    // A file-system policy applies to its own file system; its statements need no Resource.
    const resources = resourcePolicy ? [resourceArn] : asList(statement.Resource as string | string[]);
    if (!resources.some((r) => matches(r, resourceArn))) continue;
    if (!conditionHolds(statement.Condition as Json | undefined, context)) continue;
    if (statement.Effect === "Deny") return "Deny";
    if (statement.Effect === "Allow") result = "Allow";
  }
  return result;
}

/** Which client actions EFS grants the role on the file system. */
function grants(
  identityPolicies: Json[],
  fs: FakeFileSystem,
  fileSystemId: string,
  context: Record<string, string | undefined>,
): Record<"ClientMount" | "ClientWrite" | "ClientRootAccess", boolean> {
  const arn = fileSystemArn(fileSystemId);
  const one = (action: string): boolean => {
    // "Default EFS file system policy": without a policy of its own, any client that reaches a mount target gets full access.
    if (!fs.policy) return true;
    const decisions = [...identityPolicies.map((p) => decide(p, action, arn, context, false)), decide(fs.policy, action, arn, context, true)];
    return !decisions.includes("Deny") && decisions.includes("Allow");
  };
  return {
    ClientMount: one("elasticfilesystem:ClientMount"),
    ClientWrite: one("elasticfilesystem:ClientWrite"),
    ClientRootAccess: one("elasticfilesystem:ClientRootAccess"),
  };
}

/** A container's view of one EFS volume of a task definition. */
export interface Mount {
  fileSystemId: string;
  containerPath: string;
  /** Directory of the file system the mount shows ("" its root). */
  root: string;
  uid: number;
  gid: number;
  readOnly: boolean;
}

/** Where a task runs: the stack, the file systems by id, and the image's user. */
export interface TaskOnEfs {
  stack: RenderedTemplate;
  fileSystems: Map<string, FakeFileSystem>;
  taskDefinition: string;
  container: string;
  /** The UID (and GID) the container's image runs as. */
  imageUid: number;
}

/** Mounts the volume that holds `path` in the container, as ECS does at task start; a refusal is the mount's error. */
export function mount(task: TaskOnEfs, path: string): Mount | { error: string } {
  const definition = task.stack.resource(task.taskDefinition)?.Properties as Json | undefined;
  if (!definition) throw new Error(`no task definition ${task.taskDefinition}`);
  const container = (definition.ContainerDefinitions as Json[]).find((c) => c.Name === task.container);
  if (!container) throw new Error(`no container ${task.container}`);
  const point = asList(container.MountPoints as Json[]).find((m) => path === m.ContainerPath || path.startsWith(`${String(m.ContainerPath)}/`));
  if (!point) throw new Error(`${path} is on no volume of ${task.container}`);
  const volume = asList(definition.Volumes as Json[]).find((v) => v.Name === point.SourceVolume)!;
  const efs = volume.EFSVolumeConfiguration as Json;
  const fileSystemId = String(efs.FilesystemId);
  const fs = task.fileSystems.get(fileSystemId);
  if (!fs) throw new Error(`no fake file system ${fileSystemId}`);
  const authorization = (efs.AuthorizationConfig ?? {}) as Json;
  const accessPointId = authorization.AccessPointId as string | undefined;
  const accessPoint = accessPointId ? (task.stack.resource(task.stack.logicalIdOf(accessPointId) ?? "")?.Properties as Json | undefined) : undefined;
  if (accessPointId && !accessPoint) throw new Error(`no access point ${accessPointId}`);
  if (accessPoint && String(accessPoint.FileSystemId) !== fileSystemId) return { error: `access point ${accessPointId} belongs to another file system` };

  const roleId = String(definition.TaskRoleArn ?? "").replace(/\.Arn$/, "");
  const role = authorization.IAM === "ENABLED" ? task.stack.resource(roleId) : undefined;
  const identityPolicies = asList((role?.Properties as Json | undefined)?.Policies as Json[]).map((p) => p.PolicyDocument as Json);
  const context = {
    "aws:SecureTransport": String(efs.TransitEncryption === "ENABLED"),
    "elasticfilesystem:AccessedViaMountTarget": "true",
    "elasticfilesystem:AccessPointArn": accessPointId ? accessPointArn(accessPointId) : undefined,
  };
  const granted = grants(identityPolicies, fs, fileSystemId, context);
  if (!granted.ClientMount) return { error: `mount.nfs4: access denied by server while mounting ${fileSystemId} (no ClientMount)` };

  let uid = task.imageUid;
  let gid = task.imageUid;
  const posix = accessPoint?.PosixUser as Json | undefined;
  if (posix) {
    uid = Number(posix.Uid);
    gid = Number(posix.Gid);
  }
  if (!granted.ClientRootAccess) {
    if (uid === 0) uid = ANONYMOUS;
    if (gid === 0) gid = ANONYMOUS;
  }

  const rootDirectory = (accessPoint?.RootDirectory ?? efs.RootDirectory ?? {}) as Json | string;
  const rootPath = (typeof rootDirectory === "string" ? rootDirectory : String(rootDirectory.Path ?? "/")).replace(/^\/+|\/+$/g, "");
  if (!fs.entries.has(rootPath)) {
    const creation = typeof rootDirectory === "string" ? undefined : (rootDirectory.CreationInfo as Json | undefined);
    if (!accessPoint || !creation)
      return { error: `mount.nfs4: mounting ${fileSystemId}:/${rootPath} failed, reason given by server: No such file or directory` };
    const parts = rootPath.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!fs.entries.has(dir)) fs.entries.set(dir, { uid: 0, gid: 0, mode: 0o755, directory: true });
    }
    fs.entries.set(rootPath, {
      uid: Number(creation.OwnerUid),
      gid: Number(creation.OwnerGid),
      mode: parseInt(String(creation.Permissions), 8),
      directory: true,
    });
  }
  return {
    fileSystemId,
    containerPath: String(point.ContainerPath),
    root: rootPath,
    uid,
    gid,
    readOnly: point.ReadOnly === true || point.ReadOnly === "true" || !granted.ClientWrite,
  };
}

function permitted(entry: Entry, uid: number, gid: number, bit: number): boolean {
  if (uid === 0) return true;
  const bits = entry.uid === uid ? entry.mode >> 6 : entry.gid === gid ? entry.mode >> 3 : entry.mode;
  return (bits & bit) === bit;
}

function onVolume(m: Mount, path: string): string {
  const below = path.slice(m.containerPath.length).replace(/^\/+/, "");
  return [m.root, below].filter(Boolean).join("/");
}

/** Writes a file at `path` in the container (creating its directories), as `aws s3 sync` or the application does. */
export function writeFile(task: TaskOnEfs, path: string): Outcome {
  const m = mount(task, path);
  if ("error" in m) return { ok: false, reason: m.error };
  if (m.readOnly) return { ok: false, reason: `[Errno 30] Read-only file system: '${path}'` };
  const fs = task.fileSystems.get(m.fileSystemId)!;
  const target = onVolume(m, path);
  const parts = target.split("/");
  let parent = m.root;
  const start = m.root ? m.root.split("/").length : 0;
  for (let i = start; i < parts.length; i++) {
    const here = parts.slice(0, i + 1).join("/");
    const existing = fs.entries.get(here);
    const last = i === parts.length - 1;
    if (existing && !last) {
      if (!permitted(existing, m.uid, m.gid, 1)) return { ok: false, reason: `[Errno 13] Permission denied: '${path}'` };
      parent = here;
      continue;
    }
    const dir = fs.entries.get(parent)!;
    if (existing && last) {
      if (!permitted(existing, m.uid, m.gid, 2)) return { ok: false, reason: `[Errno 13] Permission denied: '${path}'` };
      return { ok: true };
    }
    if (!permitted(dir, m.uid, m.gid, 3)) return { ok: false, reason: `[Errno 13] Permission denied: '${path}'` };
    fs.entries.set(here, { uid: m.uid, gid: m.gid, mode: last ? 0o644 : 0o755, directory: !last });
    parent = here;
  }
  return { ok: true };
}

/** Reads a file at `path` in the container. */
export function readFile(task: TaskOnEfs, path: string): Outcome {
  const m = mount(task, path);
  if ("error" in m) return { ok: false, reason: m.error };
  const fs = task.fileSystems.get(m.fileSystemId)!;
  const target = onVolume(m, path);
  const entry = fs.entries.get(target);
  if (!entry) return { ok: false, reason: `[Errno 2] No such file or directory: '${path}'` };
  const parts = target.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    const dir = fs.entries.get(parts.slice(0, i + 1).join("/"));
    if (dir && !permitted(dir, m.uid, m.gid, 1)) return { ok: false, reason: `[Errno 13] Permission denied: '${path}'` };
  }
  return permitted(entry, m.uid, m.gid, 4) ? { ok: true } : { ok: false, reason: `[Errno 13] Permission denied: '${path}'` };
}

/**
 * The file systems a stack mounts: new ones (the stack creates them) start empty with the
 * stack's policy; kept ones (ids given in the parameters) come from `kept`.
 */
export function fileSystemsOf(stack: RenderedTemplate, kept: Record<string, FakeFileSystem> = {}): Map<string, FakeFileSystem> {
  const map = new Map<string, FakeFileSystem>();
  for (const logicalId of ["AssetsFileSystem", "WeightsFileSystem"]) {
    const created = stack.resource(logicalId);
    if (created) map.set(physicalId(logicalId), newFileSystem((created.Properties as Json).FileSystemPolicy as Json | undefined));
  }
  for (const [id, fs] of Object.entries(kept)) map.set(id, fs);
  return map;
}

/** The policy the template gives a file system it creates (a kept one was created with it too). */
export function templatePolicy(stack: RenderedTemplate, logicalId: "AssetsFileSystem" | "WeightsFileSystem"): Json | undefined {
  return (stack.declared(logicalId)?.Properties as Json | undefined)?.FileSystemPolicy as Json | undefined;
}
