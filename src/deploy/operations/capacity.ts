/**
 * What `status` says of a GPU or Neuron endpoint's capacity: read from its stack as deployed
 * (the contract's compute rows; a Fargate endpoint's stack has none) and, for one endpoint,
 * from its running tasks (the capacity provider that placed them, the GPUs pinned to each).
 */
import type { DeployedCompute } from "../../render/contract.js";

/** One running task's placement, as DescribeTasks reports it. */
export interface TaskPlacement {
  capacityProvider?: string;
  gpus?: number;
}

/** "ECS Managed Instances, 1 GPU per task, On-Demand"; undefined for a Fargate endpoint. */
export function capacityText(compute: DeployedCompute | undefined): string | undefined {
  if (compute === undefined) return undefined;
  const gpus = compute.gpusPerTask;
  const perTask = gpus === undefined ? "all Neuron devices of its instance per task" : `${gpus} GPU${gpus === 1 ? "" : "s"} per task`;
  return `ECS Managed Instances, ${perTask}, ${compute.spot ? "Spot" : "On-Demand"}`;
}

/** The capacity text with where the running tasks are: "…; 2 task(s) on capacity provider NAME, 1 GPU each". */
export function capacityDetail(compute: DeployedCompute | undefined, tasks: TaskPlacement[]): string | undefined {
  const base = capacityText(compute);
  if (base === undefined) return undefined;
  const providers = [...new Set(tasks.map((t) => t.capacityProvider).filter((p): p is string => p !== undefined))];
  if (tasks.length === 0 || providers.length === 0) return base;
  const gpus = [...new Set(tasks.map((t) => t.gpus ?? 0))];
  const each = gpus.length === 1 ? `${gpus[0]} GPU(s) each` : `${gpus.join("/")} GPU(s)`;
  return `${base}; ${tasks.length} task(s) on capacity provider ${providers.join(", ")}, ${each}`;
}
