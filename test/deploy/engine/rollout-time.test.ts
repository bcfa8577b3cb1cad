/**
 * The real-AWS rollout model, against the AWS behaviour it cites: the ECS
 * circuit breaker's threshold (0.5 x desired, 3 to 200, API reference
 * ServiceDeploymentCircuitBreaker), rolling-update waves bounded by
 * maximumPercent / minimumHealthyPercent, health checks and draining.
 */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { decodeEndpoint } from "../../../src/render/contract.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import {
  circuitBreakerThreshold,
  COPILOT_SETTINGS,
  estimateRollout,
  linearSteps,
  MLOPS_DEFAULT_SETTINGS,
  rolloutComparisonLines,
  rolloutEstimateLine,
  rolloutSettingsOf,
  strategyComparisonLines,
  TUTORIAL_SETTINGS,
} from "../../../src/deploy/engine/rollout-time.js";

const assumptions = { taskStartSeconds: 60, modelLoadSeconds: 30 };

describe("rollout model", () => {
  it("reads mlops's defaults from the configuration, which the rendered stack carries as they are", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    const rendered = renderEndpointStack(config, { imageTag: "v1" });
    expect(rolloutSettingsOf(config)).toEqual({ ...MLOPS_DEFAULT_SETTINGS, desired: 2 });
    expect(decodeEndpoint(rendered.parameters).rollout).toEqual(config.rollout);
  });

  it("uses the circuit breaker's documented threshold: half the desired count, at least 3, at most 200", () => {
    expect([1, 2, 6, 7, 10, 400, 1000].map(circuitBreakerThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200]);
  });

  it("adds task start, model load, healthy threshold x interval and draining for each wave", () => {
    const ours = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, desired: 2 }, assumptions);
    expect(ours).toMatchObject({
      tasksPerWave: 2,
      waves: 1,
      healthySeconds: 20,
      goodImageSeconds: 60 + 30 + 20 + 15,
      killedWhileLoading: false,
      failureThreshold: 3,
    });
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
      "On AWS this rolling update takes about 2 min 5 s (task start ~60 s + model load ~30 s + 2 x 10 s health checks + 15 s draining), then ECS watches the alarms for about 2 min; a broken image is rolled back in about 6 min 5 s.",
    );
    const lines = rolloutComparisonLines(MLOPS_DEFAULT_SETTINGS, 2, assumptions);
    expect(lines.find((l) => l.includes("good image"))).toMatch(/good image: rollout time\s+2 min 5 s\s+4 min 10 s\s+5 min$/);
    expect(lines.find((l) => l.includes("broken image"))).toMatch(/6 min 5 s\s+never ends by itself\s+9 min$/);
    expect(lines.filter((l) => l.includes("https://docs.aws.amazon.com/")).length).toBe(8);
    expect(lines.some((l) => l.includes("waits in PROVISIONING while ECS launches an instance; AWS publishes no launch time"))).toBe(true);
  });
});

describe("rollout model of the traffic-shifting strategies", () => {
  const ready = 60 + 30 + 2 * 10;

  it("blue-green: the new revision at full size, all traffic at once, then the bake time and the old tasks' draining", () => {
    const e = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, strategy: "blue-green", desired: 2 }, assumptions);
    expect(e).toMatchObject({ allTrafficSeconds: ready, afterShiftSeconds: 5 * 60 + 15, totalSeconds: ready + 315, firstExposurePercent: 100 });
  });

  it("canary: the canary share for its bake time first; linear: the step bake time between steps, none after the last", () => {
    const canary = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, strategy: "canary", desired: 2 }, assumptions);
    expect(canary).toMatchObject({ allTrafficSeconds: ready + 5 * 60, totalSeconds: ready + 300 + 315, firstExposurePercent: 10 });
    const linear = estimateRollout({ ...MLOPS_DEFAULT_SETTINGS, strategy: "linear", desired: 2 }, assumptions);
    // 25 % steps: 4 shifts, 3 waits of 2 min.
    expect(linear).toMatchObject({ allTrafficSeconds: ready + 3 * 120, totalSeconds: ready + 360 + 315, firstExposurePercent: 25 });
    expect(linearSteps(33.3)).toBe(4);
    expect(linearSteps(50)).toBe(2);
  });

  it("reads the strategy from the configuration and prints its own line", async () => {
    const loaded = await loadEndpointConfig("params/ep-a.yaml");
    const config = { ...loaded, rollout: { ...loaded.rollout, strategy: "canary" as const } };
    const rendered = renderEndpointStack(config, { imageTag: "v1" });
    expect(decodeEndpoint(rendered.parameters).rollout.strategy).toBe("canary");
    const settings = rolloutSettingsOf(config);
    expect(settings.strategy).toBe("canary");
    expect(rolloutEstimateLine(settings, assumptions)).toBe(
      "On AWS this canary rollout takes about 12 min 5 s: new tasks ready in ~1 min 50 s (task start ~60 s + model load ~30 s + 2 x 10 s health checks), " +
        "10 % of traffic for 5 min, then all (all traffic after ~6 min 50 s), 5 min bake with both revisions + 15 s draining; an alarm until then moves traffic back at once; a broken image is left to the alarms (ECS has no circuit breaker for this strategy).",
    );
  });

  it("compares the four strategies with the defaults", () => {
    const lines = strategyComparisonLines(2, assumptions);
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["rolling", "blue-green", "canary", "linear"]);
    expect(lines[0]).toContain("done after ~4 min 5 s");
    expect(lines[2]).toContain("first exposure 10 % of traffic");
  });
});
