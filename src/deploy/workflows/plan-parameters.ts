/**
 * The plan's parameter helpers: what a change of a stack's parameters means
 * (mechanism only, a summary in the parameter file's words, a replacement
 * that is refused), and the rollout the configuration asks for, in words.
 * The parameters themselves are known only to the contract (render/contract.ts).
 */
import type { Stack } from "../../aws/interfaces.js";
import { InputError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { isImageParameter, isMechanismParameter, keptFactsOf, parameterLabel, replacingChanges, type DeployedEndpoint } from "../../render/contract.js";
import type { DeploymentFacts } from "../../render/render.js";
import type { ParameterChange, ResourceDiff } from "../engine/template-diff.js";
import { stackParameters } from "../engine/discovery.js";
import { gpuAssumptionsOf, INSTANCE_LAUNCH_SOURCE } from "../engine/gpu-plan.js";
import { estimateRollout, rolloutEstimateLine, rolloutSettingsOf } from "../engine/rollout-time.js";

/**
 * True when a stack's update would change only how mlops deploys (the task count handed to
 * autoscaling, the listener rule's live weights), nothing the user configured: not worth an update
 * alone; it goes out with the next real one.
 */
export function isMechanismOnly(parameters: ParameterChange[], changes: ResourceDiff[]): boolean {
  return parameters.every((p) => isMechanismParameter(p.key)) && changes.every((c) => isCountHandedToAutoscaling(c) || isLiveWeightsOnly(c));
}

/**
 * After the rollout that sent the task count, the next render stops sending it (a mechanism row of the contract),
 * which drops the count from the Service. That is no change: "for existing services, if a desired count is not specified,
 * it is omitted from the operation" (AWS::ECS::Service DesiredCount, CloudFormation User Guide), so the service
 * keeps its count. Alone, it is not worth an update; it goes out with the next real one.
 */
export function isCountHandedToAutoscaling(change: ResourceDiff): boolean {
  return (
    change.type === "AWS::ECS::Service" && change.action === "Modify" && change.properties.every((p) => p.path === "DesiredCount" && p.after === undefined)
  );
}

/** A change without the task count handed to autoscaling (no change, see above); none when nothing else changes. */
export function withoutCountHandover(change: ResourceDiff): ResourceDiff[] {
  if (change.type !== "AWS::ECS::Service" || change.action !== "Modify") return [change];
  const properties = change.properties.filter((p) => !isCountHandedToAutoscaling({ ...change, properties: [p] }));
  return properties.length === 0 ? [] : [{ ...change, properties }];
}

/**
 * The listener rule's weights rendered from the live rule (see steps/traffic.ts) differ from the
 * stack's when ECS moved them since: writing them back changes nothing on the load balancer, so
 * alone it is not worth an update; they go out with the next real one.
 */
export function isLiveWeightsOnly(change: ResourceDiff): boolean {
  return change.type === "AWS::ElasticLoadBalancingV2::ListenerRule" && change.action === "Modify" && change.properties.every((p) => /\.Weight$/.test(p.path));
}

/** A summary of configuration and image changes, in the words of the parameter file ("memory 2048 -> 4096"). */
export function changeSummary(parameters: ParameterChange[], tag: string | undefined): string[] {
  const config = parameters
    .filter((p) => !isImageParameter(p.key) && !isMechanismParameter(p.key))
    .map((p) => `${parameterLabel(p.key)} ${p.before ?? "(none)"} -> ${p.after ?? "(none)"}`);
  const image = parameters.find((p) => isImageParameter(p.key));
  const lines: string[] = [];
  if (config.length > 0) lines.push(`configuration changed: ${config.join(", ")}`);
  if (image) lines.push(`image changed: ${image.before ?? "(none)"} -> ${image.after ?? "(none)"}`);
  else if (tag) lines.push(`image unchanged: ${tag}`);
  return lines;
}

/** The rollout the configuration asks for, in one line. */
export function rolloutStrategy(config: EndpointConfig): string {
  const r = config.rollout;
  // ECS's circuit breaker judges rolling and blue/green deployments only (see the templates' Service).
  const breaker = r.circuitBreakerRollback && (r.strategy === "rolling" || r.strategy === "blue-green");
  const judges = `${breaker ? "failing tasks (circuit breaker) or" : ""} an alarm in ALARM roll${breaker ? "" : "s"} it back`.trim();
  switch (r.strategy) {
    case "blue-green":
      return `blue/green: the new revision starts beside the old one and takes all traffic at once; both run ${r.bakeMinutes} min more (bake time); ${judges}`;
    case "canary":
      return `canary: ${r.canaryPercent}% of traffic to the new revision for ${r.canaryBakeMinutes} min, then all of it; ${r.bakeMinutes} min bake time; ${judges}`;
    case "linear":
      return `linear: ${r.linearStepPercent}% of traffic more every ${r.linearStepBakeMinutes} min; ${r.bakeMinutes} min bake time; ${judges}`;
    default:
      return `rolling update keeping ${r.minimumHealthyPercent}% of tasks serving, up to ${r.maximumPercent}%; ${judges}`;
  }
}

/** The plan's line on how long the rollout takes on AWS, from the configuration's rollout settings. */
export function rolloutEstimate(config: EndpointConfig): string {
  const settings = rolloutSettingsOf(config);
  if (config.compute === undefined) return rolloutEstimateLine(settings);
  // A GPU task may wait for a new instance and a large image: see GPU_ASSUMPTIONS for what is assumed.
  const a = gpuAssumptionsOf(config);
  const instance = a.instanceLaunchSeconds > 0 ? `a new instance ready in ~${a.instanceLaunchSeconds / 60} min` : "no new instance (tasks replaced in place)";
  const line = `${rolloutEstimateLine(settings, a)} Assumed for a GPU task: ${instance}, a ${a.imageGB} GB CUDA image pulled in ~${a.imagePullSeconds / 60} min, the model loaded in ~${a.modelLoadSeconds / 60} min (not AWS figures: measure yours; ${INSTANCE_LAUNCH_SOURCE.says}, ${INSTANCE_LAUNCH_SOURCE.page}).`;
  // The commands wait 15 minutes for a rollout unless told otherwise (--rollout-timeout); a GPU rollout may need longer.
  const minutes = Math.ceil(estimateRollout(settings, a).totalSeconds / 60);
  return minutes + 5 > 15 ? `${line} Give --rollout-timeout ${minutes + 5} or more: the default of 15 minutes may end the wait before the rollout does.` : line;
}

/** What a deployed endpoint carries into its next rendering: kept file systems and log group, weights settings, the count it runs. */
export function deployedFacts(deployed: DeployedEndpoint): DeploymentFacts {
  return { ...keptFactsOf(deployed), deployedDesiredCount: deployed.desiredCount };
}

/**
 * Refuses, before any change, a parameter change that would need a custom-named resource replaced,
 * which CloudFormation cannot do ("If you specify a name, you cannot perform updates that require
 * replacement of this resource": the Name property of AWS::ElasticLoadBalancingV2::TargetGroup,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html).
 *
 * Decided per resource: every named resource keeps its name (`project-environment`, which
 * users see and search for), because no field of the parameter file reaches its create-only
 * properties except the target group's: the load balancer's (Name, Scheme, Type), the cluster's
 * and service's (ClusterName, ServiceName, Cluster, Role, SchedulingStrategy), the repository's
 * (RepositoryName) and the log group's (LogGroupName) are fixed by mlops. The target group's
 * Port (api.port) and VpcId (network.vpcCidr replaces the VPC) are create-only: the contract marks
 * those rows (render/contract.ts), their changes are refused here before anything changes, and the
 * stack step refuses any other replacement of a named resource from the change set itself.
 */
export function refuseReplacements(config: EndpointConfig, existing: Stack, invocation?: Invocation): void {
  const issues = replacingChanges(config, stackParameters(existing)).map((change) => ({
    file: config.source,
    path: change.field,
    message: `is ${change.before} on the deployed endpoint ${endpointId(config)}; changing it to ${change.after} would replace ${change.what}, which CloudFormation cannot do for a resource with a fixed name. Nothing was changed`,
  }));
  if (issues.length > 0) {
    throw new InputError(
      issues,
      `Keep the deployed value. To change it, tear the endpoint down (${runnable(`mlops teardown ${config.source}`, invocation)}; its EFS data is kept) and create it again with the new value.`,
    );
  }
}
