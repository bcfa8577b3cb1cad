/**
 * `status` over many endpoints and broken ones, with fakes that answer as
 * the AWS API references say: DescribeServices takes at most 10 services and
 * reports unknown ones under `failures`; DescribeTargetHealth of a deleted
 * target group fails with TargetGroupNotFound; DescribeImages of a missing
 * tag with ImageNotFoundException; GetPipeline of a deleted pipeline with
 * PipelineNotFoundException.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import { runStatus } from "../../../src/commands/status.js";
import type { CommandDeps } from "../../../src/commands/shared.js";
import { endpointStatuses, type EndpointStatus } from "../../../src/deploy/operations/status.js";
import { AwsError, CredentialsError } from "../../../src/errors.js";
import type { Output } from "../../../src/io/output.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const cluster = "ep-0-prod";
const tg = (id: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${id}/1`;

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
    ],
    Parameters: role === "pipeline" ? [] : [
      { ParameterKey: "APITag", ParameterValue: options.tag ?? "v1" },
      { ParameterKey: "HostHeaderApi", ParameterValue: `${id}.example.com` },
    ],
    Outputs: role === "pipeline" ? [] : [
      { OutputKey: "ClusterName", OutputValue: cluster },
      { OutputKey: "ServiceName", OutputValue: id },
      { OutputKey: "TargetGroupArn", OutputValue: tg(id) },
      { OutputKey: "EcrRepositoryName", OutputValue: id },
    ],
  };
}

/** An account holding these stacks; `gone` lists what was deleted outside mlops. */
function account(stacks: Stack[], gone: { services?: string[]; targetGroups?: string[]; images?: string[]; pipelines?: string[] } = {}) {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const aws = {
    region: "us-east-1",
    cloudFormation: {
      describeStacks: async () => (count("DescribeStacks"), { Stacks: stacks }),
    },
    ecs: {
      describeServices: async (input: { cluster: string; services: string[] }) => {
        count("DescribeServices");
        if (input.services.length > 10) throw new AwsError("ECS DescribeServices: services can have at most 10 items", { code: "InvalidParameterException" });
        const known = input.services.filter((s) => !gone.services?.includes(s));
        return {
          services: known.map((s) => ({ serviceName: s, serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${input.cluster}/${s}`, status: "ACTIVE", desiredCount: 1, runningCount: 1 })),
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
        if (gone.images?.includes(key)) throw new AwsError(`ECR DescribeImages: The image with imageId {imageTag:'${key}'} does not exist`, { code: "ImageNotFoundException" });
        return { imageDetails: [{ imageTags: [input.imageIds[0]?.imageTag] }] };
      },
    },
    // What teardowns kept: nothing here.
    efs: { describeFileSystems: async () => ({ FileSystems: [] }) },
    logs: { describeLogGroups: async () => ({ logGroups: [] }) },
    acm: { listCertificates: async () => ({ CertificateSummaryList: [] }) },
    codePipeline: {
      getPipeline: async (input: { name: string }) => {
        count("GetPipeline");
        if (gone.pipelines?.includes(input.name)) throw new AwsError(`CodePipeline GetPipeline: Account does not have a pipeline with name '${input.name}'`, { code: "PipelineNotFoundException" });
        return { pipeline: { name: input.name } };
      },
    },
  } as unknown as AwsClients;
  return { aws, calls };
}

const context = (aws: AwsClients) => ({ aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: false });

describe("status", () => {
  it("reads the stacks once and the services 10 to a call, however many endpoints there are", async () => {
    for (const [endpoints, describeServices] of [
      [1, 1],
      [5, 1],
      [20, 2],
      [23, 3],
    ] as const) {
      const stacks = [stack("ep-0-prod", { role: "base" }), ...Array.from({ length: endpoints - 1 }, (_, i) => stack(`ep-${i + 1}-prod`))];
      const { aws, calls } = account(stacks);
      const statuses = await endpointStatuses(context(aws));
      expect(statuses).toHaveLength(endpoints);
      expect(statuses.every((s) => s.running === 1 && s.healthyTargets === 1 && s.problems.length === 0)).toBe(true);
      expect(calls).toEqual({ DescribeStacks: 1, DescribeServices: describeServices, DescribeTargetHealth: endpoints, DescribeImages: endpoints });
    }
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
    account([stack("ep-a-prod", { role: "base" }), stack("ep-b-prod", { status: "DELETE_FAILED" })], { targetGroups: [tg("ep-b-prod")], services: ["ep-b-prod"] }).aws;
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
