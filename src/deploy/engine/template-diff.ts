/**
 * What a stack update changes, property by property, computed without AWS:
 * the deployed template and parameters against the new ones, each resolved
 * (parameters substituted, conditions evaluated) so that a parameter change
 * shows up where it lands (the image tag inside the container definition).
 * Like `cdk diff`, it marks replacements with the property that causes them
 * and flags IAM and security-group changes.
 */
import { parseTemplate } from "../../render/cfn-yaml.js";

/**
 * Properties whose change makes CloudFormation replace the resource: the
 * `createOnlyProperties` of each type's resource schema (CloudFormation CLI
 * user guide, "Resource type schema"; the same list the resource reference
 * marks "Update requires: Replacement"), for the types mlops templates use.
 */
export const createOnlyProperties: Readonly<Record<string, readonly string[]>> = {
  "AWS::ApplicationAutoScaling::ScalableTarget": ["ResourceId", "ScalableDimension", "ServiceNamespace"],
  "AWS::ApplicationAutoScaling::ScalingPolicy": ["PolicyName", "ResourceId", "ScalableDimension", "ScalingTargetId", "ServiceNamespace"],
  "AWS::EC2::EIP": ["Address", "IpamPoolId", "NetworkBorderGroup", "TransferAddress"],
  "AWS::EC2::NatGateway": ["AllocationId", "AvailabilityMode", "ConnectivityType", "PrivateIpAddress", "SubnetId", "VpcId"],
  "AWS::EC2::Route": ["DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId", "RouteTableId"],
  "AWS::EC2::RouteTable": ["VpcId"],
  "AWS::EC2::SecurityGroup": ["GroupDescription", "GroupName", "VpcId"],
  "AWS::EC2::SecurityGroupIngress": [
    "CidrIp",
    "CidrIpv6",
    "FromPort",
    "GroupId",
    "GroupName",
    "IpProtocol",
    "SourcePrefixListId",
    "SourceSecurityGroupId",
    "SourceSecurityGroupName",
    "SourceSecurityGroupOwnerId",
    "ToPort",
  ],
  "AWS::EC2::Subnet": [
    "AvailabilityZone",
    "AvailabilityZoneId",
    "CidrBlock",
    "Ipv4IpamPoolId",
    "Ipv4NetmaskLength",
    "Ipv6IpamPoolId",
    "Ipv6Native",
    "Ipv6NetmaskLength",
    "OutpostArn",
    "VpcId",
  ],
  "AWS::EC2::SubnetRouteTableAssociation": ["RouteTableId", "SubnetId"],
  "AWS::EC2::VPC": ["CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"],
  "AWS::EC2::VPCGatewayAttachment": ["VpcId"],
  "AWS::ECR::Repository": ["EncryptionConfiguration", "RepositoryName"],
  "AWS::ECS::Cluster": ["ClusterName"],
  "AWS::ECS::Service": ["Cluster", "Role", "SchedulingStrategy", "ServiceName"],
  "AWS::ECS::TaskDefinition": [
    "ContainerDefinitions",
    "Cpu",
    "EnableFaultInjection",
    "EphemeralStorage",
    "ExecutionRoleArn",
    "Family",
    "InferenceAccelerators",
    "IpcMode",
    "Memory",
    "NetworkMode",
    "PidMode",
    "PlacementConstraints",
    "ProxyConfiguration",
    "RequiresCompatibilities",
    "RuntimePlatform",
    "TaskRoleArn",
    "Volumes",
  ],
  "AWS::EFS::FileSystem": ["AvailabilityZoneName", "Encrypted", "KmsKeyId", "PerformanceMode"],
  "AWS::EFS::MountTarget": ["FileSystemId", "IpAddress", "IpAddressType", "Ipv6Address", "SubnetId"],
  "AWS::ElasticLoadBalancingV2::Listener": ["LoadBalancerArn"],
  "AWS::ElasticLoadBalancingV2::ListenerRule": ["ListenerArn"],
  "AWS::ElasticLoadBalancingV2::LoadBalancer": ["Name", "Scheme", "Type"],
  "AWS::ElasticLoadBalancingV2::TargetGroup": ["IpAddressType", "Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId"],
  "AWS::IAM::Role": ["Path", "RoleName"],
  "AWS::Logs::LogGroup": ["LogGroupName"],
  "AWS::S3::Bucket": ["BucketName", "BucketNamePrefix", "BucketNamespace"],
  "AWS::S3::BucketPolicy": ["Bucket"],
};

/** A template with the parameter values it is (or will be) deployed with. */
export interface TemplateInput {
  templateBody: string;
  parameters: Record<string, string>;
}

/** One property that changes inside a resource; `path` is e.g. `ContainerDefinitions[0].Image`. */
export interface PropertyChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** What happens to one resource. */
export interface ResourceDiff {
  logicalId: string;
  type: string;
  action: "Add" | "Remove" | "Modify";
  /** Changed properties (Modify only). */
  properties: PropertyChange[];
  /** Top-level properties whose change makes CloudFormation replace the resource. */
  replacedBecauseOf: string[];
  /** IAM (roles, policies) or network access (security groups, their rules). */
  access?: "iam" | "security-group";
}

/** A parameter whose value changes. */
export interface ParameterChange {
  key: string;
  before?: string;
  after?: string;
}

type Json = unknown;
type Resolved = { resources: Record<string, { type: string; properties: Json }> };

/** Removed by `Ref: AWS::NoValue` inside `Fn::If`. */
const NO_VALUE = Symbol("AWS::NoValue");

/** The resources of each template, resolved with its parameters, compared property by property. */
export function diffTemplates(before: TemplateInput, after: TemplateInput): ResourceDiff[] {
  const old = resolveTemplate(before);
  const next = resolveTemplate(after);
  const diffs: ResourceDiff[] = [];
  const ids = [...new Set([...Object.keys(old.resources), ...Object.keys(next.resources)])].sort();
  for (const id of ids) {
    const a = old.resources[id];
    const b = next.resources[id];
    if (!a && b) diffs.push({ logicalId: id, type: b.type, action: "Add", properties: [], replacedBecauseOf: [], access: accessKind(b.type) });
    else if (a && !b) diffs.push({ logicalId: id, type: a.type, action: "Remove", properties: [], replacedBecauseOf: [], access: accessKind(a.type) });
    else if (a && b) {
      const properties = diffValues(a.properties, b.properties, "");
      if (properties.length === 0 && a.type === b.type) continue;
      const createOnly = new Set(createOnlyProperties[b.type] ?? []);
      const replacedBecauseOf = a.type !== b.type ? ["Type"] : [...new Set(properties.map((p) => topLevel(p.path)).filter((p) => createOnly.has(p)))];
      diffs.push({ logicalId: id, type: b.type, action: "Modify", properties, replacedBecauseOf, access: accessKind(b.type) });
    }
  }
  return diffs;
}

/** The resources a template creates with these parameters (conditions evaluated), in template order. */
export function templateResources(input: TemplateInput): { logicalId: string; type: string }[] {
  return Object.entries(resolveTemplate(input).resources).map(([logicalId, r]) => ({ logicalId, type: r.type }));
}

/** The parameters whose value differs. */
export function diffParameters(before: Record<string, string>, after: Record<string, string>): ParameterChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => before[k] !== after[k]).map((key) => ({ key, before: before[key], after: after[key] }));
}

/** A value as the plan prints it: strings bare, anything else as compact JSON, long values shortened. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === "symbol" ? undefined : v));
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

function topLevel(path: string): string {
  return path.split(/[.[]/)[0] ?? path;
}

function accessKind(type: string): ResourceDiff["access"] {
  if (type.startsWith("AWS::IAM::")) return "iam";
  if (type.startsWith("AWS::EC2::SecurityGroup")) return "security-group";
  return undefined;
}

function diffValues(a: Json, b: Json, path: string): PropertyChange[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => diffValues(item, b[i], `${path}[${i}]`));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [{ path, before: a, after: b }];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** Substitutes parameters, evaluates conditions, drops resources whose condition is false. */
function resolveTemplate(input: TemplateInput): Resolved {
  const template = parseTemplate(input.templateBody);
  const declared = (template.Parameters ?? {}) as Record<string, { Default?: string | number | boolean; Type?: string }>;
  const params: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(declared)) {
    const raw = input.parameters[key] ?? (spec.Default === undefined ? undefined : String(spec.Default));
    if (raw === undefined) continue;
    params[key] = spec.Type && /^(CommaDelimitedList|List<)/.test(spec.Type) ? raw.split(",") : raw;
  }
  const conditionDefs = (template.Conditions ?? {}) as Record<string, Json>;
  const conditions = new Map<string, boolean>();
  const resolver = new Resolver(params, (name) => {
    if (!conditions.has(name)) conditions.set(name, Boolean(resolver.resolve(conditionDefs[name])));
    return conditions.get(name) ?? false;
  });
  const resources: Resolved["resources"] = {};
  for (const [id, body] of Object.entries((template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Json; Condition?: string }>)) {
    if (body.Condition && !resolver.condition(body.Condition)) continue;
    resources[id] = { type: body.Type ?? "?", properties: strip(resolver.resolve(body.Properties ?? {})) };
  }
  return { resources };
}

function strip(value: Json): Json {
  if (Array.isArray(value)) return value.filter((v) => v !== NO_VALUE).map(strip);
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== NO_VALUE)
        .map(([k, v]) => [k, strip(v)]),
    );
  return value;
}

/** Resolves what depends only on parameters; references to resources and pseudo parameters stay symbolic. */
class Resolver {
  constructor(
    private readonly params: Record<string, unknown>,
    readonly condition: (name: string) => boolean,
  ) {}

  resolve(node: Json): Json {
    if (Array.isArray(node)) return node.map((n) => this.resolve(n));
    if (!isPlainObject(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = node[key];
      switch (key) {
        case "Ref":
          if (arg === "AWS::NoValue") return NO_VALUE;
          return typeof arg === "string" && arg in this.params ? this.params[arg] : node;
        case "Condition":
          return typeof arg === "string" ? this.condition(arg) : node;
        case "Fn::If": {
          const [name, yes, no] = arg as [string, Json, Json];
          return this.resolve(this.condition(name) ? yes : no);
        }
        case "Fn::Equals": {
          const [x, y] = (arg as Json[]).map((v) => this.resolve(v));
          return JSON.stringify(x) === JSON.stringify(y);
        }
        case "Fn::Not":
          return !this.resolve((arg as Json[])[0]);
        case "Fn::And":
          return (arg as Json[]).every((v) => Boolean(this.resolve(v)));
        case "Fn::Or":
          return (arg as Json[]).some((v) => Boolean(this.resolve(v)));
        case "Fn::Sub":
          return this.sub(arg);
        case "Fn::Join": {
          const [sep, list] = arg as [string, Json];
          const items = this.resolve(list);
          return Array.isArray(items) ? items.map(symbolic).join(sep) : { "Fn::Join": [sep, items] };
        }
        case "Fn::Select": {
          const [index, list] = (arg as Json[]).map((v) => this.resolve(v));
          return Array.isArray(list) ? list[Number(index)] : { "Fn::Select": [index, list] };
        }
        case "Fn::Split": {
          const [sep, text] = (arg as Json[]).map((v) => this.resolve(v));
          return typeof text === "string" && typeof sep === "string" ? text.split(sep) : { "Fn::Split": [sep, text] };
        }
        default:
          return { [key]: this.resolve(arg) };
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(node[k])]));
  }

  private sub(arg: Json): Json {
    const [text, vars] = typeof arg === "string" ? [arg, {}] : (arg as [string, Record<string, Json>]);
    const values: Record<string, Json> = { ...this.params };
    for (const [k, v] of Object.entries(vars ?? {})) values[k] = this.resolve(v);
    const out = text.replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) => {
      const value = values[name];
      return typeof value === "string" || typeof value === "number" ? String(value) : whole;
    });
    // What stays in ${...} is known only to CloudFormation (resources, pseudo parameters): it reads as such.
    return out;
  }
}

/** A value inside a joined string: resolved text, or `${Resource.Attribute}` for what only CloudFormation knows. */
function symbolic(value: Json): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (isPlainObject(value)) {
    if (typeof value.Ref === "string") return `\${${value.Ref}}`;
    const getAtt = value["Fn::GetAtt"];
    if (Array.isArray(getAtt)) return `\${${getAtt.join(".")}}`;
    if (value["Fn::ImportValue"] !== undefined) return `\${Import:${symbolic(value["Fn::ImportValue"])}}`;
  }
  return JSON.stringify(value);
}
