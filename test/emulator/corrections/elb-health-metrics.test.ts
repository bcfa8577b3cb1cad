/**
 * The emulator correction elb-health-metrics (moto gap 12: no load balancer metrics in CloudWatch), shown
 * through the AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and
 * the wrong behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { baseTemplate } from "../fixtures.js";
import { type Aws, certificate, createStack, emulatorWithout, main, network, stackResources, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("elb-health-metrics (moto gap 12: no load balancer metrics in CloudWatch)", () => {
  // Whole minutes, so that the five 60 s periods of the window are complete whatever the clock says.
  const window = () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    return { StartTime: new Date(end.getTime() - 5 * 60_000), EndTime: end };
  };
  const minutes = (range: { StartTime: Date }) => [0, 1, 2, 3, 4].map((i) => new Date(range.StartTime.getTime() + i * 60_000).toISOString());

  /** TargetGroup and LoadBalancer dimension values: the ends of the ARNs, as CloudWatch names them. */
  const dimensionsOf = (targetGroupArn: string, loadBalancerArn: string, zone?: string) => [
    { Name: "TargetGroup", Value: targetGroupArn.split(":").pop()! },
    { Name: "LoadBalancer", Value: loadBalancerArn.split(":loadbalancer/").pop()! },
    ...(zone ? [{ Name: "AvailabilityZone", Value: zone }] : []),
  ];
  const health = (
    Id: string,
    MetricName: string,
    Stat: string,
    Dimensions: { Name: string; Value: string }[],
    extra: Partial<MetricDataQuery> = {},
  ): MetricDataQuery => ({
    Id,
    MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName, Dimensions }, Period: 60, Stat },
    ...extra,
  });

  /** A load balancer in two zones whose listener forwards to a target group holding two IP targets, one per zone. */
  async function registered(a: Aws) {
    const net = await network(a);
    const lb = (await a.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName("m"), Subnets: net.subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
    const group = (await a.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("m"), VpcId: net.vpcId, Protocol: "HTTP", Port: 80, TargetType: "ip" })))
      .TargetGroups![0]!.TargetGroupArn!;
    await a.elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: group }] }),
    );
    await a.elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: "10.9.1.10" }, { Id: "10.9.2.10" }] }));
    const namespace = uniqueName("custom");
    // moto's own path: a custom metric two minutes before the window ends.
    const range = window();
    await a.cloudWatch.send(
      new PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: "Load", Value: 7, Timestamp: new Date(range.EndTime.getTime() - 90_000) }] }),
    );
    return { lb, group, namespace, range };
  }

  async function metricData(a: Aws, made: Awaited<ReturnType<typeof registered>>) {
    const answer = await a.cloudWatch.send(
      new GetMetricDataCommand({
        ...made.range,
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          { Id: "custom", MetricStat: { Metric: { Namespace: made.namespace, MetricName: "Load" }, Period: 60, Stat: "Sum" } },
          health("healthy", "HealthyHostCount", "Minimum", dimensionsOf(made.group, made.lb), { Label: "healthy targets" }),
          health("unhealthy", "UnHealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb)),
          health("zoneA", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb, "us-east-1a")),
          health("unknown", "HealthyHostCount", "Maximum", dimensionsOf(made.group.replace(/\/[0-9a-f]+$/, "/0123456789abcdef"), made.lb)),
          health("hidden", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb), { ReturnData: false }),
        ],
      }),
    );
    return Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id!, r]));
  }

  it("HealthyHostCount and UnHealthyHostCount per target group match DescribeTargetHealth, in one request with moto's own metrics", async () => {
    const made = await registered(main);
    const states = ((await main.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: made.group }))).TargetHealthDescriptions ?? []).map(
      (d) => d.TargetHealth?.State,
    );
    const healthy = states.filter((s) => s === "healthy").length;
    const unhealthy = states.filter((s) => s === "unhealthy" || s === "unhealthy.draining").length;
    expect(healthy + unhealthy).toBe(2);

    const results = await metricData(main, made);
    expect(Object.keys(results)).toEqual(["custom", "healthy", "unhealthy", "zoneA", "unknown"]);
    expect(results.healthy).toMatchObject({ Label: "healthy targets", StatusCode: "Complete", Values: [healthy, healthy, healthy, healthy, healthy] });
    expect(results.healthy?.Timestamps?.map((t) => t.toISOString())).toEqual(minutes(made.range));
    expect(results.unhealthy?.Values).toEqual([unhealthy, unhealthy, unhealthy, unhealthy, unhealthy]);
    // One target's address is in the us-east-1a subnet.
    expect(results.zoneA?.Values).toEqual(Array(5).fill(states[0] === "healthy" ? 1 : 0));
    expect(results.unknown?.Values).toEqual([]);
    expect(results.custom?.Values).toEqual([7]);
  });

  it("a target group not attached to the load balancer, or with health checks off, has no metric; 500 queries fit one request", async () => {
    const made = await registered(main);
    const vpcId = (await main.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.group] }))).TargetGroups![0]!.VpcId!;
    const detached = (await main.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("m"), VpcId: vpcId, Protocol: "HTTP", Port: 80, TargetType: "ip" })))
      .TargetGroups![0]!.TargetGroupArn!;
    await main.elb.send(new RegisterTargetsCommand({ TargetGroupArn: detached, Targets: [{ Id: "10.9.1.11" }] }));
    const values = async (queries: MetricDataQuery[]) =>
      ((await main.cloudWatch.send(new GetMetricDataCommand({ ...made.range, MetricDataQueries: queries }))).MetricDataResults ?? []).map((r) => r.Values);

    const many = Array.from({ length: 500 }, (_, i) =>
      health(`q${i}`, i % 2 ? "UnHealthyHostCount" : "HealthyHostCount", "Average", dimensionsOf(made.group, made.lb)),
    );
    const answered = await values(many);
    expect(answered).toHaveLength(500);
    expect(answered[0]).toEqual([2, 2, 2, 2, 2]);
    expect(answered[499]).toEqual([0, 0, 0, 0, 0]);
    expect(await values([health("d", "HealthyHostCount", "Maximum", dimensionsOf(detached, made.lb))])).toEqual([[]]);

    await main.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: made.group, HealthCheckEnabled: false }));
    expect(await values([health("off", "HealthyHostCount", "Maximum", dimensionsOf(made.group, made.lb))])).toEqual([[]]);
  });

  it("a stack's service shows its running tasks as healthy hosts", async () => {
    const name = uniqueName("m");
    await createStack(main, name, baseTemplate(await certificate(main)), { DesiredCount: 2 });
    const made = await stackResources(main, name);
    const answer = await main.cloudWatch.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [
          health("all", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!)),
          health("a", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!, "us-east-1a")),
          health("b", "HealthyHostCount", "Maximum", dimensionsOf(made.Tg!, made.Alb!, "us-east-1b")),
        ],
      }),
    );
    const latest = Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id!, r.Values?.[0]]));
    expect(latest.all).toBe(2);
    expect(latest.a! + latest.b!).toBe(2);
  });

  it("without it, the load balancer queries answer no datapoints; the custom metric still does", async () => {
    const made = await registered(withoutState);
    const results = await metricData(withoutState, made);
    expect(results.healthy?.Values).toEqual([]);
    expect(results.unhealthy?.Values).toEqual([]);
    expect(results.custom?.Values).toEqual([7]);
  });
});
