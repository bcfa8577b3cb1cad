/**
 * What the tasks of a GPU or Neuron endpoint (ECS Managed Instances) go through that Fargate tasks
 * do not, named so that a rollout watch and `status` do not mistake it for a failure:
 *
 * - Waiting for an instance. When no instance of the capacity provider has room for a new task,
 *   ECS launches one and the task waits in `PROVISIONING` meanwhile instead of failing (Amazon ECS
 *   Developer Guide, "Amazon ECS task lifecycle",
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html, and
 *   "Automatically manage Amazon ECS capacity with cluster auto scaling",
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html). A GPU
 *   instance takes minutes to launch, boot and register (the rollout-time model's
 *   `instanceLaunchSeconds`, an assumption: AWS publishes no launch time).
 * - Spot interruptions. With `compute.spot` the capacity provider launches Spot Instances, which
 *   "can be interrupted by Amazon EC2 with a two-minute notification" (ECS API reference,
 *   InstanceLaunchTemplate, `capacityOptionType`). ECS stops the tasks of a reclaimed instance
 *   with the stop code `SpotInterruption` (ECS API reference, Task, `stopCode`) and the service
 *   scheduler starts replacements elsewhere (Amazon ECS Developer Guide, "Draining Amazon ECS
 *   container instances"). AWS documents no `stoppedReason` text for Managed Instances, so the stop
 *   code alone decides.
 */
import type { EcsApi, EcsTask } from "../../aws/interfaces.js";

/** What a Spot interruption means, for a stopped task's line. */
export const SPOT_INTERRUPTION_TEXT =
  "Spot interruption: EC2 reclaimed the Spot instance (two-minute notice), not an application crash; the service starts a replacement task, as expected with compute.spot";

/** Whether ECS stopped the task because EC2 reclaimed its Spot instance. */
export function spotInterruption(task: Pick<EcsTask, "stopCode">): boolean {
  return task.stopCode === "SpotInterruption";
}

/** Whether the task waits for ECS Managed Instances to launch an instance for it. */
export function waitsForInstance(task: Pick<EcsTask, "lastStatus" | "desiredStatus" | "capacityProviderName">): boolean {
  return task.lastStatus === "PROVISIONING" && task.desiredStatus === "RUNNING" && task.capacityProviderName !== undefined;
}

/** Stopped tasks looked at: enough for the interruptions of one instance. */
const STOPPED_LOOKED_AT = 10;
/** Running tasks looked at: with the stopped ones, within the 100 tasks one DescribeTasks takes (ECS API reference, DescribeTasks, `tasks`). */
const RUNNING_LOOKED_AT = 100 - STOPPED_LOOKED_AT;

/**
 * The rollout-watch note of a service on ECS Managed Instances: tasks waiting for an instance to
 * launch, and tasks a Spot interruption stopped (which the service replaces); undefined when neither.
 */
export async function managedInstancesNote(
  ecs: Pick<EcsApi, "listTasks" | "describeTasks">,
  cluster: string,
  serviceName: string,
  since?: Date,
): Promise<string | undefined> {
  const [running, stopped] = await Promise.all([
    ecs.listTasks({ cluster, serviceName, desiredStatus: "RUNNING", maxResults: RUNNING_LOOKED_AT }),
    ecs.listTasks({ cluster, serviceName, desiredStatus: "STOPPED", maxResults: STOPPED_LOOKED_AT }),
  ]);
  const arns = [...(running.taskArns ?? []), ...(stopped.taskArns ?? [])];
  if (arns.length === 0) return undefined;
  const tasks = (await ecs.describeTasks({ cluster, tasks: arns })).tasks ?? [];
  const waiting = tasks.filter(waitsForInstance).length;
  const interrupted = tasks.filter((t) => spotInterruption(t) && (!since || !t.stoppedAt || t.stoppedAt >= since)).length;
  const parts: string[] = [];
  if (waiting > 0) {
    parts.push(
      `${waiting} task(s) waiting for ECS Managed Instances to launch an EC2 instance (PROVISIONING; a GPU instance takes minutes to launch and register: waiting, not stuck)`,
    );
  }
  if (interrupted > 0)
    parts.push(
      `${interrupted} task(s) stopped by a Spot interruption (EC2 reclaimed the instance); the service starts replacements, as expected with compute.spot`,
    );
  return parts.length > 0 ? parts.join("; ") : undefined;
}
