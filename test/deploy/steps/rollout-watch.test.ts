/**
 * Rollout progress and rollback causes, against fakes that answer as AWS documents:
 * ELB DescribeRules gives a weighted forward action's target groups and weights (ECS
 * moves them during a blue/green, canary or linear deployment:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html);
 * ECS DescribeServiceDeployments names the alarms that triggered a rollback
 * (ServiceDeploymentAlarms.triggeredAlarmNames).
 */
import { describe, expect, it } from "vitest";
import type { CloudWatchApi, EcsApi, ElbApi } from "../../../src/aws/interfaces.js";
import { alarmCause, alarmsText, latestServiceDeployment, shiftAndAlarms, shiftText, trafficShiftTracker } from "../../../src/deploy/steps/rollout-watch.js";
import { targetHealthCounts } from "../../../src/deploy/steps/validate.js";
import { FakeClock } from "../../fakes/clock.js";

const BLUE = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/ep-a-prod/1";
const GREEN = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/ep-a-alt/2";

function cloudWatch(states: Record<string, [string, string?]>): CloudWatchApi {
  return {
    describeAlarms: async (input) => ({
      MetricAlarms: (input.AlarmNames ?? [])
        .filter((n) => states[n])
        .map((n) => ({ AlarmName: n, StateValue: states[n]![0] as "OK", StateReason: states[n]![1] })),
    }),
    getMetricData: async () => ({ MetricDataResults: [] }),
  };
}

function elbWithWeights(sequence: [number, number][]): ElbApi {
  let call = 0;
  return {
    describeRules: async () => {
      const [blue, green] = sequence[Math.min(call++, sequence.length - 1)]!;
      return {
        Rules: [
          {
            Actions: [
              {
                Type: "forward",
                ForwardConfig: {
                  TargetGroups: [
                    { TargetGroupArn: BLUE, Weight: blue },
                    { TargetGroupArn: GREEN, Weight: green },
                  ],
                },
              },
            ],
          },
        ],
      };
    },
  } as unknown as ElbApi;
}

describe("traffic shift", () => {
  it("follows the target group that had no traffic, then counts the bake time down", () => {
    const clock = new FakeClock();
    const track = trafficShiftTracker(5, clock);
    const weights = (blue: number, green: number) =>
      new Map([
        [BLUE, blue],
        [GREEN, green],
      ]);
    expect(track(weights(100, 0))).toEqual({ newPercent: 0 });
    expect(shiftText(track(weights(90, 10)))).toBe("traffic on the new revision 10 %");
    expect(track(weights(0, 100))).toEqual({ newPercent: 100, bakeLeftSeconds: 300 });
    clock.advance(70_000);
    expect(shiftText(track(weights(0, 100)))).toBe("traffic on the new revision 100 %, bake time 3 min 50 s left");
    // A rule with one target group (rolling) shows no shift.
    expect(trafficShiftTracker(5, clock)(new Map([[BLUE, 1]]))).toBeUndefined();
  });

  it("the progress line shows the shift and each alarm's state", async () => {
    const line = await shiftAndAlarms({
      id: "ep-a-prod",
      strategy: "canary",
      listenerRuleArn: "rule",
      cloudWatch: cloudWatch({ "ep-a-prod-target-5xx": ["OK"], "ep-a-prod-p95-response-time": ["OK"], "ep-a-prod-unhealthy-hosts": ["INSUFFICIENT_DATA"] }),
      elb: elbWithWeights([
        [100, 0],
        [90, 10],
      ]),
      track: trafficShiftTracker(5, new FakeClock()),
    });
    expect(line).toBe("traffic on the new revision 0 %; alarms: target-5xx OK, p95-response-time OK, unhealthy-hosts INSUFFICIENT_DATA");
    expect(alarmsText("ep-a-prod", [])).toBe("alarms: none yet");
  });
});

describe("why a rollout was rolled back", () => {
  const ecs = (triggered: string[] | undefined): EcsApi =>
    ({
      listServiceDeployments: async () => ({ serviceDeployments: [{ serviceDeploymentArn: "arn:dep/1" }] }),
      describeServiceDeployments: async () => ({
        serviceDeployments: [{ status: "ROLLBACK_SUCCESSFUL", ...(triggered ? { alarms: { status: "TRIGGERED", triggeredAlarmNames: triggered } } : {}) }],
      }),
    }) as unknown as EcsApi;

  it("names the alarm ECS recorded as triggered, with CloudWatch's reason", async () => {
    const cause = await alarmCause(
      { ecs: ecs(["ep-a-prod-p95-response-time"]), cloudWatch: cloudWatch({ "ep-a-prod-p95-response-time": ["OK", "Threshold Crossed: 2 datapoints > 5"] }) },
      "ep-a-prod",
      "c",
      "s",
    );
    expect(cause).toBe("rolled back by the alarm ep-a-prod-p95-response-time (Threshold Crossed: 2 datapoints > 5)");
  });

  it("falls back to the alarms in ALARM now, and says nothing when no alarm explains it (circuit breaker)", async () => {
    expect(await alarmCause({ ecs: ecs(undefined), cloudWatch: cloudWatch({ "ep-a-prod-unhealthy-hosts": ["ALARM"] }) }, "ep-a-prod", "c", "s")).toBe(
      "rolled back by the alarm ep-a-prod-unhealthy-hosts",
    );
    expect(await alarmCause({ ecs: ecs(undefined), cloudWatch: cloudWatch({ "ep-a-prod-unhealthy-hosts": ["OK"] }) }, "ep-a-prod", "c", "s")).toBeUndefined();
  });
});

describe("the newest service deployment", () => {
  it("is the latest createdAt over every page, whatever order ECS lists in (ListServiceDeployments promises none)", async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute));
    const pages = [
      { serviceDeployments: [{ serviceDeploymentArn: "arn:dep/old", createdAt: at(1) }], nextToken: "2" },
      {
        serviceDeployments: [
          { serviceDeploymentArn: "arn:dep/new", createdAt: at(3) },
          { serviceDeploymentArn: "arn:dep/mid", createdAt: at(2) },
        ],
      },
    ];
    const described: string[][] = [];
    const ecs = {
      listServiceDeployments: async (input: { nextToken?: string }) => pages[input.nextToken ? 1 : 0],
      describeServiceDeployments: async (input: { serviceDeploymentArns: string[] }) => {
        described.push(input.serviceDeploymentArns);
        return { serviceDeployments: [{ status: "ROLLBACK_SUCCESSFUL", alarms: { status: "TRIGGERED", triggeredAlarmNames: ["ep-a-prod-target-5xx"] } }] };
      },
    } as unknown as EcsApi;
    expect(await latestServiceDeployment(ecs, "c", "s")).toMatchObject({ status: "ROLLBACK_SUCCESSFUL" });
    expect(described).toEqual([["arn:dep/new"]]);
  });
});

describe("target health after a traffic shift", () => {
  it("counts the targets of both target groups: the new revision serves from the one that had no traffic", async () => {
    const states: Record<string, string[]> = { [BLUE]: [], [GREEN]: ["healthy", "healthy"] };
    const elb = {
      describeTargetHealth: async (input: { TargetGroupArn: string }) => ({
        TargetHealthDescriptions: (states[input.TargetGroupArn] ?? []).map((State) => ({ TargetHealth: { State } })),
      }),
    } as unknown as ElbApi;
    expect(await targetHealthCounts(elb, [BLUE, GREEN])).toEqual({ healthy: 2, total: 2 });
    expect(await targetHealthCounts(elb, [BLUE, undefined])).toEqual({ healthy: 0, total: 0 });
  });
});
