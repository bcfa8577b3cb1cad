/**
 * The EC2 instance types with NVIDIA GPUs or AWS Neuron devices that a GPU or
 * Neuron endpoint may name, with what each offers a task. mlops checks a
 * parameter file against this table before any AWS call: a task asking for
 * more accelerators, vCPUs or memory than its instance type has would never
 * be placed, and ECS would only say so after the rollout has started.
 */

/** What kind of accelerator an instance type carries. */
export type AcceleratorKind = "gpu" | "neuron";

/** One instance type: its accelerators and the vCPUs and memory beside them. */
export interface AcceleratorInstance {
  kind: AcceleratorKind;
  /** Accelerators (GPUs, or Inferentia/Trainium devices) per instance. */
  accelerators: number;
  /** The accelerator's name as EC2 attribute-based selection spells it (AcceleratorNames). */
  acceleratorName: string;
  /** Memory of one accelerator, GiB. */
  acceleratorMemoryGiB: number;
  vcpus: number;
  memoryGiB: number;
}

/**
 * Where the numbers below come from, all read on 2026-12-08. Every row is one that an AWS-published
 * page states; sizes for which no such page was found (g6.12xlarge, g6.24xlarge, g6.48xlarge, and
 * the g6e and p5 families) are left out rather than guessed.
 * - g4dn, g5, p4d, inf2 accelerators, vCPUs and memory: the "Hardware specifications" table of the
 *   Amazon EC2 User Guide's "Linux accelerated computing instances" page, in its published source
 *   https://github.com/awsdocs/amazon-ec2-user-guide/blob/d289961421fa79447add68ca26e3ec5ae96fdf41/doc_source/accelerated-computing-instances.md
 * - g4dn, g5, g6 GPUs, GPU memory, vCPUs and memory: AWS Batch User Guide, "Run GPU jobs",
 *   https://docs.aws.amazon.com/batch/latest/userguide/gpu-jobs.html (read in its de_de, ko_kr and
 *   pt_br editions; the tables give the same numbers).
 * - p4d GPU memory (8 x 40 GB NVIDIA A100): AWS Compute Blog, "Amazon EC2 P4d instances deep dive",
 *   https://aws.amazon.com/blogs/compute/amazon-ec2-p4d-instances-deep-dive/
 * - inf2 devices, device memory (32 GiB each), vCPUs and host memory: AWS Neuron documentation,
 *   "Amazon EC2 Inf2 Architecture",
 *   https://awsdocs-neuron.readthedocs-hosted.com/en/latest/general/arch/neuron-hardware/inf2-arch.html
 */

/** The page messages send a user to for an instance type that is not in the table. */
export const GPU_INSTANCE_SOURCE = {
  url: "https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html",
  title: "Amazon EC2 instance type specifications: Accelerated computing",
} as const;

/** [size, accelerators, vCPUs, memory GiB] of one family's sizes. */
type Size = readonly [string, number, number, number];

function family(
  name: string,
  kind: AcceleratorKind,
  acceleratorName: string,
  acceleratorMemoryGiB: number,
  sizes: readonly Size[],
): [string, AcceleratorInstance][] {
  return sizes.map(([size, accelerators, vcpus, memoryGiB]) => [
    `${name}.${size}`,
    { kind, accelerators, acceleratorName, acceleratorMemoryGiB, vcpus, memoryGiB },
  ]);
}

/** The instance types a `compute.instanceTypes` entry may name. */
export const ACCELERATOR_INSTANCES: ReadonlyMap<string, AcceleratorInstance> = new Map([
  // NVIDIA T4, 16 GiB (EC2 User Guide; AWS Batch "Run GPU jobs").
  ...family("g4dn", "gpu", "t4", 16, [
    ["xlarge", 1, 4, 16],
    ["2xlarge", 1, 8, 32],
    ["4xlarge", 1, 16, 64],
    ["8xlarge", 1, 32, 128],
    ["12xlarge", 4, 48, 192],
    ["16xlarge", 1, 64, 256],
  ]),
  // NVIDIA A10G, 24 GiB (EC2 User Guide; AWS Batch "Run GPU jobs").
  ...family("g5", "gpu", "a10g", 24, [
    ["xlarge", 1, 4, 16],
    ["2xlarge", 1, 8, 32],
    ["4xlarge", 1, 16, 64],
    ["8xlarge", 1, 32, 128],
    ["12xlarge", 4, 48, 192],
    ["16xlarge", 1, 64, 256],
    ["24xlarge", 4, 96, 384],
    ["48xlarge", 8, 192, 768],
  ]),
  // NVIDIA L4, 24 GiB (AWS Batch "Run GPU jobs"; its multi-GPU sizes were not in the text read).
  ...family("g6", "gpu", "l4", 24, [
    ["xlarge", 1, 4, 16],
    ["2xlarge", 1, 8, 32],
    ["4xlarge", 1, 16, 64],
    ["8xlarge", 1, 32, 128],
    ["16xlarge", 1, 64, 256],
  ]),
  // NVIDIA A100, 40 GB (EC2 User Guide; AWS Compute Blog).
  ...family("p4d", "gpu", "a100", 40, [["24xlarge", 8, 96, 1152]]),
  // AWS Inferentia2, 32 GiB per device (EC2 User Guide; AWS Neuron documentation).
  ...family("inf2", "neuron", "inferentia", 32, [
    ["xlarge", 1, 4, 16],
    ["8xlarge", 1, 32, 128],
    ["24xlarge", 6, 96, 384],
    ["48xlarge", 12, 192, 768],
  ]),
]);

/** The families of the table, for messages (`g4dn, g5, …`). */
export function acceleratorFamilies(kind: AcceleratorKind): string[] {
  const families = new Set<string>();
  for (const [type, instance] of ACCELERATOR_INSTANCES) if (instance.kind === kind) families.add(type.split(".")[0]!);
  return [...families];
}

/**
 * Regions where AWS::ECS::CapacityProvider accepts ManagedInstancesProvider: the regions whose
 * CloudFormation resource schema of that type has the property (as cfn-lint 1.51 ships the
 * schemas of each region), commercial partitions only.
 */
export const MANAGED_INSTANCES_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "cn-north-1",
  "cn-northwest-1",
];

/** Checks an instance type's spelling (`family.size`); whether mlops knows it is a cross-field check. */
export function checkInstanceType(value: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value)) return `"${value}" is not an EC2 instance type (family.size, e.g. g6.xlarge)`;
  return undefined;
}

/** The default health-check grace period of a GPU or Neuron endpoint: loading a large model onto a GPU takes minutes, not the 60 s of a Fargate one. */
export const GPU_GRACE_PERIOD_SECONDS = 600;

/**
 * A GPU or Neuron endpoint's rolling-update limits when the file sets neither: with `fewest` tasks
 * (scaling.min: the lowest count autoscaling may leave at a rollout) of 2 or more, maximumPercent 100
 * and minimumHealthyPercent floor((fewest - 1) / fewest x 100), so ECS stops one old task, starts its
 * replacement on the freed accelerator and never needs an extra instance; at any count >= fewest, the
 * minimum (rounded up) leaves at least one task serving and one task free to replace. With fewer than
 * 2 tasks no in-place setting keeps a task serving: Fargate's 200/100 stays, and the rollout starts an
 * extra instance. ECS rounds maximumPercent down and minimumHealthyPercent up
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
 */
export function gpuRolloutLimits(fewest: number): { maximumPercent: number; minimumHealthyPercent: number } {
  if (fewest < 2) return { maximumPercent: 200, minimumHealthyPercent: 100 };
  return { maximumPercent: 100, minimumHealthyPercent: Math.floor(((fewest - 1) * 100) / fewest) };
}
