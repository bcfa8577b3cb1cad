/**
 * How mlops names the stacks and tags of an endpoint. One place, so that
 * discovery (by tags) and creation always agree.
 */
import { endpointId, type EndpointConfig, type RolloutStrategy } from "../params/model.js";

/** Tag keys mlops puts on every stack it manages. */
export const TagKeys = {
  managedBy: "mlops:managed-by",
  endpoint: "mlops:endpoint",
  role: "mlops:role",
  base: "mlops:base",
  /** On a bucket teardown keeps: what it holds (`load-balancer-access-logs`, `artifact-access-logs`). */
  bucket: "mlops:bucket",
} as const;

/** What a managed stack is for. */
export type StackRole = "base" | "added" | "pipeline";

/** Name of the endpoint's own stack, from its id (`project-environment`). */
export function endpointStackName(id: string): string {
  return id;
}

/** Name of the stack that holds the endpoint's pipeline roles and artifact bucket. */
export function pipelineStackName(id: string): string {
  return `${id}-pipeline`;
}

/** Role tag of an endpoint's images stack (not an endpoint: status lists no row for it). */
export const imagesRole = "images";

/** Name of the stack that holds an endpoint's ECR repository (templates/images.yaml), created before the endpoint's own stack. */
export function imagesStackName(id: string): string {
  return `${id}-images`;
}

/** Tags of an endpoint's images stack. */
export function imagesTags(config: EndpointConfig): Record<string, string> {
  const tags: Record<string, string> = { [TagKeys.managedBy]: "mlops", [TagKeys.endpoint]: endpointId(config), [TagKeys.role]: imagesRole };
  if (config.kind === "added") tags[TagKeys.base] = baseStackName(config);
  return tags;
}

/** Name of the CodeBuild project and of the CodePipeline of an endpoint. */
export function pipelineName(id: string): string {
  return id;
}

/** Stack name of the base an added endpoint joins. */
export function baseStackName(config: Pick<EndpointConfig, "baseProject" | "environment" | "project">): string {
  return `${config.baseProject ?? config.project}-${config.environment}`;
}

/** Name of one of the base stack's exports. */
export function baseExportName(config: Pick<EndpointConfig, "baseProject" | "environment" | "project">, suffix: string): string {
  return `${baseStackName(config)}-${suffix}`;
}

/** Role tag of a load balancer shard's stack (not an endpoint: status lists no row for it). */
export const shardRole = "shard";

/** Name of a base's n-th load balancer shard stack (n >= 2: the base's own load balancer is the first). */
export function shardStackName(baseStack: string, n: number): string {
  return `${baseStack}-lb-${n}`;
}

/** The shard number of a shard stack's name, or undefined for another name. */
export function shardNumber(baseStack: string, stackName: string): number | undefined {
  const match = stackName.startsWith(`${baseStack}-lb-`) ? /^(\d+)$/.exec(stackName.slice(baseStack.length + 4)) : null;
  return match ? Number(match[1]) : undefined;
}

/** Tags of a load balancer shard's stack. */
export function shardTags(baseStack: string, stackName: string): Record<string, string> {
  return { [TagKeys.managedBy]: "mlops", [TagKeys.endpoint]: stackName, [TagKeys.role]: shardRole, [TagKeys.base]: baseStack };
}

/** Tags of an endpoint's stack or pipeline stack. */
export function stackTags(config: EndpointConfig, role: StackRole): Record<string, string> {
  const tags: Record<string, string> = {
    [TagKeys.managedBy]: "mlops",
    [TagKeys.endpoint]: endpointId(config),
    [TagKeys.role]: role,
  };
  if (config.kind === "added") tags[TagKeys.base] = baseStackName(config);
  return tags;
}

/** The templates' value of a deployment strategy. */
export function deploymentStrategyParameter(strategy: RolloutStrategy): string {
  return strategy === "blue-green" ? "BLUE_GREEN" : strategy.toUpperCase();
}

/** The strategy a stack's deployment strategy parameter names; stacks from before strategies roll. */
export function strategyOfParameter(value: string | undefined): RolloutStrategy {
  return value === "BLUE_GREEN" ? "blue-green" : value === "CANARY" ? "canary" : value === "LINEAR" ? "linear" : "rolling";
}

/** The names of the endpoint's alarms, as its stack names them (`Target5xxAlarm`, `ResponseTimeAlarm`, `UnhealthyHostsAlarm`). */
export function alarmNames(id: string): string[] {
  return [`${id}-target-5xx`, `${id}-p95-response-time`, `${id}-unhealthy-hosts`];
}
