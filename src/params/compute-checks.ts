/**
 * Cross-field checks of the `compute` section: a GPU or Neuron task must fit
 * the instance types it may run on, in a region that offers ECS Managed
 * Instances. Run before any AWS call, like the other checks.
 */
import type { DeepPartial, FieldNamer, Fields } from "./checks.js";
import { ACCELERATOR_INSTANCES, acceleratorFamilies, GPU_INSTANCE_SOURCE, MANAGED_INSTANCES_REGIONS } from "./gpu-instances.js";
import { formatMiB } from "./fargate.js";
import type { EndpointFile } from "./schema.js";

type Add = (path: string, message: string) => void;

/** The compute rules, for the parameter reference (see CROSS_CHECKS). */
export const COMPUTE_CROSS_CHECKS: readonly string[] = [
  "`compute.gpus`, `compute.instanceTypes`, `compute.instanceRequirements`, `compute.spot` and `compute.rootVolumeGiB` need `compute.type` `gpu` or `neuron`.",
  "A `gpu` or `neuron` endpoint: every `compute.instanceTypes` entry is in mlops's table of GPU/Neuron instance types (from the Amazon EC2 accelerated computing specifications), of the endpoint's kind, with at least `compute.gpus` accelerators (exactly that many for `neuron`: a Neuron task gets all devices of its instance), at least `container.cpu` ÷ 1024 vCPUs and more memory than `container.memory`; `compute.instanceRequirements` ranges allow them too; the region offers Amazon ECS Managed Instances. Neither the Fargate CPU sizes nor its CPU/memory pairs apply: `container.cpu` is 128-196608 CPU units.",
];

/** Manufacturers of each accelerator kind, as attribute-based selection names them. */
const MANUFACTURER: Record<"gpu" | "neuron", string[]> = { gpu: ["nvidia", "amd"], neuron: ["amazon-web-services"] };

/** True when the endpoint runs on ECS Managed Instances (`compute.type` gpu or neuron). */
export function onManagedInstances(file: DeepPartial<EndpointFile>): boolean {
  return file.compute?.type === "gpu" || file.compute?.type === "neuron";
}

/** Checks the compute section against the container's size and the region; `region` is absent when unknown. */
export function checkCompute(file: DeepPartial<EndpointFile>, region: string | undefined, name: FieldNamer, fields: Fields, add: Add): void {
  const compute = file.compute;
  if (compute === undefined || compute.type === undefined) return;
  if (compute.type === "fargate") {
    for (const key of ["gpus", "instanceTypes", "instanceRequirements", "spot", "rootVolumeGiB"]) {
      if (fields.written(`compute.${key}`)) {
        add(
          `compute.${key}`,
          `applies to GPU and Neuron endpoints only, but ${fields.label("compute.type", "fargate")}: set ${name("compute.type")} to gpu or neuron, or remove it`,
        );
      }
    }
    return;
  }
  const kind = compute.type;
  if (region !== undefined && !MANAGED_INSTANCES_REGIONS.includes(region)) {
    add(
      "compute.type",
      `Amazon ECS Managed Instances, which runs GPU and Neuron endpoints, is not offered in ${region}; deploy the endpoint in one of ${MANAGED_INSTANCES_REGIONS.join(", ")}`,
    );
  }
  const gpus = compute.gpus;
  const cpu = file.container?.cpu;
  const memory = file.container?.memory;
  const what = kind === "gpu" ? "GPUs" : "Neuron devices";
  (compute.instanceTypes ?? []).forEach((type, index) => {
    if (type === undefined) return;
    const path = `compute.instanceTypes[${index}]`;
    const instance = ACCELERATOR_INSTANCES.get(type);
    if (instance === undefined) {
      add(
        path,
        `"${type}" is not in mlops's table of ${kind === "gpu" ? "GPU" : "Neuron"} instance types (families ${acceleratorFamilies(kind).join(", ")}; ${GPU_INSTANCE_SOURCE.url}): name one of them, or select instances by ${name("compute.instanceRequirements")}`,
      );
      return;
    }
    if (instance.kind !== kind) {
      add(path, `${type} has ${instance.kind === "gpu" ? "GPUs" : "Neuron devices"}, not ${what} (${fields.label("compute.type", kind)})`);
      return;
    }
    if (gpus !== undefined && !fields.unsure("compute.gpus")) {
      if (kind === "neuron" && gpus !== instance.accelerators) {
        add(
          path,
          `${type} has ${instance.accelerators} Neuron device(s) and a Neuron task gets all of its instance's, but ${fields.label("compute.gpus", gpus)}: set ${name("compute.gpus")} to ${instance.accelerators} or name types with ${gpus}`,
        );
      } else if (gpus > instance.accelerators) {
        add(
          path,
          `${type} has ${instance.accelerators} GPU(s), fewer than ${fields.label("compute.gpus", gpus)}: name a larger type (or lower ${name("compute.gpus")})`,
        );
      }
    }
    if (cpu !== undefined && !fields.unsure("container.cpu") && cpu > instance.vcpus * 1024) {
      add(path, `${type} has ${instance.vcpus} vCPUs (${instance.vcpus * 1024} CPU units), fewer than ${fields.label("container.cpu", cpu)}`);
    }
    // The instance's own processes (ECS agent, operating system) need some of its memory: a task of all of it is never placed.
    // An instance registers less than its installed memory ("Reserving Amazon ECS Linux container instance memory",
    // Amazon ECS Developer Guide, memory-management.html), by an amount AWS does not state per type: only the installed
    // amount is known here, so a task just below it passes this check and ECS is the judge of the rest.
    if (memory !== undefined && !fields.unsure("container.memory") && memory >= instance.memoryGiB * 1024) {
      add(
        path,
        `${type} has ${instance.memoryGiB} GiB of memory, which must be more than ${fields.label("container.memory", formatMiB(memory))} (the ECS agent and operating system use some)`,
      );
    }
  });
  const requirements = compute.instanceRequirements;
  if (requirements === undefined) return;
  for (const key of ["vcpus", "memoryGiB", "acceleratorCount"] as const) {
    const range = requirements[key];
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
      add(`compute.instanceRequirements.${key}.max`, `${range.max} is below ${name(`compute.instanceRequirements.${key}.min`)} (${range.min})`);
    }
  }
  const countMax = requirements.acceleratorCount?.max;
  if (countMax !== undefined && gpus !== undefined && countMax < gpus) {
    add(
      "compute.instanceRequirements.acceleratorCount.max",
      `${countMax} is below ${fields.label("compute.gpus", gpus)}: no instance it allows could run a task`,
    );
  }
  const vcpuMax = requirements.vcpus?.max;
  if (vcpuMax !== undefined && cpu !== undefined && vcpuMax * 1024 < cpu) {
    add("compute.instanceRequirements.vcpus.max", `${vcpuMax} vCPUs (${vcpuMax * 1024} CPU units) is below ${fields.label("container.cpu", cpu)}`);
  }
  const memoryMax = requirements.memoryGiB?.max;
  if (memoryMax !== undefined && memory !== undefined && memoryMax * 1024 <= memory) {
    add("compute.instanceRequirements.memoryGiB.max", `${memoryMax} GiB must be more than ${fields.label("container.memory", formatMiB(memory))}`);
  }
  (requirements.acceleratorManufacturers ?? []).forEach((maker, index) => {
    if (maker !== undefined && !MANUFACTURER[kind].includes(maker)) {
      add(
        `compute.instanceRequirements.acceleratorManufacturers[${index}]`,
        `${maker} makes no ${what} (${fields.label("compute.type", kind)}); use ${MANUFACTURER[kind].join(" or ")}`,
      );
    }
  });
  (requirements.acceleratorNames ?? []).forEach((model, index) => {
    if (model !== undefined && (model === "inferentia") !== (kind === "neuron")) {
      add(`compute.instanceRequirements.acceleratorNames[${index}]`, `${model} is not one of the ${what} (${fields.label("compute.type", kind)})`);
    }
  });
}
