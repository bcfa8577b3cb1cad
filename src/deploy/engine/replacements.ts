/**
 * Which changes of a change set replace a resource whose replacement deletes
 * data or cuts traffic. CloudFormation replaces by creating the new resource
 * and deleting the old one: for a file system, log group, repository or bucket
 * the old one's contents go with it; for a load balancer, listener, target
 * group or service the endpoint stops answering until the new one is ready
 * (and a custom-named one cannot be replaced at all). See
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
 */
import type { Change } from "../../aws/interfaces.js";

/** What replacing a resource of a type would cost. */
export type ReplacementCost = "deletes data" | "cuts traffic";

const costs: Record<string, ReplacementCost> = {
  "AWS::EFS::FileSystem": "deletes data",
  "AWS::Logs::LogGroup": "deletes data",
  "AWS::ECR::Repository": "deletes data",
  "AWS::S3::Bucket": "deletes data",
  "AWS::ElasticLoadBalancingV2::LoadBalancer": "cuts traffic",
  "AWS::ElasticLoadBalancingV2::Listener": "cuts traffic",
  "AWS::ElasticLoadBalancingV2::TargetGroup": "cuts traffic",
  "AWS::ECS::Service": "cuts traffic",
};

/** A replacement the user must approve with --yes. */
export interface CostlyReplacement {
  logicalId: string;
  type: string;
  /** "True": replaced; "Conditional": may be replaced, depending on values known only during the update. */
  replacement: "True" | "Conditional";
  cost: ReplacementCost;
}

/** The changes that replace (or may replace) a resource whose replacement deletes data or cuts traffic. */
export function costlyReplacements(changes: Change[]): CostlyReplacement[] {
  const found: CostlyReplacement[] = [];
  for (const change of changes) {
    const r = change.ResourceChange;
    if (!r || r.Action !== "Modify" || (r.Replacement !== "True" && r.Replacement !== "Conditional")) continue;
    const cost = r.ResourceType ? costs[r.ResourceType] : undefined;
    if (cost) found.push({ logicalId: r.LogicalResourceId ?? "?", type: r.ResourceType ?? "?", replacement: r.Replacement, cost });
  }
  return found;
}

/** One line naming a costly replacement and what it changes, e.g. "EfsAssets (AWS::EFS::FileSystem) is replaced: deletes data". */
export function describeReplacement(r: CostlyReplacement): string {
  const what = r.replacement === "True" ? "is replaced" : "may be replaced";
  const detail = r.cost === "deletes data" ? "the old one and its data are deleted" : "the endpoint stops answering until the new one is ready";
  return `${r.logicalId} (${r.type}) ${what}: ${detail}`;
}

/**
 * Types whose replacement is their normal way of changing: a task definition is immutable, so every change
 * registers a new revision and the service moves to it ("Update requires: Replacement" for each property of
 * AWS::ECS::TaskDefinition in the CloudFormation User Guide). The change table shows it; it is not a warning.
 */
const routineReplacementTypes = new Set(["AWS::ECS::TaskDefinition"]);

/** True when replacing a resource of this type is how it changes, nothing to warn about. */
export function isRoutineReplacement(resourceType: string | undefined): boolean {
  return resourceType !== undefined && routineReplacementTypes.has(resourceType);
}
