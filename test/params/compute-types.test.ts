/**
 * The build's default compute type holds a PyTorch/CUDA image build, by
 * CodeBuild's documented sizes
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html).
 */
import { describe, expect, it } from "vitest";
import { COMPUTE_TYPES, DEFAULT_COMPUTE_TYPE, describeComputeType } from "../../src/params/compute-types.js";
import { parseEndpointConfig } from "../../src/params/load.js";

// What a PyTorch/CUDA build needs at its peak: pip holds and unpacks the torch and
// nvidia-* CUDA wheels (over 2.5 GB) while dockerd and BuildKit run beside it; the
// disk holds a CUDA base image (about 10 GB compressed, over 20 GB unpacked), the new
// layers, their compressed copies for the push and the build cache.
const PYTORCH_BUILD = { memoryGiB: 6, diskGB: 100 };

describe("compute types", () => {
  it("the default builds a PyTorch/CUDA image within CodeBuild's limits, where SMALL does not", () => {
    const chosen = COMPUTE_TYPES[DEFAULT_COMPUTE_TYPE];
    expect(chosen.memoryGiB).toBeGreaterThanOrEqual(PYTORCH_BUILD.memoryGiB);
    expect(chosen.diskGB).toBeGreaterThanOrEqual(PYTORCH_BUILD.diskGB);
    expect(COMPUTE_TYPES.BUILD_GENERAL1_SMALL.memoryGiB).toBeLessThan(PYTORCH_BUILD.memoryGiB);
    // The cheapest type that holds it.
    const cheapest = Object.entries(COMPUTE_TYPES).find(([, spec]) => spec.memoryGiB >= PYTORCH_BUILD.memoryGiB && spec.diskGB >= PYTORCH_BUILD.diskGB)?.[0];
    expect(cheapest).toBe(DEFAULT_COMPUTE_TYPE);
  });

  it("a pipeline without computeType builds on the default, whose size and price the plan shows", () => {
    const config = parseEndpointConfig(
      "project: ep-a\nnetwork: {vpcCidr: 10.0.0.0/16, publicSubnets: [10.0.0.0/24, 10.0.1.0/24], privateSubnets: [10.0.2.0/24, 10.0.3.0/24], availabilityZones: [us-east-1a, us-east-1b]}\napi: {hostHeader: a.example.com}\npipeline: {connectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000, repository: o/r}\n",
      "p.yaml",
    );
    expect(config.pipeline?.computeType).toBe("BUILD_GENERAL1_MEDIUM");
    expect(describeComputeType("BUILD_GENERAL1_MEDIUM")).toBe("8 GiB, 4 vCPUs, 128 GB disk, $0.01/build minute in us-east-1");
  });
});
