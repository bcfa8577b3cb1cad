/**
 * A new stack in a few lines: its resources counted by what they are for
 * (network, load balancer, storage, service, ...), with the ones a security
 * review asks about (IAM, security groups) named. A base endpoint has some
 * sixty resources; listed one per line they push the rest of the plan off the
 * screen, while the counts say what a user weighs before creating it. The
 * full list stays one flag away (`--verbose`, `mlops diff`).
 */

/** A resource as a plan lists it. */
export interface PlannedResource {
  logicalId: string;
  type: string;
}

/** One group of a stack's resources. */
export interface ResourceGroup {
  name: string;
  /** Logical ids, in template order. */
  logicalIds: string[];
  /** Whether the summary names each resource (access: who can reach or do what). */
  named: boolean;
}

/** Groups in the order a summary shows them; the first whose prefix matches a type wins. */
const GROUPS: { name: string; prefixes: string[]; named?: boolean }[] = [
  { name: "security groups", prefixes: ["AWS::EC2::SecurityGroup"], named: true },
  { name: "IAM", prefixes: ["AWS::IAM::"], named: true },
  { name: "logs", prefixes: ["AWS::Logs::", "AWS::EC2::FlowLog"] },
  { name: "network", prefixes: ["AWS::EC2::"] },
  { name: "load balancer", prefixes: ["AWS::ElasticLoadBalancingV2::"] },
  { name: "storage", prefixes: ["AWS::EFS::", "AWS::S3::"] },
  { name: "image repository", prefixes: ["AWS::ECR::"] },
  { name: "service", prefixes: ["AWS::ECS::", "AWS::ApplicationAutoScaling::"] },
  { name: "alarms", prefixes: ["AWS::CloudWatch::"] },
  { name: "encryption key", prefixes: ["AWS::KMS::"] },
  { name: "schedule", prefixes: ["AWS::Scheduler::", "AWS::Events::"] },
  { name: "pipeline", prefixes: ["AWS::CodeBuild::", "AWS::CodePipeline::"] },
];

/** Where the counts are shown first: what is built, then who may do what. */
const COUNT_ORDER = ["network", "load balancer", "storage", "image repository", "service", "alarms", "logs", "encryption key", "schedule", "pipeline"];

/** The group a resource type belongs to; an unknown service is named after itself (`AWS::Route53::RecordSet`: "Route53"). */
export function groupOf(type: string): { name: string; named: boolean } {
  const group = GROUPS.find((g) => g.prefixes.some((p) => type.startsWith(p)));
  if (group) return { name: group.name, named: group.named ?? false };
  return { name: type.split("::")[1] ?? type, named: false };
}

/** The resources by group: known groups in summary order (counted ones, then the named ones), unknown services after them. */
export function groupResources(resources: readonly PlannedResource[]): ResourceGroup[] {
  const byName = new Map<string, ResourceGroup>();
  for (const r of resources) {
    const { name, named } = groupOf(r.type);
    const group = byName.get(name) ?? { name, logicalIds: [], named };
    group.logicalIds.push(r.logicalId);
    byName.set(name, group);
  }
  const rank = (name: string) => {
    const counted = COUNT_ORDER.indexOf(name);
    if (counted !== -1) return counted;
    const named = GROUPS.findIndex((g) => g.named && g.name === name);
    return named !== -1 ? COUNT_ORDER.length + 1 + named : COUNT_ORDER.length;
  };
  return [...byName.values()].sort((a, b) => rank(a.name) - rank(b.name));
}

/**
 * The summary of a new stack's resources, a few lines without indentation:
 * "network 17, load balancer 5, ...", then one line per named group
 * ("IAM 4: TaskRole, ..."). Empty for no resources.
 */
export function resourceSummaryLines(resources: readonly PlannedResource[]): string[] {
  const groups = groupResources(resources);
  const counted = groups.filter((g) => !g.named).map((g) => `${g.name} ${g.logicalIds.length}`);
  const lines = counted.length > 0 ? [counted.join(", ")] : [];
  for (const g of groups.filter((g) => g.named)) lines.push(`${g.name} ${g.logicalIds.length}: ${g.logicalIds.join(", ")}`);
  return lines;
}

/** The counts alone on one line ("network 17, ..., IAM 4, security groups 4"), for where the plan has named them already. */
export function resourceCountsLine(resources: readonly PlannedResource[]): string {
  return groupResources(resources)
    .map((g) => `${g.name} ${g.logicalIds.length}`)
    .join(", ");
}
