/**
 * What `status` says of a GPU or Neuron endpoint's capacity: read from its stack as deployed
 * (the contract's compute rows; a Fargate endpoint's stack has none) and from its running tasks:
 * the capacity provider that placed them, the GPUs pinned to each, and the EC2 instance type
 * under each one.
 *
 * The instance type is not in DescribeTasks: a task on ECS Managed Instances names its
 * `containerInstanceArn` (ECS API reference, Task), and DescribeContainerInstances gives that
 * container instance's `ec2InstanceId` and its attributes, among them `ecs.instance-type`, which
 * the ECS agent sets at registration (ECS API reference, DescribeContainerInstances and
 * ContainerInstance; Amazon ECS Developer Guide, "Amazon ECS container instance attributes").
 * A container instance without that attribute, or a call that fails (a role without
 * ecs:DescribeContainerInstances), leaves the type "not readable" rather than failing status.
 */
import type { EcsApi, EcsTask } from "../../aws/interfaces.js";
import { CredentialsError, InterruptedError } from "../../errors.js";
import { ACCELERATOR_INSTANCES } from "../../params/gpu-instances.js";
import type { DeployedCompute } from "../../render/contract.js";

/** One running task's placement, as DescribeTasks and DescribeContainerInstances report it. */
export interface TaskPlacement {
  capacityProvider?: string;
  gpus?: number;
  containerInstanceArn?: string;
  /** The EC2 instance type under the task; undefined when it could not be read. */
  instanceType?: string;
}

/** The container instance attribute that names the EC2 instance type (Amazon ECS Developer Guide, "Amazon ECS container instance attributes"). */
export const INSTANCE_TYPE_ATTRIBUTE = "ecs.instance-type";
/** DescribeContainerInstances takes at most 100 container instances (ECS API reference, DescribeContainerInstances, `containerInstances`). */
const CONTAINER_INSTANCES_PER_CALL = 100;

/** "ECS Managed Instances, 1 GPU per task, On-Demand"; undefined for a Fargate endpoint. */
export function capacityText(compute: DeployedCompute | undefined): string | undefined {
  if (compute === undefined) return undefined;
  const gpus = compute.gpusPerTask;
  const perTask = gpus === undefined ? "all Neuron devices of its instance per task" : `${gpus} GPU${gpus === 1 ? "" : "s"} per task`;
  return `ECS Managed Instances, ${perTask}, ${compute.spot ? "Spot" : "On-Demand"}`;
}

/** A task's placement from DescribeTasks (the instance type is read separately, see `withInstanceTypes`). */
export function placementOf(task: EcsTask): TaskPlacement {
  if (!task.capacityProviderName) return {};
  return {
    capacityProvider: task.capacityProviderName,
    gpus: (task.containers ?? []).reduce((n, c) => n + (c.gpuIds?.length ?? 0), 0),
    ...(task.containerInstanceArn ? { containerInstanceArn: task.containerInstanceArn } : {}),
  };
}

/**
 * The placements with the instance type of each task's container instance; `error` says why
 * none could be read (the placements then keep no type).
 */
export async function withInstanceTypes<T extends TaskPlacement>(
  ecs: Pick<EcsApi, "describeContainerInstances">,
  cluster: string,
  placements: T[],
): Promise<{ placements: T[]; error?: string }> {
  // Only tasks a capacity provider placed: a Fargate task's instance is not the account's to describe.
  const arns = [
    ...new Set(placements.flatMap((p) => (p.capacityProvider !== undefined && p.containerInstanceArn !== undefined ? [p.containerInstanceArn] : []))),
  ];
  if (arns.length === 0) return { placements };
  const types = new Map<string, string>();
  try {
    for (let i = 0; i < arns.length; i += CONTAINER_INSTANCES_PER_CALL) {
      const answer = await ecs.describeContainerInstances({ cluster, containerInstances: arns.slice(i, i + CONTAINER_INSTANCES_PER_CALL) });
      for (const instance of answer.containerInstances ?? []) {
        const type = instance.attributes?.find((a) => a.name === INSTANCE_TYPE_ATTRIBUTE)?.value;
        if (instance.containerInstanceArn && type) types.set(instance.containerInstanceArn, type);
      }
    }
  } catch (error) {
    if (error instanceof CredentialsError || error instanceof InterruptedError) throw error;
    return { placements, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    placements: placements.map((p) => {
      const type = p.containerInstanceArn ? types.get(p.containerInstanceArn) : undefined;
      return type ? { ...p, instanceType: type } : p;
    }),
  };
}

/** The running tasks of a service with their placement and instance type (the `status` list's read of a GPU or Neuron endpoint). */
export async function readPlacements(
  ecs: Pick<EcsApi, "listTasks" | "describeTasks" | "describeContainerInstances">,
  cluster: string,
  serviceName: string,
): Promise<{ placements: TaskPlacement[]; error?: string }> {
  const arns = (await ecs.listTasks({ cluster, serviceName, desiredStatus: "RUNNING", maxResults: CONTAINER_INSTANCES_PER_CALL })).taskArns ?? [];
  if (arns.length === 0) return { placements: [] };
  const tasks = (await ecs.describeTasks({ cluster, tasks: arns })).tasks ?? [];
  return withInstanceTypes(ecs, cluster, tasks.map(placementOf));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The capacity text with where the running tasks are: "…; 2 tasks on g6.xlarge (on-demand) from
 * capacity provider NAME, 1 GPU each"; an instance type that could not be read is said so.
 */
export function capacityDetail(compute: DeployedCompute | undefined, tasks: TaskPlacement[], instanceTypeError?: string): string | undefined {
  const base = capacityText(compute);
  if (base === undefined || compute === undefined) return base;
  const placed = tasks.filter((t) => t.capacityProvider !== undefined);
  if (placed.length === 0) return base;
  const providers = [...new Set(placed.map((t) => t.capacityProvider as string))];
  const byType = new Map<string | undefined, number>();
  for (const t of placed) byType.set(t.instanceType, (byType.get(t.instanceType) ?? 0) + 1);
  const market = compute.spot ? "spot" : "on-demand";
  const where = [...byType]
    .map(([type, n]) =>
      type === undefined
        ? `${plural(n, "task")} (instance type not readable${instanceTypeError ? `: ${instanceTypeError}` : ""})`
        : `${plural(n, "task")} on ${type}`,
    )
    .join(", ");
  return `${base}; ${where} (${market}) from capacity provider ${providers.join(", ")}, ${perTask(compute, placed)}`;
}

/** GPUs pinned to each task; for Neuron, the devices of the instance types they run on (a Neuron task gets all of its instance's). */
function perTask(compute: DeployedCompute, placed: TaskPlacement[]): string {
  if (compute.gpusPerTask === undefined) {
    const devices = [...new Set(placed.map((t) => (t.instanceType ? ACCELERATOR_INSTANCES.get(t.instanceType)?.accelerators : undefined)))];
    if (devices.length === 1 && devices[0] !== undefined) return `${plural(devices[0], "Neuron device")} each`;
    return "Neuron devices per task unknown (instance type not readable or not in mlops's table)";
  }
  const gpus = [...new Set(placed.map((t) => t.gpus ?? 0))];
  return gpus.length === 1 ? `${plural(gpus[0] as number, "GPU")} each` : `${gpus.join("/")} GPUs`;
}
