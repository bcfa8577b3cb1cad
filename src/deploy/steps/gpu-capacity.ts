/**
 * Why a task of a GPU or Neuron endpoint did not start, in the endpoint's terms. ECS stops a task it
 * could not place with the reason `TaskFailedToStart: RESOURCE:<kind>` when no instance has the
 * GPUs, CPU or memory the task asks for ("Amazon ECS API failure reasons", Amazon ECS Developer
 * Guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
 * On ECS Managed Instances that means ECS could not launch an instance type the capacity provider
 * allows (none free in the region or the subnets' zones, or a type without enough of it).
 */

/** What to do about a stopped task's reason; undefined for reasons that are not about placement. */
export function placementAdvice(reason: string): string | undefined {
  const kind = /RESOURCE:(GPU|CPU|MEMORY)/i.exec(reason)?.[1]?.toUpperCase();
  if (kind === undefined) return undefined;
  if (kind === "GPU") {
    return "no instance with enough free GPUs could be had: name more instance types or families in compute.instanceTypes (or widen compute.instanceRequirements), or turn compute.spot off (On-Demand capacity); GPU capacity differs by region and Availability Zone, so a base whose private subnets span more zones, or another region, widens the choice too";
  }
  return `no instance with enough ${kind === "CPU" ? "vCPUs" : "memory"} for the task: lower container.${kind === "CPU" ? "cpu" : "memory"} or allow larger instance types in compute`;
}
