/**
 * `status`: every endpoint mlops manages in the account and region, read
 * from AWS (stack tags), with its image, tasks and target health.
 */
import type { DeployContext } from "./context.js";
import { listManagedStacks, stackParameters, type ManagedStack } from "./discovery.js";
import { stackOutputs } from "./stack.js";
import { targetHealthCounts } from "./validate.js";

/** One endpoint's state. */
export interface EndpointStatus {
  endpoint: string;
  role: "base" | "added";
  stackName: string;
  stackStatus: string;
  imageTag?: string;
  desired?: number;
  running?: number;
  healthyTargets?: number;
  totalTargets?: number;
  url?: string;
  pipeline: boolean;
}

/** Reads the state of every managed endpoint, or of those `select` picks. */
export async function endpointStatuses(ctx: DeployContext, select?: (stack: ManagedStack) => boolean): Promise<EndpointStatus[]> {
  const managed = await listManagedStacks(ctx.aws.cloudFormation);
  const pipelines = new Set(managed.filter((m) => m.role === "pipeline").map((m) => m.endpointId));
  const statuses: EndpointStatus[] = [];
  for (const m of managed) {
    if (m.role === "pipeline" || (select && !select(m))) continue;
    const params = stackParameters(m.stack);
    const outputs = stackOutputs(m.stack);
    const status: EndpointStatus = {
      endpoint: m.endpointId,
      role: m.role,
      stackName: m.stackName,
      stackStatus: m.stack.StackStatus ?? "UNKNOWN",
      imageTag: params.APITag,
      url: params.HostHeaderApi ? `https://${params.HostHeaderApi}` : undefined,
      pipeline: pipelines.has(m.endpointId),
    };
    if (outputs.ClusterName && outputs.ServiceName) {
      const service = (await ctx.aws.ecs.describeServices({ cluster: outputs.ClusterName, services: [outputs.ServiceName] })).services?.[0];
      status.desired = service?.desiredCount;
      status.running = service?.runningCount;
    }
    if (outputs.TargetGroupArn) {
      const health = await targetHealthCounts(ctx.aws.elb, outputs.TargetGroupArn);
      status.totalTargets = health.total;
      status.healthyTargets = health.healthy;
    }
    statuses.push(status);
  }
  return statuses;
}
