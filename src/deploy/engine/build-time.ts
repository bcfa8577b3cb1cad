/**
 * How long the pipeline's build may run: it waits for the stack update it
 * starts until the rollout is over, however long the endpoint's rollout
 * settings make it, so CodeBuild's timeout and the buildspec's wait deadline
 * both follow the rollout model (rollout-time.ts). Pure: no AWS, no console.
 */
import type { EndpointConfig, RolloutStrategy } from "../../params/model.js";
import { estimateRollout, type RolloutSettings } from "./rollout-time.js";

/**
 * CodeBuild's longest build: `timeoutInMinutes` is "from 5 to 2160 (36 hours)"
 * (CodeBuild API reference, CreateProject:
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html;
 * quotas: https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html).
 */
export const CODEBUILD_MAX_TIMEOUT_MINUTES = 2160;
/** The buildspec's wait for a stack another update keeps busy, before its own update (max_idle_polls x poll_seconds). */
export const IDLE_STACK_WAIT_MINUTES = 30;
/** Docker build and push, before the stack update. */
export const IMAGE_BUILD_MINUTES = 30;
/** Beyond the modelled rollout: CloudFormation's own steps, and tasks that start or load slower than the model assumes. */
export const ROLLOUT_MARGIN_MINUTES = 30;
/** Never shorter than the AWS CLI waiter the buildspec used before (120 polls x 30 s). */
export const MIN_ROLLOUT_WAIT_MINUTES = 60;

/** The longest the buildspec's wait for its own stack update may last. */
export const MAX_ROLLOUT_WAIT_MINUTES = CODEBUILD_MAX_TIMEOUT_MINUTES - IDLE_STACK_WAIT_MINUTES - IMAGE_BUILD_MINUTES;

const STRATEGIES: RolloutStrategy[] = ["rolling", "blue-green", "canary", "linear"];

/**
 * The endpoint's rollout settings at their slowest for a build: at the most
 * tasks autoscaling may run, and with any strategy, since `update --strategy`
 * leaves its strategy on the stack and the build keeps the stack's values.
 */
function slowestSettings(config: EndpointConfig): RolloutSettings[] {
  const { circuitBreakerRollback, ...rollout } = config.rollout;
  const desired = Math.max(config.scaling.desired, config.scaling.max);
  return STRATEGIES.map((strategy) => ({ ...rollout, strategy, desired, circuitBreaker: circuitBreakerRollback, alarmMinutes: config.alarms.minutes }));
}

/** The longest an image rollout of this endpoint keeps its stack updating, in seconds: a good image or a broken one, any strategy. */
export function worstCaseRolloutSeconds(config: EndpointConfig): number {
  return Math.max(
    ...slowestSettings(config).map((settings) => {
      const estimate = estimateRollout(settings);
      return Math.max(estimate.totalSeconds, estimate.badImageSeconds ?? 0);
    }),
  );
}

/** Minutes the build waits for its stack update (the project's ROLLOUT_WAIT_MINUTES): the worst-case rollout and a margin. */
export function buildRolloutWaitMinutes(config: EndpointConfig): number {
  const wanted = Math.ceil(worstCaseRolloutSeconds(config) / 60) + ROLLOUT_MARGIN_MINUTES;
  return Math.min(MAX_ROLLOUT_WAIT_MINUTES, Math.max(MIN_ROLLOUT_WAIT_MINUTES, wanted));
}

/** The CodeBuild project's timeout: the image build, the wait for an idle stack, then the wait for the rollout. */
export function buildTimeoutMinutes(config: EndpointConfig): number {
  return IMAGE_BUILD_MINUTES + IDLE_STACK_WAIT_MINUTES + buildRolloutWaitMinutes(config);
}
