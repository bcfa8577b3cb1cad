/**
 * What a GPU or Neuron endpoint's plan says beyond a Fargate one's: the capacity (instance types or
 * attributes, accelerators per task, Spot or On-Demand), what the instances cost where mlops knows
 * it, how many extra instances a rollout starts, and the rollout-time assumptions of an instance
 * that must first be launched and pull a large CUDA image. Pure: no AWS.
 */
import { ACCELERATOR_INSTANCES } from "../../params/gpu-instances.js";
import type { ComputeConfig, EndpointConfig } from "../../params/model.js";
import { PRICE_SOURCES, PRICES, PRICES_AS_OF } from "../../render/prices.js";
import type { RolloutAssumptions } from "./rollout-time.js";

/**
 * The rollout-time model's assumptions for a GPU task, which unlike a Fargate task may need a new
 * instance first. Neither figure is documented by AWS; both are assumptions to replace with what
 * the endpoint measures: an instance launched, booted and registered with the cluster in about
 * 3 minutes, then a 10 GB CUDA image pulled and unpacked in about 4 minutes (~40 MB/s); and a model
 * loaded onto the GPU in about 2 minutes. What AWS does document is the wait itself (see
 * `INSTANCE_LAUNCH_SOURCE`), which the rollout watch names (steps/managed-instances.ts).
 */
export const GPU_ASSUMPTIONS: RolloutAssumptions & { instanceLaunchSeconds: number; imagePullSeconds: number; imageGB: number } = {
  instanceLaunchSeconds: 180,
  imagePullSeconds: 240,
  imageGB: 10,
  taskStartSeconds: 180 + 240,
  modelLoadSeconds: 120,
};

/**
 * Where the instance-launch assumption comes from: AWS documents that a task waits in PROVISIONING
 * while capacity is launched for it, and publishes no launch time, so the 3 minutes are mlops's
 * assumption, not AWS's figure.
 */
export const INSTANCE_LAUNCH_SOURCE = {
  page: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html",
  says: "a task waits in PROVISIONING while its instance launches; AWS gives no launch time",
} as const;

/**
 * The rollout-time assumptions of this endpoint's GPU tasks: a rollout that starts tasks beside the
 * running ones waits for a new instance; one that replaces tasks in place (no extra task) starts each
 * new task on the accelerator its old task freed, so only the image pull remains.
 */
export function gpuAssumptionsOf(config: EndpointConfig): typeof GPU_ASSUMPTIONS {
  if (extraTasks(config) > 0) return GPU_ASSUMPTIONS;
  return { ...GPU_ASSUMPTIONS, instanceLaunchSeconds: 0, taskStartSeconds: GPU_ASSUMPTIONS.imagePullSeconds };
}

/** "g6.xlarge, g5.xlarge" or the attributes that select the instances. */
function instancesText(compute: ComputeConfig): string {
  if (compute.instanceTypes !== undefined) return compute.instanceTypes.join(", ");
  const r = compute.instanceRequirements ?? {};
  const range = (what: string, value: { min?: number; max?: number } | undefined): string | undefined =>
    value === undefined ? undefined : `${what} ${value.min ?? 0}${value.max === undefined ? "+" : `-${value.max}`}`;
  const parts = [
    `${compute.type === "gpu" ? (r.acceleratorManufacturers ?? ["nvidia"]).join("/") : "AWS Inferentia/Trainium"} accelerators >= ${compute.gpus}`,
    r.acceleratorNames === undefined ? undefined : `models ${r.acceleratorNames.join("/")}`,
    range("vCPUs", r.vcpus),
    range("GiB", r.memoryGiB),
  ].filter((p): p is string => p !== undefined);
  return `any type with ${parts.join(", ")}`;
}

/** Tasks one instance holds: the fewest any named type holds (its accelerators ÷ the task's), 1 for attribute selection. */
function tasksPerInstance(compute: ComputeConfig): number {
  const counts = (compute.instanceTypes ?? []).map((type) => Math.floor((ACCELERATOR_INSTANCES.get(type)?.accelerators ?? compute.gpus) / compute.gpus));
  return counts.length === 0 ? 1 : Math.max(1, Math.min(...counts));
}

/** Extra tasks a rollout runs beside the old ones: ECS rolling updates up to maximumPercent; the traffic-shifting strategies start a full new revision. */
function extraTasks(config: EndpointConfig): number {
  const desired = Math.max(1, config.scaling.desired);
  if (config.rollout.strategy !== "rolling") return desired;
  return Math.floor((desired * (config.rollout.maximumPercent - 100)) / 100);
}

/** How a rolling update with maximumPercent 100 replaces tasks: how many at a time, how many keep serving (ECS rounds minimumHealthyPercent up). */
function inPlaceText(config: EndpointConfig): string {
  const desired = Math.max(1, config.scaling.desired);
  const serving = Math.ceil((desired * config.rollout.minimumHealthyPercent) / 100);
  const atOnce = Math.max(1, desired - serving);
  return `maximumPercent ${config.rollout.maximumPercent} and minimumHealthyPercent ${config.rollout.minimumHealthyPercent} replace ${atOnce} of ${desired} task(s) at a time in place, ${serving} keep${serving === 1 ? "s" : ""} serving`;
}

/** What replacing tasks in place would take instead of extra instances: with fewer than 2 tasks none would keep serving. */
function inPlaceAdvice(config: EndpointConfig): string {
  if (config.rollout.strategy !== "rolling") return "a traffic-shifting rollout starts the whole new revision beside the old one";
  return config.scaling.min >= 2
    ? "rollout.minimumHealthyPercent below 100 with maximumPercent 100 replaces tasks in place instead, with fewer serving meanwhile"
    : "replacing tasks in place (maximumPercent 100) instead needs scaling.min 2 or more, or no task serves while one is replaced";
}

/**
 * The plan's lines on a GPU or Neuron endpoint's capacity, price and rollout; none for a Fargate endpoint.
 * Prices come from the table the plan's Cost line and the README use, so the three never disagree.
 */
export function capacityLines(config: EndpointConfig, region: string): string[] {
  const compute = config.compute;
  if (compute === undefined) return [];
  const what = compute.type === "gpu" ? "GPU" : "Neuron device";
  const lines = [
    `Capacity: ECS Managed Instances, ${compute.spot ? "Spot (EC2 may reclaim an instance with two minutes' notice)" : "On-Demand"}; ${compute.gpus} ${what}${compute.gpus > 1 ? "s" : ""} per task; instances: ${instancesText(compute)}; root volume ${compute.rootVolumeGiB} GiB`,
  ];
  const prices = (compute.instanceTypes ?? []).map((type) => {
    const price = PRICES[region]?.ec2InstanceHour?.[type];
    return price === undefined
      ? `${type} price unknown`
      : `${type} $${price.toFixed(3)}/h On-Demand in ${region} (${PRICE_SOURCES.ec2}, as of ${PRICES_AS_OF})`;
  });
  lines.push(
    `Price: ${prices.length > 0 ? prices.join("; ") : "price unknown (instances chosen by attributes)"}; ECS Managed Instances adds its management fee per instance-hour (https://aws.amazon.com/ecs/pricing/)`,
  );
  const extra = extraTasks(config);
  const perInstance = tasksPerInstance(compute);
  const instances = Math.ceil(extra / perInstance);
  lines.push(
    extra === 0
      ? `Rollout capacity: no extra instance: ${inPlaceText(config)}`
      : `Rollout capacity: up to ${extra} extra task(s) beside the running ones, so ECS launches up to ${instances} extra instance(s) for the length of the rollout (${perInstance} task(s) per instance); ${inPlaceAdvice(config)}`,
  );
  return lines;
}
