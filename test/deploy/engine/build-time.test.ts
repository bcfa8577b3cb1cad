/**
 * The build's timeout and its wait for the rollout, from the rollout model:
 * CodeBuild lets a build run "from 5 to 2160 (36 hours)" minutes (CodeBuild
 * API reference, CreateProject, timeoutInMinutes); the AWS CLI's
 * `wait stack-update-complete` the build used before gives up after 120 polls
 * of 30 s (AWS CLI reference, cloudformation wait stack-update-complete).
 */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../../src/params/load.js";
import type { EndpointConfig, RolloutConfig } from "../../../src/params/model.js";
import {
  buildRolloutWaitMinutes,
  buildTimeoutMinutes,
  CODEBUILD_MAX_TIMEOUT_MINUTES,
  IDLE_STACK_WAIT_MINUTES,
  IMAGE_BUILD_MINUTES,
  worstCaseRolloutSeconds,
} from "../../../src/deploy/engine/build-time.js";
import { estimateRollout } from "../../../src/deploy/engine/rollout-time.js";

const base = await loadEndpointConfig("params/ep-a.yaml");
const withRollout = (rollout: Partial<RolloutConfig>): EndpointConfig => ({ ...base, rollout: { ...base.rollout, ...rollout } });
/** The model's estimate of the configured strategy. */
const rolloutMinutes = (config: EndpointConfig) =>
  estimateRollout({
    ...config.rollout,
    desired: config.scaling.max,
    circuitBreaker: config.rollout.circuitBreakerRollback,
    alarmMinutes: config.alarms.minutes,
  }).totalSeconds / 60;

describe("the build's time, from the rollout", () => {
  it("keeps today's 120 minutes (60 of them for the update) for a fast rolling endpoint", () => {
    expect(buildRolloutWaitMinutes(base)).toBe(60);
    expect(buildTimeoutMinutes(base)).toBe(120);
  });

  it("a canary with the longest rollout AWS allows (33 hours of bake): the wait covers it and the timeout fits CodeBuild's 2160 minutes", () => {
    const canary = withRollout({ strategy: "canary", bakeMinutes: 1440, canaryBakeMinutes: 540 });
    expect(rolloutMinutes(canary)).toBeGreaterThan(33 * 60);
    expect(buildRolloutWaitMinutes(canary)).toBeGreaterThanOrEqual(rolloutMinutes(canary));
    expect(buildTimeoutMinutes(canary)).toBe(IMAGE_BUILD_MINUTES + IDLE_STACK_WAIT_MINUTES + buildRolloutWaitMinutes(canary));
    expect(buildTimeoutMinutes(canary)).toBeLessThanOrEqual(CODEBUILD_MAX_TIMEOUT_MINUTES);
  });

  it("a linear rollout at its longest: bake plus step bake times", () => {
    const linear = withRollout({ strategy: "linear", bakeMinutes: 990, linearStepPercent: 10, linearStepBakeMinutes: 99 });
    expect(rolloutMinutes(linear)).toBeGreaterThan(30 * 60);
    expect(buildRolloutWaitMinutes(linear)).toBeGreaterThanOrEqual(rolloutMinutes(linear));
    expect(buildTimeoutMinutes(linear)).toBeLessThanOrEqual(CODEBUILD_MAX_TIMEOUT_MINUTES);
  });

  it("follows the rollout: longer bake, longer wait and timeout", () => {
    const minutes = [60, 240, 600, 1200].map((bakeMinutes) => buildTimeoutMinutes(withRollout({ strategy: "blue-green", bakeMinutes })));
    expect([...minutes].sort((a, b) => a - b)).toEqual(minutes);
    expect(new Set(minutes).size).toBe(4);
  });

  it("covers any strategy the stack may carry (update --strategy leaves it there): a rolling endpoint's canary bake counts", () => {
    const rolling = withRollout({ strategy: "rolling", canaryBakeMinutes: 600 });
    expect(worstCaseRolloutSeconds(rolling)).toBeGreaterThanOrEqual(600 * 60);
    expect(buildRolloutWaitMinutes(rolling)).toBeGreaterThan(600);
  });

  it("never asks CodeBuild for more than 2160 minutes", () => {
    const beyond = withRollout({ strategy: "canary", bakeMinutes: 1440, canaryBakeMinutes: 1440 });
    expect(buildTimeoutMinutes(beyond)).toBe(CODEBUILD_MAX_TIMEOUT_MINUTES);
  });
});
