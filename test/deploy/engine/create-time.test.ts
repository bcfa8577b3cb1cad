/**
 * The whole-create model: phases from the sourced figures, combined along the critical path,
 * sequential (today) or with the build beside the infrastructure.
 */
import { describe, expect, it } from "vitest";
import {
  ASSUMED_IMAGE_GB,
  CREATE_SOURCES,
  DEFAULT_BUILD_MINUTES,
  createComparisonLine,
  createEstimateLine,
  estimateCreate,
  startAssumptions,
  type CreateInputs,
} from "../../../src/deploy/engine/create-time.js";
import { MLOPS_DEFAULT_SETTINGS } from "../../../src/deploy/engine/rollout-time.js";

const base: CreateInputs = {
  kind: "base",
  stackExists: false,
  requestsCertificate: true,
  builds: true,
  rollout: { ...MLOPS_DEFAULT_SETTINGS, desired: 2 },
};

describe("estimateCreate", () => {
  it("adds the phases in sequence today and takes the longer of infrastructure and build when they overlap", () => {
    const e = estimateCreate(base);
    expect(e.build).toBeDefined();
    expect(e.sequentialSeconds).toBe(e.infrastructure.seconds + e.build!.seconds + e.rollout.seconds);
    expect(e.overlappedSeconds).toBe(Math.max(e.infrastructure.seconds, e.build!.seconds) + e.rollout.seconds);
    expect(e.overlappedSeconds).toBeLessThan(e.sequentialSeconds);
  });

  it("counts the slowest of NAT gateway, load balancer and mount targets once (CloudFormation creates them side by side)", () => {
    const e = estimateCreate(base);
    const slowest = Math.max(CREATE_SOURCES.natGateway.seconds, CREATE_SOURCES.loadBalancer.seconds, CREATE_SOURCES.efsMountTargets.seconds);
    expect(e.infrastructure.parts.map((p) => p.seconds)).toContain(slowest);
    expect(e.infrastructure.seconds).toBeLessThan(
      CREATE_SOURCES.natGateway.seconds +
        CREATE_SOURCES.loadBalancer.seconds +
        CREATE_SOURCES.efsMountTargets.seconds +
        CREATE_SOURCES.certificateValidation.seconds,
    );
  });

  it("takes the build minutes from pipeline.expectedBuildMinutes, else the default", () => {
    const byDefault = estimateCreate(base).build!.seconds;
    const stated = estimateCreate({ ...base, buildMinutes: 20 }).build!.seconds;
    expect(stated - byDefault).toBe((20 - DEFAULT_BUILD_MINUTES) * 60);
  });

  it("pulls a bigger image for longer and names the size it assumed", () => {
    const assumed = estimateCreate(base);
    expect(assumed.imageAssumed).toBe(true);
    expect(assumed.imageGb).toBe(ASSUMED_IMAGE_GB);
    const known = estimateCreate({ ...base, imageGb: 8 });
    expect(known.imageAssumed).toBe(false);
    expect(known.rollout.seconds).toBeGreaterThan(assumed.rollout.seconds);
    expect(startAssumptions(8, 2).taskStartSeconds - startAssumptions(4, 2).taskStartSeconds).toBe(4 * CREATE_SOURCES.pullPerGb.seconds);
  });

  it("reads the weights from EFS at the per-client elastic throughput", () => {
    expect(startAssumptions(1, 10).modelLoadSeconds - startAssumptions(1, 0).modelLoadSeconds).toBe(
      Math.round((10 * 1024) / CREATE_SOURCES.efsReadMiBps.mibps),
    );
  });

  it("has no build phase when the image is given", () => {
    const e = estimateCreate({ ...base, builds: false });
    expect(e.build).toBeUndefined();
    expect(e.sequentialSeconds).toBe(e.overlappedSeconds);
  });

  it("creates only the endpoint stack for an added endpoint", () => {
    expect(estimateCreate({ ...base, kind: "added", requestsCertificate: false }).infrastructure.seconds).toBe(CREATE_SOURCES.endpointStack.seconds);
  });

  it("names a source for every figure", () => {
    for (const figure of Object.values(CREATE_SOURCES)) expect(figure.source).toMatch(/^https:\/\//);
  });
});

describe("the lines", () => {
  it("prints today's create as sequential and the overlapped one with the build beside the infrastructure", () => {
    const e = estimateCreate(base);
    expect(createEstimateLine(e)).toMatch(
      /^About \d+ min on AWS: infrastructure ~\d+ min, then the first build ~\d+ min, then the rollout ~\d+ min \(the rollout pulls a 4 GB image \(assumed\) in ~\d+ min per task; pipeline.expectedBuildMinutes/,
    );
    expect(createEstimateLine(e, true)).toContain("beside it the first build");
    expect(createEstimateLine(estimateCreate({ ...base, builds: false, imageGb: 1 }))).toMatch(
      /then the rollout ~\d+ min \(the rollout pulls a 1 GB image in ~\d+ min per task\)\.$/,
    );
  });

  it("puts the run's phases beside the estimate", () => {
    const e = estimateCreate(base);
    const line = createComparisonLine(e, { certificate: 2, stacks: 10, pipeline: 3, "waiting for the image": 20, rollout: 4, validation: 1 });
    expect(line).toMatch(/infrastructure 12 s \(AWS ~\d+ min\), build 23 s \(AWS ~\d+ min\), rollout 5 s \(AWS ~\d+ min\)/);
  });
});

describe("the order a run takes", () => {
  it("builds beside the stack only where the repository is apart from the endpoint's stack, and the plan's line says so", async () => {
    const { deployOrder } = await import("../../../src/deploy/workflows/plan.js");
    expect(deployOrder(true, false, "pipeline")).toEqual({
      sideBySide: true,
      text: "side by side: [stack] the endpoint's stack with no tasks, [build] the pipeline and its first build; then the rollout",
    });
    expect(deployOrder(true, false, "given", "v1").text).toBe(
      "side by side: [stack] the endpoint's stack with no tasks, [image] the wait for image v1 in ECR; then the rollout",
    );
    expect(deployOrder(false, true, "pipeline")).toEqual({
      sideBySide: false,
      text: "one after the other (this endpoint's ECR repository is in its own stack, from an earlier release): the endpoint's stack, then the pipeline and its first build, then the rollout",
    });
  });

  it("a sequential run's comparison adds its total wall time", () => {
    const e = estimateCreate(base);
    expect(createComparisonLine(e, { stacks: 10, pipeline: 3, "waiting for the image": 20, rollout: 4 }, { overlapped: false, totalSeconds: 38 })).toMatch(
      /rollout 4 s \(AWS ~\d+ min\); total 38 s \(AWS ~\d+ min\)\.$/,
    );
  });
});
