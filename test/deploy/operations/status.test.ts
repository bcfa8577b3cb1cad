/**
 * `status` over many endpoints and broken ones, with fakes that answer as
 * the AWS API references say: DescribeServices takes at most 10 services and
 * reports unknown ones under `failures`; DescribeTargetHealth of a deleted
 * target group fails with TargetGroupNotFound; DescribeImages of a missing
 * tag with ImageNotFoundException; ListPipelines no longer lists a deleted
 * pipeline; DescribeStacks answers in pages; GetMetricData answers the
 * AWS/ApplicationELB target counts per TargetGroup and LoadBalancer dimension
 * (ALB user guide, "CloudWatch metrics for your Application Load Balancer").
 */
import { describe, expect, it } from "vitest";
import type { GetMetricDataInput } from "@aws-sdk/client-cloudwatch";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import { runStatus } from "../../../src/commands/status.js";
import type { CommandDeps } from "../../../src/commands/shared.js";
import { endpointStatuses, type EndpointStatus } from "../../../src/deploy/operations/status.js";
import { AwsError, CredentialsError } from "../../../src/errors.js";
import type { Output } from "../../../src/io/output.js";
import type { Invocation } from "../../../src/io/invocation.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const cluster = "ep-0-prod";
const tg = (id: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${id}/1`;
const lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ep-0-prod/abc";

function stack(id: string, options: { role?: "base" | "added" | "pipeline"; status?: string; tag?: string } = {}): Stack {
  const role = options.role ?? "added";
  const name = role === "pipeline" ? `${id}-pipeline` : id;
  return {
    StackName: name,
    StackStatus: (options.status ?? "UPDATE_COMPLETE") as Stack["StackStatus"],
    CreationTime: new Date(0),
    Tags: [
      { Key: "mlops:managed-by", Value: "mlops" },
      { Key: "mlops:endpoint", Value: id },
      { Key: "mlops:role", Value: role },
      ...(role === "base" ? [] : [{ Key: "mlops:base", Value: "ep-0-prod" }]),
    ],
    Parameters:
      role === "pipeline"
        ? []
        : [
            { ParameterKey: "APITag", ParameterValue: options.tag ?? "v1" },
            { ParameterKey: "HostHeaderApi", ParameterValue: `${id}.example.com` },
          ],
    Outputs:
      role === "pipeline"
        ? []
        : [
            { OutputKey: "ClusterName", OutputValue: cluster },
            { OutputKey: "ServiceName", OutputValue: id },
            { OutputKey: "TargetGroupArn", OutputValue: tg(id) },
            { OutputKey: "EcrRepositoryName", OutputValue: id },
            ...(role === "base" ? [{ OutputKey: "LoadBalancerArn", OutputValue: lb }] : []),
          ],
  };
}

/** What CloudWatch holds of a target group: its latest minute's counts, or nothing (`undefined`: no minute yet). */
type Minute = { healthy: number; unhealthy: number; at: number } | undefined;

/**
 * An account holding these stacks; `gone` lists what was deleted outside mlops. `pageSize`: stacks per DescribeStacks page.
 * `metrics`: CloudWatch's minute per target group id (default: 1 healthy, 0 unhealthy, a minute ago), or a failure.
 */
function account(
  stacks: Stack[],
  gone: { services?: string[]; targetGroups?: string[]; images?: string[]; pipelines?: string[] } = {},
  options: { pageSize?: number; metrics?: (targetGroupId: string) => Minute; metricsError?: Error } = {},
) {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const pageSize = options.pageSize ?? 100;
  const aws = {
    region: "us-east-1",
    cloudFormation: {
      describeStacks: async (input: { NextToken?: string }) => {
        count("DescribeStacks");
        const from = Number(input.NextToken ?? 0);
        const next = from + pageSize < stacks.length ? String(from + pageSize) : undefined;
        return { Stacks: stacks.slice(from, from + pageSize), NextToken: next };
      },
    },
    cloudWatch: {
      getMetricData: async (input: GetMetricDataInput) => {
        count("GetMetricData");
        if (options.metricsError) throw options.metricsError;
        if ((input.MetricDataQueries?.length ?? 0) > 500) throw new AwsError("CloudWatch GetMetricData: too many queries", { code: "ValidationError" });
        return {
          MetricDataResults: (input.MetricDataQueries ?? []).flatMap((q) => {
            const dims = Object.fromEntries((q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
            if (dims.LoadBalancer !== "app/ep-0-prod/abc") return [{ Id: q.Id, Timestamps: [], Values: [], StatusCode: "Complete" as const }];
            const id = /^targetgroup\/([^/]+)\/1$/.exec(dims.TargetGroup ?? "")?.[1] ?? "";
            const minute = options.metrics ? options.metrics(id) : { healthy: 1, unhealthy: 0, at: 60_000 };
            if (!minute) return [{ Id: q.Id, Timestamps: [], Values: [], StatusCode: "Complete" as const }];
            const value = q.MetricStat?.Metric?.MetricName === "HealthyHostCount" ? minute.healthy : minute.unhealthy;
            return [{ Id: q.Id, Timestamps: [new Date(minute.at)], Values: [value], StatusCode: "Complete" as const }];
          }),
        };
      },
    },
    ecs: {
      describeServices: async (input: { cluster: string; services: string[] }) => {
        count("DescribeServices");
        if (input.services.length > 10) throw new AwsError("ECS DescribeServices: services can have at most 10 items", { code: "InvalidParameterException" });
        const known = input.services.filter((s) => !gone.services?.includes(s));
        return {
          services: known.map((s) => ({
            serviceName: s,
            serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${input.cluster}/${s}`,
            status: "ACTIVE",
            desiredCount: 1,
            runningCount: 1,
          })),
          failures: input.services.filter((s) => gone.services?.includes(s)).map((s) => ({ arn: s, reason: "MISSING" })),
        };
      },
    },
    elb: {
      describeTargetHealth: async (input: { TargetGroupArn: string }) => {
        count("DescribeTargetHealth");
        if (gone.targetGroups?.includes(input.TargetGroupArn)) {
          throw new AwsError(`Elastic Load Balancing DescribeTargetHealth: Target groups '${input.TargetGroupArn}' not found`, { code: "TargetGroupNotFound" });
        }
        return { TargetHealthDescriptions: [{ TargetHealth: { State: "healthy" } }] };
      },
    },
    ecr: {
      describeImages: async (input: { repositoryName: string; imageIds: { imageTag: string }[] }) => {
        count("DescribeImages");
        const key = `${input.repositoryName}:${input.imageIds[0]?.imageTag}`;
        if (gone.images?.includes(key))
          throw new AwsError(`ECR DescribeImages: The image with imageId {imageTag:'${key}'} does not exist`, { code: "ImageNotFoundException" });
        return { imageDetails: [{ imageTags: [input.imageIds[0]?.imageTag] }] };
      },
    },
    // What teardowns kept: nothing here.
    efs: { describeFileSystems: async () => ({ FileSystems: [] }) },
    logs: { describeLogGroups: async () => ({ logGroups: [] }) },
    acm: { listCertificates: async () => ({ CertificateSummaryList: [] }) },
    s3: { listBuckets: async () => ({ Buckets: [] }) },
    codePipeline: {
      listPipelines: async () => {
        count("ListPipelines");
        const names = stacks.filter((s) => s.StackName?.endsWith("-pipeline")).map((s) => (s.StackName as string).replace(/-pipeline$/, ""));
        return { pipelines: names.filter((n) => !gone.pipelines?.includes(n)).map((name) => ({ name })) };
      },
    },
  } as unknown as AwsClients;
  return { aws, calls };
}

const context = (aws: AwsClients) => ({ aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: false });

describe("status", () => {
  it("reads the stacks once and the services 10 to a call, however many endpoints there are", async () => {
    // Target health: live while the target groups fit in ELB's share of its request rate, then one CloudWatch call for all.
    for (const [endpoints, describeServices, liveReads, metricReads] of [
      [1, 1, 1, 0],
      [5, 1, 5, 0],
      [20, 2, 20, 0],
      [23, 3, 0, 1],
      [300, 30, 0, 2],
    ] as const) {
      const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: endpoints - 1 }, (_, i) => stack(`ep-${i + 1}-prod`))];
      const { aws, calls } = account(stacks);
      const statuses = await endpointStatuses(context(aws));
      expect(statuses).toHaveLength(endpoints);
      expect(statuses.every((s) => s.running === 1 && s.healthyTargets === 1 && s.totalTargets === 1 && s.problems.length === 0)).toBe(true);
      expect(calls).toEqual({
        DescribeStacks: Math.ceil(endpoints / 100),
        DescribeServices: describeServices,
        DescribeImages: endpoints,
        ...(liveReads ? { DescribeTargetHealth: liveReads } : {}),
        ...(metricReads ? { GetMetricData: metricReads } : {}),
      });
      expect(new Set(statuses.map((s) => s.targetHealthSource))).toEqual(new Set([metricReads ? "cloudwatch" : "live"]));
    }
  });

  it("reads each page's endpoints while the next page of stacks is on its way", async () => {
    const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: 59 }, (_, i) => stack(`ep-${String(i + 1).padStart(2, "0")}-prod`))];
    const { aws } = account(stacks, {}, { pageSize: 50 });
    const order: string[] = [];
    const pages = aws.cloudFormation.describeStacks.bind(aws.cloudFormation);
    aws.cloudFormation.describeStacks = async (input) => {
      const page = await pages(input);
      // The second page takes its time: the first page's services are asked for meanwhile.
      if (input.NextToken) await new Promise((resolve) => setTimeout(resolve, 20));
      order.push(input.NextToken ? "page 2" : "page 1");
      return page;
    };
    const services = aws.ecs.describeServices.bind(aws.ecs);
    aws.ecs.describeServices = async (input) => (order.push("services"), services(input));
    const statuses = await endpointStatuses(context(aws));
    expect(statuses.map((s) => s.endpoint)).toEqual(stacks.map((s) => s.StackName));
    expect(order.indexOf("services")).toBeLessThan(order.indexOf("page 2"));
    // 50 services on the first page, 10 on the second: 10 to a call.
    expect(order.filter((o) => o === "services")).toHaveLength(6);
  });

  it("takes CloudWatch's latest minute for many target groups, and reads live those it has no minute of, within ELB's rate", async () => {
    const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: 59 }, (_, i) => stack(`ep-${i + 1}-prod`))];
    // 30 target groups are new: CloudWatch has no minute of them yet.
    const fresh = (id: string) => Number(/^ep-(\d+)-prod$/.exec(id)?.[1]) >= 30;
    const { aws, calls } = account(stacks, {}, { metrics: (id) => (fresh(id) ? undefined : { healthy: 2, unhealthy: 1, at: Date.UTC(2026, 10, 29, 12, 34) }) });
    const statuses = await endpointStatuses(context(aws));
    const byName = Object.fromEntries(statuses.map((s) => [s.endpoint, s])) as Record<string, EndpointStatus>;
    expect(byName["ep-1-prod"]).toMatchObject({
      healthyTargets: 2,
      totalTargets: 3,
      targetHealthSource: "cloudwatch",
      targetHealthAt: "2026-11-29T12:34:00.000Z",
      problems: [],
    });
    expect(calls.GetMetricData).toBe(1);
    expect(calls.DescribeTargetHealth).toBe(20);
    const live = statuses.filter((s) => s.targetHealthSource === "live");
    const unread = statuses.filter((s) => s.targetHealthNotRead);
    expect(live).toHaveLength(20);
    expect(unread).toHaveLength(10);
    expect(live.concat(unread).every((s) => fresh(s.endpoint))).toBe(true);
    expect(unread[0]?.targetHealthNotRead).toMatch(/CloudWatch has no recent minute.*20 target groups/);
    // Not read is not broken: no problem, and the endpoint counts as healthy.
    expect(unread.every((s) => s.problems.length === 0 && s.healthyTargets === undefined)).toBe(true);
  });

  it("falls back to live reads within ELB's rate when CloudWatch cannot be read, and says why for the rest", async () => {
    const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: 24 }, (_, i) => stack(`ep-${i + 1}-prod`))];
    const denied = new AwsError("CloudWatch GetMetricData: User is not authorized to perform: cloudwatch:GetMetricData", { code: "AccessDenied" });
    const { aws, calls } = account(stacks, {}, { metricsError: denied });
    const statuses = await endpointStatuses(context(aws));
    expect(calls.DescribeTargetHealth).toBe(20);
    expect(statuses.filter((s) => s.targetHealthSource === "live")).toHaveLength(20);
    const unread = statuses.filter((s) => s.targetHealthNotRead);
    expect(unread).toHaveLength(5);
    expect(unread[0]?.targetHealthNotRead).toContain("not authorized to perform: cloudwatch:GetMetricData");
  });

  it("checks every endpoint's pipeline in one listing", async () => {
    const stacks = Array.from({ length: 30 }, (_, i) => [
      stack(`ep-${i}-prod`, { role: i === 0 ? "base" : "added" }),
      stack(`ep-${i}-prod`, { role: "pipeline" }),
    ]).flat();
    const { aws, calls } = account(stacks, { pipelines: ["ep-7-prod"] });
    const statuses = await endpointStatuses(context(aws));
    expect(calls.ListPipelines).toBe(1);
    expect(statuses.filter((s) => s.problems.length > 0).map((s) => [s.endpoint, s.problems])).toEqual([
      ["ep-7-prod", ["pipeline ep-7-prod is gone: pushes build nothing; run create-endpoint or add-endpoint again to restore it"]],
    ]);
  });

  it("reads the endpoints concurrently, not one after the other", async () => {
    const stacks = Array.from({ length: 20 }, (_, i) => stack(`ep-${i}-prod`));
    const { aws } = account(stacks);
    let inFlight = 0;
    let most = 0;
    const slow = aws.elb.describeTargetHealth.bind(aws.elb);
    aws.elb.describeTargetHealth = async (input) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return slow(input);
    };
    await endpointStatuses(context(aws));
    expect(most).toBeGreaterThan(1);
  });

  it("shows each broken endpoint's own problems and the healthy ones normally", async () => {
    const stacks = [
      stack("ep-a-prod", { role: "base" }),
      stack("ep-b-prod", { status: "DELETE_FAILED" }),
      stack("ep-c-prod"),
      stack("ep-c-prod", { role: "pipeline" }),
      stack("ep-d-prod"),
    ];
    const { aws } = account(stacks, { targetGroups: [tg("ep-b-prod")], services: ["ep-b-prod"], images: ["ep-c-prod:v1"], pipelines: ["ep-c-prod"] });
    const statuses = await endpointStatuses(context(aws));
    const byName = Object.fromEntries(statuses.map((s) => [s.endpoint, s])) as Record<string, EndpointStatus>;

    expect(byName["ep-a-prod"]).toMatchObject({ running: 1, desired: 1, healthyTargets: 1, totalTargets: 1, problems: [] });
    expect(byName["ep-d-prod"]).toMatchObject({ running: 1, healthyTargets: 1, problems: [] });
    expect(byName["ep-b-prod"]?.stackStatus).toBe("DELETE_FAILED");
    expect(byName["ep-b-prod"]?.problems).toEqual([
      "stack ep-b-prod is DELETE_FAILED",
      "ECS service ep-b-prod not found in cluster ep-0-prod (MISSING)",
      `target group: Elastic Load Balancing DescribeTargetHealth: Target groups '${tg("ep-b-prod")}' not found`,
    ]);
    expect(byName["ep-b-prod"]?.healthyTargets).toBeUndefined();
    expect(byName["ep-c-prod"]?.problems).toEqual([
      "image v1 is not in ECR repository ep-c-prod: new tasks cannot start",
      "pipeline ep-c-prod is gone: pushes build nothing; run create-endpoint or add-endpoint again to restore it",
    ]);
  });

  it("still fails whole when the credentials fail: no row could be read", async () => {
    const { aws } = account([stack("ep-a-prod", { role: "base" })]);
    aws.elb.describeTargetHealth = async () => {
      throw new CredentialsError("The security token included in the request is expired");
    };
    await expect(endpointStatuses(context(aws))).rejects.toThrow(CredentialsError);
  });
});

describe("mlops status output", () => {
  const broken = () =>
    account([stack("ep-a-prod", { role: "base" }), stack("ep-b-prod", { status: "DELETE_FAILED" })], {
      targetGroups: [tg("ep-b-prod")],
      services: ["ep-b-prod"],
    }).aws;
  const deps = (aws: AwsClients, out: Output): CommandDeps => ({ out, clock: new FakeClock(), cwd: ".", aws: async () => aws });

  it("prints the healthy endpoints in the table and the broken one's problems below it", async () => {
    let text = "";
    const out = Object.assign(new MemoryOutput(), { result: (_data: unknown, render: () => string) => (text = render()) });
    await runStatus({ json: false }, deps(broken(), out));
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^ep-a-prod\s+base\s+UPDATE_COMPLETE\s+v1\s+1\/1\s+1\/1\s+no\s+https:\/\/ep-a-prod\.example\.com$/);
    expect(lines[2]).toMatch(/^ep-b-prod \(!\)\s+added\s+DELETE_FAILED\s+v1\s+-\s+-/);
    expect(lines.slice(4)).toEqual([
      "Problems (1 of 2 endpoint(s)):",
      "  ep-b-prod: stack ep-b-prod is DELETE_FAILED",
      "  ep-b-prod: ECS service ep-b-prod not found in cluster ep-0-prod (MISSING)",
      `  ep-b-prod: target group: Elastic Load Balancing DescribeTargetHealth: Target groups '${tg("ep-b-prod")}' not found`,
    ]);
  });

  it("marks target counts CloudWatch gave and those not read, and says what the marks mean", async () => {
    const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: 44 }, (_, i) => stack(`ep-${String(i + 1).padStart(2, "0")}-prod`))];
    const fresh = (id: string) => Number(/^ep-(\d+)-prod$/.exec(id)?.[1]) >= 20;
    const { aws } = account(stacks, {}, { metrics: (id) => (fresh(id) ? undefined : { healthy: 1, unhealthy: 0, at: Date.UTC(2026, 10, 29, 9, 5) }) });
    let text = "";
    const out = Object.assign(new MemoryOutput(), { result: (_data: unknown, render: () => string) => (text = render()) });
    await runStatus({ json: false }, deps(aws, out));
    const lines = text.split("\n");
    expect(lines.find((l) => l.startsWith("ep-01-prod "))).toMatch(/\s1\/1 \s+1\/1\*\s/);
    expect(lines.find((l) => l.startsWith("ep-20-prod "))).toMatch(/\s1\/1 \s+1\/1\s/);
    expect(lines.find((l) => l.startsWith("ep-44-prod "))).toMatch(/\s1\/1 \s+\?\s/);
    expect(lines).toContain(
      "* as the load balancer last reported to CloudWatch (minute of 09:05 UTC or later): too many target groups to read each live; `mlops status NAME` reads one live.",
    );
    expect(lines.find((l) => l.startsWith("? not read for 5 endpoint(s): CloudWatch has no recent minute"))).toBeDefined();
  });

  it("names the one-endpoint deletion of kept data while endpoints run, since --all would tear them down too", async () => {
    const render = async (stacks: Stack[], name?: string, invocation?: Invocation) => {
      const { aws } = account(stacks);
      const kept = { logGroups: [{ logGroupName: "/mlops/ep-z-prod", storedBytes: 0 }] };
      Object.assign(aws.logs, {
        describeLogGroups: async (input: { logGroupNamePrefix?: string }) => (input.logGroupNamePrefix === "/mlops/" ? kept : { logGroups: [] }),
      });
      let text = "";
      const out = Object.assign(new MemoryOutput(), { result: (_data: unknown, r: () => string) => (text = r()) });
      await runStatus({ json: false, ...(name ? { name } : {}) }, { ...deps(aws, out), invocation });
      return text.split("\n").find((l) => l.startsWith("Kept by teardowns")) ?? "";
    };
    const running = await render([stack("ep-a-prod", { role: "base" })]);
    expect(running).toContain("`mlops teardown FILE --delete-data` with a gone endpoint's parameter file deletes its data");
    expect(running).not.toContain("`mlops teardown --all --delete-data` deletes them");
    expect(await render([stack("ep-a-prod", { role: "base" })], "ep-z")).not.toContain("`mlops teardown --all --delete-data` deletes them");
    expect(await render([])).toContain("`mlops teardown --all --delete-data` deletes them");
    // Started through npx: the commands are spelled the way the user starts mlops.
    expect(await render([], undefined, "npx mlops")).toContain("`npx mlops teardown --all --delete-data` deletes them");
    const npx = await render([stack("ep-a-prod", { role: "base" })], undefined, "npx mlops");
    expect(npx).toContain("`npx mlops teardown FILE --delete-data` with a gone endpoint's parameter file deletes its data");
    expect(npx).not.toMatch(/(?<!npx )`mlops /);
  });

  it("gives scripts every endpoint, each with its problems, and whether all are healthy", async () => {
    const out = new MemoryOutput();
    await runStatus({ json: true }, deps(broken(), out));
    const data = out.results[0] as { healthy: boolean; endpoints: EndpointStatus[] };
    expect(data.healthy).toBe(false);
    expect(data.endpoints.map((e) => [e.endpoint, e.problems.length, e.healthyTargets])).toEqual([
      ["ep-a-prod", 0, 1],
      ["ep-b-prod", 3, undefined],
    ]);
  });
});
