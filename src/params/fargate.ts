/**
 * Task sizes: Fargate's CPU/memory pairs, and the CPU range of a task on the
 * EC2 instances of ECS Managed Instances (GPU and Neuron endpoints). Memory is
 * accepted in the forms people actually write (2048, "2048", "2GB", "2 GB",
 * "0.5GB", "512MB", "2GiB") and normalized to MiB.
 */

/**
 * Memory (MiB) Fargate allows for each CPU value on Linux, as in the "Task size" table of
 * "Amazon ECS task definition parameters for Fargate" (Amazon ECS Developer Guide) and the
 * `cpu`/`memory` fields of RegisterTaskDefinition. 8 and 16 vCPU need Linux platform 1.4.0 or
 * later, which `PlatformVersion: LATEST` in the templates is.
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

/** Every multiple of `step` MiB from `from` to `to`. */
function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/** Human form of a MiB amount: "2 GB" when whole gigabytes, else "512 MiB". */
export function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GB` : `${mib} MiB`;
}

/** The memory allowed with a CPU value, for messages: "2 GB to 8 GB in 1 GB steps". */
export function describeAllowedMemory(cpu: number): string {
  const allowed = FARGATE_SIZES.get(cpu) ?? [];
  if (cpu === 256) return allowed.map(formatMiB).join(", ");
  const step = (allowed[1] ?? 0) - (allowed[0] ?? 0);
  return `${formatMiB(allowed[0] ?? 0)} to ${formatMiB(allowed[allowed.length - 1] ?? 0)} in ${formatMiB(step)} steps`;
}

/** CPU units written as units (1024) or vCPUs ("1 vCPU", "0.25 vCPU"); undefined when neither. */
function cpuUnits(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpus?)?\s*$/i.exec(value);
  if (!match) return undefined;
  return match[2] ? Number(match[1]) * 1024 : Number(match[1]);
}

/** `"1 vCPU"` quoted, a number as it is: how a CPU value is shown back in messages. */
function shownCpu(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** Parses a Fargate CPU value: CPU units (1024) or vCPUs ("1 vCPU", "0.25 vCPU"). Returns a message when invalid. */
export function parseCpu(value: unknown): number | { error: string } {
  const units = cpuUnits(value);
  const valid = [...FARGATE_SIZES.keys()];
  if (units === undefined || !valid.includes(units)) {
    return { error: `${shownCpu(value)} is not a Fargate CPU size; use one of ${valid.join(", ")} (1024 = 1 vCPU)` };
  }
  return units;
}

/**
 * Task CPU units on EC2 capacity, which ECS Managed Instances is: any whole number in this range, with no
 * memory pairs; the instance the task is placed on bounds it further. `cpu` of RegisterTaskDefinition
 * (Amazon ECS API Reference, API_RegisterTaskDefinition.html): "If you're using the EC2 launch type or the
 * external launch type, this field is optional. Supported values are between 128 CPU units (0.125 vCPUs)
 * and 196608 CPU units (192 vCPUs)."
 */
export const EC2_TASK_CPU = { min: 128, max: 196608 } as const;

/** Parses the CPU value of a task on ECS Managed Instances (GPU, Neuron): CPU units or vCPUs within `EC2_TASK_CPU`. */
export function parseInstanceCpu(value: unknown): number | { error: string } {
  const units = cpuUnits(value);
  const usage = `use CPU units from ${EC2_TASK_CPU.min} to ${EC2_TASK_CPU.max} (1024 = 1 vCPU; "${EC2_TASK_CPU.min / 1024} vCPU" to "${EC2_TASK_CPU.max / 1024} vCPU" also accepted)`;
  if (units === undefined || units < EC2_TASK_CPU.min || units > EC2_TASK_CPU.max) {
    return { error: `${shownCpu(value)} is not a task CPU size on ECS Managed Instances; ${usage}` };
  }
  if (!Number.isInteger(units)) return { error: `${shownCpu(value)} is ${units} CPU units, not a whole number; ${usage}` };
  return units;
}

/** Parses a memory amount into MiB. A bare number is MiB; MB/MiB mean MiB and GB/GiB mean 1024 MiB, as in Fargate. */
export function parseMemory(value: unknown): number | { error: string } {
  const usage = 'use MiB (2048) or a size with a unit ("2GB", "512MB")';
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value <= 0) return { error: `${value} is not a whole positive number of MiB; ${usage}` };
    return value;
  }
  if (typeof value !== "string") return { error: `expected a memory size, got ${typeof value}; ${usage}` };
  const match = /^\s*(\d+(?:\.\d+)?)\s*(mib|mb|m|gib|gb|g)?\s*$/i.exec(value);
  if (!match) return { error: `"${value}" is not a memory size; ${usage}` };
  const amount = Number(match[1]);
  const unit = (match[2] ?? "mib").toLowerCase();
  const mib = unit.startsWith("g") ? amount * 1024 : amount;
  if (!Number.isInteger(mib) || mib <= 0) return { error: `"${value}" is not a whole positive number of MiB; ${usage}` };
  return mib;
}
