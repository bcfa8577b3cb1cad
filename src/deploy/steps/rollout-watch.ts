/**
 * What a rollout looks like while it runs and why it ended: the share of
 * traffic on the new revision (the listener rule's weights, which ECS moves
 * during a blue/green, canary or linear deployment), the bake time left, each
 * alarm's state, and after a rollback the alarm that fired or the stopped
 * tasks' reasons.
 */
import type { CloudWatchApi, EcsApi, ElbApi } from "../../aws/interfaces.js";
import type { RolloutStrategy } from "../../params/model.js";
import { alarmNames } from "../../render/names.js";
import { formatDuration } from "../engine/rollout-time.js";
import type { Clock } from "../engine/clock.js";

/** One alarm's state. */
export interface AlarmState {
  name: string;
  state: string;
  reason?: string;
}

/** The states of the endpoint's alarms, in the stack's order; an alarm not (yet) there is left out. */
export async function alarmStates(cloudWatch: CloudWatchApi, id: string): Promise<AlarmState[]> {
  const names = alarmNames(id);
  const answer = await cloudWatch.describeAlarms({ AlarmNames: names });
  const byName = new Map((answer.MetricAlarms ?? []).map((a) => [a.AlarmName ?? "", a]));
  return names.flatMap((name) => {
    const alarm = byName.get(name);
    return alarm ? [{ name, state: alarm.StateValue ?? "INSUFFICIENT_DATA", ...(alarm.StateReason ? { reason: alarm.StateReason } : {}) }] : [];
  });
}

/** "alarms: target-5xx OK, p95-response-time OK, unhealthy-hosts ALARM", short names after the endpoint's id. */
export function alarmsText(id: string, states: AlarmState[]): string {
  if (states.length === 0) return "alarms: none yet";
  return `alarms: ${states.map((s) => `${s.name.startsWith(`${id}-`) ? s.name.slice(id.length + 1) : s.name} ${s.state}`).join(", ")}`;
}

/** The forward weights of a listener rule, by target group. */
export async function ruleWeights(elb: ElbApi, ruleArn: string): Promise<Map<string, number>> {
  const rule = (await elb.describeRules({ RuleArns: [ruleArn] })).Rules?.[0];
  const weights = new Map<string, number>();
  for (const action of rule?.Actions ?? []) {
    if (action.Type !== "forward") continue;
    const groups = action.ForwardConfig?.TargetGroups;
    if (groups?.length) for (const g of groups) weights.set(g.TargetGroupArn ?? "", g.Weight ?? 0);
    else if (action.TargetGroupArn) weights.set(action.TargetGroupArn, 1);
  }
  return weights;
}

/** Where a traffic shift stands. */
export interface ShiftState {
  /** Share (%) of the rule's traffic on the target group that had none when the rollout started. */
  newPercent: number;
  /** Bake time left once all traffic is on the new revision; undefined before. */
  bakeLeftSeconds?: number;
}

/**
 * Follows a traffic shift across polls: the first reading names the target group that serves
 * no traffic (where ECS starts the new revision); the bake time counts from the first
 * reading with all traffic on it.
 */
export function trafficShiftTracker(bakeMinutes: number, clock: Clock): (weights: Map<string, number>) => ShiftState | undefined {
  let idle: string | undefined;
  let allSince: number | undefined;
  return (weights) => {
    if (weights.size < 2) return undefined;
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    if (total <= 0) return undefined;
    if (idle === undefined) idle = [...weights.entries()].sort((a, b) => a[1] - b[1])[0]?.[0];
    const newPercent = Math.round((100 * (weights.get(idle ?? "") ?? 0)) / total);
    if (newPercent < 100) return { newPercent };
    allSince ??= clock.now();
    return { newPercent, bakeLeftSeconds: Math.max(0, bakeMinutes * 60 - (clock.now() - allSince) / 1000) };
  };
}

/** The progress text of a shift: "traffic on the new revision 10 %" or "100 %, bake time 4 min 10 s left". */
export function shiftText(state: ShiftState | undefined): string | undefined {
  if (!state) return undefined;
  const bake = state.bakeLeftSeconds === undefined ? "" : `, bake time ${formatDuration(Math.round(state.bakeLeftSeconds))} left`;
  return `traffic on the new revision ${state.newPercent} %${bake}`;
}

/** What the progress line of a rollout reads, besides the ECS counts. */
export interface RolloutWatch {
  id: string;
  strategy: RolloutStrategy;
  listenerRuleArn?: string;
  cloudWatch: CloudWatchApi;
  elb: ElbApi;
  track: (weights: Map<string, number>) => ShiftState | undefined;
}

/** The shift and alarm part of the progress line; a read that fails leaves its part out (progress must not fail a rollout). */
export async function shiftAndAlarms(watch: RolloutWatch): Promise<string> {
  const parts: string[] = [];
  if (watch.strategy !== "rolling" && watch.listenerRuleArn) {
    const text = shiftText(watch.track(await ruleWeights(watch.elb, watch.listenerRuleArn).catch(() => new Map<string, number>())));
    if (text) parts.push(text);
  }
  const states = await alarmStates(watch.cloudWatch, watch.id).catch(() => undefined);
  if (states) parts.push(alarmsText(watch.id, states));
  return parts.join("; ");
}

/** One entry of ListServiceDeployments. */
export type ServiceDeploymentBrief = NonNullable<Awaited<ReturnType<EcsApi["listServiceDeployments"]>>["serviceDeployments"]>[number];

/** Most entries one ListServiceDeployments page may hold (maxResults, ECS API reference). */
const LIST_PAGE_SIZE = 100;

/**
 * Every deployment ECS lists for a service, newest first. ListServiceDeployments promises no
 * order and answers in pages (ECS API reference, ListServiceDeployments): every page is read
 * and the entries are sorted by createdAt (startedAt when it is missing).
 */
export async function serviceDeploymentsNewestFirst(ecs: EcsApi, cluster: string, service: string): Promise<ServiceDeploymentBrief[]> {
  const listed: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.listServiceDeployments({ cluster, service, maxResults: LIST_PAGE_SIZE, ...(nextToken ? { nextToken } : {}) });
    listed.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const time = (d: ServiceDeploymentBrief) => (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
  return listed.sort((a, b) => time(b) - time(a));
}

/** The newest of a service's deployments as ECS recorded it, with the alarms it triggered; undefined when ECS keeps none. */
export async function latestServiceDeployment(ecs: EcsApi, cluster: string, service: string) {
  // ListServiceDeployments promises no order: the first entry of a page need not be the newest.
  const listed = (await serviceDeploymentsNewestFirst(ecs, cluster, service))[0];
  if (!listed?.serviceDeploymentArn) return undefined;
  return (await ecs.describeServiceDeployments({ serviceDeploymentArns: [listed.serviceDeploymentArn] })).serviceDeployments?.[0];
}

/**
 * Why a rollout was rolled back, in one sentence naming the alarm that fired: the
 * service deployment's triggered alarms (ECS's own record), else the endpoint's alarms
 * in ALARM now; undefined when no alarm explains it (the circuit breaker's stopped
 * tasks are reported by the validate step).
 */
export async function alarmCause(aws: { ecs: EcsApi; cloudWatch: CloudWatchApi }, id: string, cluster: string, service: string): Promise<string | undefined> {
  const deployment = await latestServiceDeployment(aws.ecs, cluster, service).catch(() => undefined);
  const triggered = deployment?.alarms?.triggeredAlarmNames ?? [];
  const states = await alarmStates(aws.cloudWatch, id).catch(() => [] as AlarmState[]);
  const firing = triggered.length ? triggered : states.filter((s) => s.state === "ALARM").map((s) => s.name);
  if (firing.length === 0) return undefined;
  const reasons = firing.map((name) => {
    const reason = states.find((s) => s.name === name)?.reason;
    return reason ? `${name} (${reason})` : name;
  });
  return `rolled back by the alarm${firing.length > 1 ? "s" : ""} ${reasons.join(", ")}`;
}
