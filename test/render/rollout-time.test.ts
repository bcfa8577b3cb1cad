/**
 * The real-AWS rollout model, against the AWS behaviour it cites: the ECS
 * circuit breaker's threshold (0.5 x desired, 3 to 200, API reference
 * ServiceDeploymentCircuitBreaker), rolling-update waves bounded by
 * maximumPercent / minimumHealthyPercent, health checks and draining.
 */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../src/params/load.js";
import { renderEndpointStack } from "../../src/render/render.js";
import {
  circuitBreakerThreshold,
  COPILOT_SETTINGS,
  estimateRollout,
  MLOPS_DEFAULT_SETTINGS,
  rolloutComparisonLines,
  rolloutEstimateLine,
  rolloutSettingsOf,
  TUTORIAL_SETTINGS,
} from "../../src/render/rollout-time.js";

const assumptions = { taskStartSeconds: 60, modelLoadSeconds: 30 };

describe("rollout model", () => {
  it("reads mlops's defaults from the rendered stack", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    const rendered = renderEndpointStack(config, { imageTag: "v1" });
    expect(rolloutSettingsOf(rendered.parameters, config.scaling.desired)).toEqual({ ...MLOPS_DEFAULT_SETTINGS, desired: 2 });
  });

  it("uses the circuit breaker's documented threshold: half the desired count, at least 3, at most 200", () => {
    expect([1, 2, 6, 7, 10, 400, 1000].map(circuitBreakerThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200]);
  });

  it("adds task start, model load, healthy threshold x interval and draining for each wave", () => {
    const ours = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, desired: 2 }, assumptions);
    expect(ours).toMatchObject({ tasksPerWave: 2, waves: 1, healthySeconds: 20, goodImageSeconds: 60 + 30 + 20 + 15, killedWhileLoading: false, failureThreshold: 3 });
    // 3 failures at 2 tasks a wave: 2 waves of start + grace period, then the old version's tasks again.
    expect(ours.badImageSeconds).toBe(2 * (60 + 60) + 125);

    const copilot = estimateRollout({ ...COPILOT_SETTINGS, desired: 2 }, assumptions);
    expect(copilot.goodImageSeconds).toBe(60 + 30 + 5 * 30 + 60);
    const tutorial = estimateRollout({ ...TUTORIAL_SETTINGS, desired: 2 }, assumptions);
    expect(tutorial.goodImageSeconds).toBe(60 + 30 + 5 * 20 + 60);
    expect(tutorial.badImageSeconds).toBeUndefined();
  });

  it("rolls in waves when maximumPercent leaves no room for all new tasks at once", () => {
    const e = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, desired: 4, maximumPercent: 150, minimumHealthyPercent: 100 }, assumptions);
    expect([e.tasksPerWave, e.waves]).toEqual([2, 2]);
    expect(e.goodImageSeconds).toBe(2 * 125);
  });

  it("warns when health checks kill new tasks before the model has loaded", () => {
    const settings = { ...MLOPS_DEFAULT_SETTINGS, desired: 2, healthCheckGracePeriodSeconds: 0 };
    const slowModel = { taskStartSeconds: 60, modelLoadSeconds: 120 };
    expect(estimateRollout(settings, slowModel).killedWhileLoading).toBe(true);
    expect(rolloutEstimateLine(settings, slowModel)).toContain("raise rollout.healthCheckGracePeriodSeconds");
    expect(estimateRollout({ ...settings, healthCheckGracePeriodSeconds: 180 }, slowModel).killedWhileLoading).toBe(false);
  });

  it("prints one line for the rollout, and ours beside the tutorial and Copilot with each AWS source", () => {
    expect(rolloutEstimateLine({ ...MLOPS_DEFAULT_SETTINGS, desired: 2 }, assumptions)).toBe(
      "On AWS this rollout takes about 2 min 5 s (task start ~60 s + model load ~30 s + 2 x 10 s health checks + 15 s draining); a broken image is rolled back in about 6 min 5 s.",
    );
    const lines = rolloutComparisonLines(MLOPS_DEFAULT_SETTINGS, 2, assumptions);
    expect(lines.find((l) => l.includes("good image"))).toMatch(/good image: rollout time\s+2 min 5 s\s+4 min 10 s\s+5 min$/);
    expect(lines.find((l) => l.includes("broken image"))).toMatch(/6 min 5 s\s+never ends by itself\s+9 min$/);
    expect(lines.filter((l) => l.includes("https://docs.aws.amazon.com/")).length).toBe(5);
  });
});
