/**
 * How long an image rollout takes on AWS, by design: computed from the
 * rollout settings of the endpoint (health checks, draining, grace
 * period, deployment limits, circuit breaker), with the AWS behaviour each
 * figure relies on cited from its documentation page. The emulator completes
 * rollouts at once, so this model is the only account of real-AWS time.
 * Pure: no AWS, no console.
 */
import type { EndpointConfig, RolloutConfig, RolloutStrategy } from "../../params/model.js";

/** The settings that decide a rollout's duration. */
export interface RolloutSettings extends Omit<RolloutConfig, "circuitBreakerRollback"> {
  desired: number;
  circuitBreaker: boolean;
  /** Consecutive one-minute periods before a deployment alarm fires; 0: no deployment alarms. */
  alarmMinutes: number;
}

/** What the model assumes about the application, the same for every column it compares. */
export interface RolloutAssumptions {
  /** Fargate provisioning, image pull and container start; not documented by AWS, varies with image size. */
  taskStartSeconds: number;
  /** From container start to the first passing health check: loading the model. */
  modelLoadSeconds: number;
}

/** Assumed for every estimate unless measured otherwise: a ~1 GB image and a model loading in half a minute. */
export const DEFAULT_ASSUMPTIONS: RolloutAssumptions = { taskStartSeconds: 60, modelLoadSeconds: 30 };

/** The estimate of one rollout. */
export interface RolloutEstimate {
  /** New tasks started at once (ECS rolling update, bounded by maximumPercent and minimumHealthyPercent). */
  tasksPerWave: number;
  waves: number;
  /** Health checks from the model being loaded to the target counting as healthy. */
  healthySeconds: number;
  /** A good image: new tasks healthy, old ones drained. */
  goodImageSeconds: number;
  /** Whether new tasks are killed by failed health checks before the model has loaded (grace period too short). */
  killedWhileLoading: boolean;
  /** Failed tasks after which the circuit breaker stops the rollout; undefined without a circuit breaker. */
  failureThreshold?: number;
  /** A broken image: until the circuit breaker has rolled back and the old version serves alone again; undefined: never ends by itself. */
  badImageSeconds?: number;
  /** Until every request goes to the new revision. */
  allTrafficSeconds: number;
  /** After the new revision has taken over: ECS keeps watching the alarms (bake time) and drains the old tasks. */
  afterShiftSeconds: number;
  /** The whole deployment, until ECS reports it COMPLETED. */
  totalSeconds: number;
  /** Share of traffic (%) the new revision gets first, while the alarms judge it. */
  firstExposurePercent: number;
}

/** The AWS facts the model relies on, each with its documentation page (the instance-launch assumption of GPU tasks: gpu-plan.ts). */
export const AWS_FACTS = [
  {
    fact: "A target is healthy after HealthyThresholdCount consecutive passed checks, one every HealthCheckIntervalSeconds; unhealthy after UnhealthyThresholdCount failed ones. Defaults: interval 30 s, timeout 5 s, healthy 5, unhealthy 2.",
    source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
  },
  {
    fact: "A deregistering target drains for the deregistration delay (default 300 s) before ECS stops it.",
    source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay",
  },
  {
    fact: "ECS ignores failing load balancer health checks of a new task for healthCheckGracePeriodSeconds (default 0).",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
  },
  {
    fact: "A rolling update starts new tasks up to maximumPercent of the desired count (default 200, rounded down) while keeping minimumHealthyPercent running (default 100, rounded up); with maximumPercent 100 it stops old tasks first and starts their replacements in the capacity they freed.",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html",
  },
  {
    fact: "The deployment circuit breaker fails a deployment after 0.5 x desired count failed tasks, at least 3 and at most 200, then rolls back when rollback is on.",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html",
  },
  {
    fact: "Blue/green, canary and linear deployments start the new revision at full size beside the old one, shift the listener rule's traffic (canary: a share, then the rest after the canary bake time; linear: a step at a time, with the step bake time between steps, none after the last), then keep both for the deployment bake time.",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html",
  },
  {
    fact: "With deployment alarms, a rolling deployment is watched for a bake time after it has reached steady state, which ECS computes from the alarms' configuration (modelled here as the alarms' evaluation minutes).",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html",
  },
  {
    fact: "On ECS Managed Instances (GPU and Neuron endpoints) a new task that no instance has room for waits in PROVISIONING while ECS launches an instance; AWS publishes no launch time, so the GPU estimate's instance launch is an assumption (gpu-plan.ts).",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html",
  },
] as const;

/** The circuit breaker's failure threshold: half the desired count, between 3 and 200 (ServiceDeploymentCircuitBreaker, `threshold`). */
export function circuitBreakerThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desired)));
}

/** Estimates a rollout with the given settings. */
export function estimateRollout(settings: RolloutSettings, assumptions: RolloutAssumptions = DEFAULT_ASSUMPTIONS): RolloutEstimate {
  const desired = Math.max(1, settings.desired);
  const aboveDesired = Math.floor((desired * (settings.maximumPercent - 100)) / 100);
  const stoppable = desired - Math.ceil((desired * settings.minimumHealthyPercent) / 100);
  const tasksPerWave = Math.min(desired, Math.max(1, aboveDesired + stoppable));
  const waves = Math.ceil(desired / tasksPerWave);

  const healthySeconds = settings.healthyThresholdCount * settings.healthCheckIntervalSeconds;
  const wave = assumptions.taskStartSeconds + assumptions.modelLoadSeconds + healthySeconds + settings.deregistrationDelaySeconds;
  const goodImageSeconds = waves * wave;
  // Checks start when the task is registered; after the grace period ECS acts on them.
  const killedAfter = Math.max(settings.healthCheckGracePeriodSeconds, settings.unhealthyThresholdCount * settings.healthCheckIntervalSeconds);
  // Checks fail only while the model loads; a task is killed if they fail long enough, after the grace period.
  const killedWhileLoading = killedAfter < assumptions.modelLoadSeconds;

  const shift = trafficShift(settings, assumptions.taskStartSeconds + assumptions.modelLoadSeconds + healthySeconds);
  const base = {
    tasksPerWave: shift ? desired : tasksPerWave,
    waves: shift ? 1 : waves,
    healthySeconds,
    killedWhileLoading,
    ...(shift ?? rollingShift(settings, goodImageSeconds)),
  };
  if (!settings.circuitBreaker) return base;
  const failureThreshold = circuitBreakerThreshold(desired);
  const failedWave = assumptions.taskStartSeconds + killedAfter;
  const startedAtOnce = shift ? desired : tasksPerWave;
  // Rolling: the old version's tasks start again; traffic-shifting: the old revision still runs and keeps all traffic.
  const badImageSeconds = Math.ceil(failureThreshold / startedAtOnce) * failedWave + (shift ? 0 : base.goodImageSeconds);
  return { ...base, failureThreshold, badImageSeconds };
}

type StrategyTimes = Pick<RolloutEstimate, "goodImageSeconds" | "allTrafficSeconds" | "afterShiftSeconds" | "totalSeconds" | "firstExposurePercent">;

/** A rolling update: the new tasks take traffic as they turn healthy; with alarms, ECS then watches them for its computed bake time. */
function rollingShift(settings: RolloutSettings, goodImageSeconds: number): StrategyTimes {
  const watch = settings.alarmMinutes * 60;
  return { goodImageSeconds, allTrafficSeconds: goodImageSeconds, afterShiftSeconds: watch, totalSeconds: goodImageSeconds + watch, firstExposurePercent: 100 };
}

/** The steps of a linear shift: `stepPercent` at a time until 100 %. */
export function linearSteps(stepPercent: number): number {
  return Math.ceil(100 / stepPercent - 1e-9);
}

/** Blue/green, canary and linear: the new revision starts at full size, takes traffic by the strategy's steps, then bakes beside the old one. */
function trafficShift(settings: RolloutSettings, readySeconds: number): StrategyTimes | undefined {
  if (settings.strategy === "rolling") return undefined;
  const shifting =
    settings.strategy === "canary"
      ? settings.canaryBakeMinutes * 60
      : settings.strategy === "linear"
        ? (linearSteps(settings.linearStepPercent) - 1) * settings.linearStepBakeMinutes * 60
        : 0;
  const firstExposurePercent =
    settings.strategy === "canary" ? settings.canaryPercent : settings.strategy === "linear" ? Math.min(100, settings.linearStepPercent) : 100;
  const allTrafficSeconds = readySeconds + shifting;
  const afterShiftSeconds = settings.bakeMinutes * 60 + settings.deregistrationDelaySeconds;
  const totalSeconds = allTrafficSeconds + afterShiftSeconds;
  return { goodImageSeconds: totalSeconds, allTrafficSeconds, afterShiftSeconds, totalSeconds, firstExposurePercent };
}

/** The rollout settings an endpoint's configuration asks for; `desired` is the count the endpoint runs. */
export function rolloutSettingsOf(config: Pick<EndpointConfig, "rollout" | "alarms" | "scaling">): RolloutSettings {
  const { circuitBreakerRollback, ...rollout } = config.rollout;
  return {
    ...rollout,
    desired: config.scaling.desired,
    // The templates turn the circuit breaker on for rolling and blue/green only (the deployment types ECS applies it to).
    circuitBreaker: circuitBreakerRollback && (rollout.strategy === "rolling" || rollout.strategy === "blue-green"),
    alarmMinutes: config.alarms.minutes,
  };
}

/** The strategy fields of a setup that only rolls and has no deployment alarms (the tutorial, Copilot's defaults). */
const ROLLING_ONLY = {
  strategy: "rolling",
  bakeMinutes: 0,
  canaryPercent: 10,
  canaryBakeMinutes: 0,
  linearStepPercent: 25,
  linearStepBakeMinutes: 0,
  alarmMinutes: 0,
} as const;

/**
 * The tutorial's settings: health checks every 20 s, 60 s draining, MinimumHealthyPercent 100, no circuit
 * breaker; what it leaves unset takes the AWS defaults (healthy 5, unhealthy 2, timeout 5 s, no grace period, maximum 200 %).
 */
export const TUTORIAL_SETTINGS: Omit<RolloutSettings, "desired"> = {
  healthCheckIntervalSeconds: 20,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  deregistrationDelaySeconds: 60,
  healthCheckGracePeriodSeconds: 0,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: false,
  ...ROLLING_ONLY,
};

/**
 * Copilot's Load Balanced Web Service defaults (manifest reference, https://aws.github.io/copilot-cli/docs/manifest/lb-web-service/:
 * healthy 5, unhealthy 2, interval 30 s, timeout 5 s, deregistration 60 s, grace 60 s; its service template turns the circuit
 * breaker on with rollback, rolling 100/200).
 */
export const COPILOT_SETTINGS: Omit<RolloutSettings, "desired"> = {
  healthCheckIntervalSeconds: 30,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  deregistrationDelaySeconds: 60,
  healthCheckGracePeriodSeconds: 60,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: true,
  ...ROLLING_ONLY,
};

/** "2 min 35 s", or "never ends by itself". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return "never ends by itself";
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes === 0 ? `${rest} s` : rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** The one line `create-endpoint` and `update` print before a rollout. */
export function rolloutEstimateLine(settings: RolloutSettings, assumptions: RolloutAssumptions = DEFAULT_ASSUMPTIONS): string {
  const e = estimateRollout(settings, assumptions);
  const bad = settings.circuitBreaker
    ? `a broken image is rolled back in about ${formatDuration(e.badImageSeconds)}`
    : settings.strategy === "canary" || settings.strategy === "linear"
      ? "a broken image is left to the alarms (ECS has no circuit breaker for this strategy)"
      : "a broken image is retried until stopped (no circuit breaker)";
  const warning = e.killedWhileLoading
    ? "; WARNING: health checks kill new tasks before the model has loaded: raise rollout.healthCheckGracePeriodSeconds"
    : "";
  const ready = `task start ~${assumptions.taskStartSeconds} s + model load ~${assumptions.modelLoadSeconds} s + ${settings.healthyThresholdCount} x ${settings.healthCheckIntervalSeconds} s health checks`;
  if (settings.strategy === "rolling") {
    const watch = settings.alarmMinutes > 0 ? `, then ECS watches the alarms for about ${formatDuration(e.afterShiftSeconds)}` : "";
    return `On AWS this rolling update takes about ${formatDuration(e.goodImageSeconds)} (${ready} + ${settings.deregistrationDelaySeconds} s draining${e.waves > 1 ? `, x${e.waves} waves` : ""})${watch}; ${bad}${warning}.`;
  }
  const steps =
    settings.strategy === "canary"
      ? `${settings.canaryPercent} % of traffic for ${settings.canaryBakeMinutes} min, then all`
      : settings.strategy === "linear"
        ? `${linearSteps(settings.linearStepPercent)} steps of ${settings.linearStepPercent} %, ${settings.linearStepBakeMinutes} min apart`
        : "all traffic at once";
  return (
    `On AWS this ${settings.strategy} rollout takes about ${formatDuration(e.totalSeconds)}: new tasks ready in ~${formatDuration(assumptions.taskStartSeconds + assumptions.modelLoadSeconds + e.healthySeconds)} (${ready}), ` +
    `${steps} (all traffic after ~${formatDuration(e.allTrafficSeconds)}), ${settings.bakeMinutes} min bake with both revisions + ${settings.deregistrationDelaySeconds} s draining; an alarm until then moves traffic back at once; ${bad}${warning}.`
  );
}

/** Ours beside the tutorial's settings and Copilot's defaults, with the AWS sources: for the benchmark and the docs. */
export function rolloutComparisonLines(
  ours: Omit<RolloutSettings, "desired"> = MLOPS_DEFAULT_SETTINGS,
  desired = 2,
  assumptions: RolloutAssumptions = DEFAULT_ASSUMPTIONS,
): string[] {
  const columns = [
    ["mlops", ours],
    ["tutorial", TUTORIAL_SETTINGS],
    ["Copilot", COPILOT_SETTINGS],
  ] as const;
  const rows: [string, (s: RolloutSettings, e: RolloutEstimate) => string][] = [
    ["health check interval x healthy threshold", (s) => `${s.healthCheckIntervalSeconds} s x ${s.healthyThresholdCount}`],
    ["unhealthy threshold", (s) => String(s.unhealthyThresholdCount)],
    ["deregistration delay", (s) => `${s.deregistrationDelaySeconds} s`],
    ["health-check grace period", (s) => `${s.healthCheckGracePeriodSeconds} s`],
    ["min healthy / max percent", (s) => `${s.minimumHealthyPercent} / ${s.maximumPercent}`],
    ["circuit breaker (threshold)", (s, e) => (s.circuitBreaker ? `on (${e.failureThreshold} tasks)` : "off")],
    ["good image: rollout time", (_s, e) => formatDuration(e.goodImageSeconds)],
    ["broken image: back to the old version", (s, e) => (s.circuitBreaker ? formatDuration(e.badImageSeconds) : formatDuration(undefined))],
    ["tasks killed before the model loads", (_s, e) => (e.killedWhileLoading ? "yes" : "no")],
  ];
  const cells = columns.map(([, s]) => {
    const settings = { ...s, desired };
    return { settings, estimate: estimateRollout(settings, assumptions) };
  });
  const table = [["", ...columns.map(([name]) => name)], ...rows.map(([label, cell]) => [label, ...cells.map((c) => cell(c.settings, c.estimate))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return [
    `Real-AWS image rollout by design (${desired} tasks; assumed: task start ${assumptions.taskStartSeconds} s, model load ${assumptions.modelLoadSeconds} s):`,
    ...table.map(
      (r) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd()}`,
    ),
    "  tutorial: its own settings (health checks every 20 s, 60 s draining, minimum healthy 100 %, no circuit breaker), AWS defaults for the rest.",
    "  Copilot: Load Balanced Web Service defaults (https://aws.github.io/copilot-cli/docs/manifest/lb-web-service/); its service template turns the circuit breaker on with rollback.",
    "AWS behaviour this relies on:",
    ...AWS_FACTS.map((f) => `  - ${f.fact} (${f.source})`),
  ];
}

/** mlops's defaults, as the parameter schema sets them (`rollout.*`). */
export const MLOPS_DEFAULT_SETTINGS: Omit<RolloutSettings, "desired"> = {
  healthCheckIntervalSeconds: 10,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
  deregistrationDelaySeconds: 15,
  healthCheckGracePeriodSeconds: 60,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: true,
  strategy: "rolling",
  bakeMinutes: 5,
  canaryPercent: 10,
  canaryBakeMinutes: 5,
  linearStepPercent: 25,
  linearStepBakeMinutes: 2,
  alarmMinutes: 2,
};

/** The four strategies with mlops's defaults, one line each: for the plan's reader, the README and the benchmark. */
export function strategyComparisonLines(
  desired = 2,
  assumptions: RolloutAssumptions = DEFAULT_ASSUMPTIONS,
  ours: Omit<RolloutSettings, "desired" | "strategy"> = MLOPS_DEFAULT_SETTINGS,
): string[] {
  const strategies: RolloutStrategy[] = ["rolling", "blue-green", "canary", "linear"];
  return strategies.map((strategy) => {
    const e = estimateRollout({ ...ours, strategy, desired }, assumptions);
    return `${strategy.padEnd(10)} all traffic on the new image after ~${formatDuration(e.allTrafficSeconds)}, done after ~${formatDuration(e.totalSeconds)}; first exposure ${e.firstExposurePercent} % of traffic; a failing image is rolled back in ~${formatDuration(e.badImageSeconds)}`;
  });
}
