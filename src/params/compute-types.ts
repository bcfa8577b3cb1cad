/**
 * CodeBuild's on-demand compute types for Linux containers, with what each
 * gives a build and costs, from
 * https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html
 * (memory, vCPUs, disk) and https://aws.amazon.com/codebuild/pricing/ (Linux,
 * US East (N. Virginia), per build minute; other regions differ a little).
 */

/** What one compute type gives a build. */
export interface ComputeTypeSpec {
  memoryGiB: number;
  vcpus: number;
  diskGB: number;
  /** US dollars per build minute in us-east-1; undefined where we quote none (see the pricing page). */
  usdPerMinute?: number;
}

/** The compute types a LINUX_CONTAINER project accepts. */
export const COMPUTE_TYPES = {
  BUILD_GENERAL1_SMALL: { memoryGiB: 4, vcpus: 2, diskGB: 64, usdPerMinute: 0.005 },
  BUILD_GENERAL1_MEDIUM: { memoryGiB: 8, vcpus: 4, diskGB: 128, usdPerMinute: 0.01 },
  BUILD_GENERAL1_LARGE: { memoryGiB: 16, vcpus: 8, diskGB: 128, usdPerMinute: 0.02 },
  BUILD_GENERAL1_XLARGE: { memoryGiB: 72, vcpus: 36, diskGB: 256 },
  BUILD_GENERAL1_2XLARGE: { memoryGiB: 144, vcpus: 72, diskGB: 824 },
} as const satisfies Record<string, ComputeTypeSpec>;

/** A compute type name. */
export type ComputeType = keyof typeof COMPUTE_TYPES;

/** The compute type names, smallest first. */
export const COMPUTE_TYPE_NAMES = Object.keys(COMPUTE_TYPES) as [ComputeType, ...ComputeType[]];

/**
 * The default: a PyTorch/CUDA image needs memory for pip to unpack the torch
 * and CUDA wheels (over 2 GB) next to the Docker daemon, which SMALL's 4 GiB
 * does not hold (the build is killed, exit 137), and disk for a CUDA base image
 * of about 10 GB compressed, its layers unpacked and the build cache, which
 * MEDIUM's 128 GB holds. MEDIUM is twice SMALL's price per minute and half LARGE's.
 */
export const DEFAULT_COMPUTE_TYPE: ComputeType = "BUILD_GENERAL1_MEDIUM";

/** "8 GiB, 4 vCPUs, 128 GB disk, $0.01/min" for the plan and the docs. */
export function describeComputeType(name: ComputeType): string {
  const spec: ComputeTypeSpec = COMPUTE_TYPES[name];
  const price =
    spec.usdPerMinute !== undefined ? `$${spec.usdPerMinute}/build minute in us-east-1` : "price per minute: see https://aws.amazon.com/codebuild/pricing/";
  return `${spec.memoryGiB} GiB, ${spec.vcpus} vCPUs, ${spec.diskGB} GB disk, ${price}`;
}
