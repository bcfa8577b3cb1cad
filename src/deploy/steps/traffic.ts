/**
 * The production listener rule's weights across an update. With a BLUE_GREEN,
 * CANARY or LINEAR strategy, ECS moves the rule's weights to the target group
 * that served none and leaves them there: after one deployment the alternate
 * target group serves 100%, after the next the primary again
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html).
 * CloudFormation writes the template's weights back whenever the rule changes
 * (host header, priority, strategy), which would point production at a target
 * group with no tasks (aws/containers-roadmap#2853, aws/aws-cdk#36649). So an
 * update reads the live weights and renders them, or refuses what would move
 * traffic away from the tasks.
 */
import type { CloudFormationApi, ElbApi, Stack } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import type { EndpointConfig } from "../../params/model.js";
import type { TrafficWeights } from "../../render/render.js";
import { ruleWeights } from "./rollout-watch.js";
import { readDeployed } from "../engine/discovery.js";
import { stackResourceIds } from "./placement.js";

/**
 * The live weights of the endpoint's production listener rule; undefined when the stack has
 * no alternate target group (a rolling endpoint) or the rule forwards to one target group.
 */
export async function readTrafficWeights(aws: { cloudFormation: CloudFormationApi; elb: ElbApi }, stack: Stack): Promise<TrafficWeights | undefined> {
  // A rolling stack's rule forwards to its target group alone: nothing to read.
  if (readDeployed(stack).rollout.strategy === "rolling" || !stack.StackName) return undefined;
  const ids = await stackResourceIds(aws.cloudFormation, stack.StackName);
  const rule = ids.get("ListenerRule");
  const primary = ids.get("TargetGroup");
  const alternate = ids.get("AlternateTargetGroup");
  if (!rule || !primary || !alternate) return undefined;
  const weights = await ruleWeights(aws.elb, rule);
  const primaryWeight = weights.get(primary);
  const alternateWeight = weights.get(alternate);
  if (primaryWeight === undefined || alternateWeight === undefined) return undefined;
  return { primary: primaryWeight, alternate: alternateWeight };
}

/**
 * The weights the update renders, so that CloudFormation writes back what ECS left: the live
 * ones with a traffic-shifting strategy; none (the rule forwards to the primary target group
 * alone) with a rolling one. Refuses, before any change, an update during a traffic shift and a
 * switch to rolling while the alternate target group serves: the rolling rule would send all
 * traffic to the primary target group, which has no tasks then.
 */
export function keptTrafficWeights(
  config: EndpointConfig,
  stackName: string,
  live: TrafficWeights | undefined,
  invocation?: Invocation,
): TrafficWeights | undefined {
  if (!live) return undefined;
  const shifting = live.primary > 0 && live.alternate > 0;
  if (shifting) {
    throw new AwsError(`A deployment of ${stackName} is shifting traffic now: its listener rule sends ${sharesText(live)}. Nothing was changed.`, {
      hint: `Wait until the deployment ends (${runnable(`mlops status ${stackName}`, invocation)} shows it), then run the same command again.`,
    });
  }
  if (config.rollout.strategy === "rolling" && live.alternate > 0) {
    throw new AwsError(
      `The alternate target group serves 100% of ${stackName}'s traffic (ECS moved it there at the last traffic-shifting deployment); a rolling rollout would send all of it to the primary target group, which has no tasks now. Nothing was changed.`,
      {
        hint: `Roll out a new image once more with a traffic-shifting strategy (${runnable(`mlops update ${config.source} --tag <new tag> --strategy blue-green`, invocation)}): ECS moves the traffic back to the primary target group. Then switch to rolling.`,
      },
    );
  }
  return config.rollout.strategy === "rolling" ? undefined : live;
}

/** "0% to the primary target group, 100% to the alternate". */
export function sharesText(weights: TrafficWeights): string {
  const total = weights.primary + weights.alternate || 1;
  const percent = (w: number) => Math.round((100 * w) / total);
  return `${percent(weights.primary)}% to the primary target group, ${percent(weights.alternate)}% to the alternate`;
}
