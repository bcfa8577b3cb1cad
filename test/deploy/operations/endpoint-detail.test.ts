/**
 * `status NAME` section by section, with fakes that answer as the AWS API
 * references say: ListTasks then DescribeTasks (stopped tasks carry
 * `stoppedReason`, `stopCode` and their containers' exit codes), DescribeServices'
 * `deployments` (PRIMARY and ACTIVE, `rolloutState`), DescribeTargetHealth per
 * target (`State`, `Reason`, `Description`), ListPipelineExecutions newest
 * first, ACM DescribeCertificate (`Status`, `NotAfter`), EFS DescribeFileSystems
 * (`SizeInBytes.Value`), DescribeStackEvents newest first. Each section's
 * failure stays in that section.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, Stack, StackEvent } from "../../../src/aws/interfaces.js";
import { runStatus, type StatusDetailReport } from "../../../src/commands/status.js";
import type { CommandDeps } from "../../../src/commands/shared.js";
import {
  formatEndpointDetail,
  readEndpointDetail,
  splitStackStatus,
  type EndpointDetail,
  type HostResolver,
} from "../../../src/deploy/operations/endpoint-detail.js";
import { asManagedStack, type ManagedStack } from "../../../src/deploy/engine/discovery.js";
import { AwsError, CredentialsError } from "../../../src/errors.js";
import type * as ecs from "@aws-sdk/client-ecs";
import { placementAdvice } from "../../../src/deploy/steps/gpu-capacity.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeGpuPlacement } from "../../fakes/gpu-placement.js";
import { MemoryOutput } from "../../fakes/output.js";

const NOW = Date.parse("2026-11-29T12:00:00Z");
const DAY = 86_400_000;
const LB = "ep-a-prod-123.us-east-1.elb.amazonaws.com";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-a-prod/1";
const task = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/${id}`;

function stack(status = "UPDATE_COMPLETE", reason?: string): Stack {
  return {
    StackName: "ep-a-prod",
    StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-prod/1",
    StackStatus: status as Stack["StackStatus"],
    StackStatusReason: reason,
    CreationTime: new Date(NOW - 10 * DAY),
    LastUpdatedTime: new Date(NOW - DAY),
    Tags: [
      { Key: "mlops:managed-by", Value: "mlops" },
      { Key: "mlops:endpoint", Value: "ep-a-prod" },
      { Key: "mlops:role", Value: "base" },
    ],
    Parameters: [
      { ParameterKey: "ProjectName", ParameterValue: "ep-a" },
      { ParameterKey: "APITag", ParameterValue: "v2" },
      { ParameterKey: "HostHeaderApi", ParameterValue: "ep-a.example.com" },
      { ParameterKey: "DNSCertArn", ParameterValue: CERT },
    ],
    Outputs: Object.entries({
      ClusterName: "ep-a-prod",
      ServiceName: "ep-a-prod",
      TargetGroupArn: TG,
      EcrRepositoryName: "ep-a-prod",
      EcrRepositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod",
      WeightsFileSystemId: "fs-w",
      AssetsFileSystemId: "fs-a",
      LoadBalancerDnsName: LB,
    }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  };
}

type Overrides = Partial<{ [K in keyof AwsClients]: Record<string, (input: never) => Promise<unknown>> }>;

/** A healthy endpoint; `overrides` replaces single calls to break one section. */
function account(overrides: Overrides = {}, stacks: Stack[] = [stack()]) {
  const calls: string[] = [];
  const base: Overrides = {
    cloudFormation: {
      describeStacks: async () => ({ Stacks: stacks }),
      describeStackEvents: async () => ({ StackEvents: [] }),
    },
    ecr: { describeImages: async () => ({ imageDetails: [{ imageTags: ["v2"], imagePushedAt: new Date(NOW - 2 * DAY) }] }) },
    ecs: {
      describeServices: async () => ({
        services: [
          {
            serviceName: "ep-a-prod",
            status: "ACTIVE",
            desiredCount: 2,
            runningCount: 2,
            pendingCount: 0,
            events: [{ message: "(service ep-a-prod) has reached a steady state." }],
            deployments: [
              {
                id: "ecs-svc/2",
                status: "PRIMARY",
                rolloutState: "IN_PROGRESS",
                taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/ep-a-prod:7",
                desiredCount: 2,
                runningCount: 1,
                pendingCount: 1,
                failedTasks: 0,
              },
              {
                id: "ecs-svc/1",
                status: "ACTIVE",
                rolloutState: "COMPLETED",
                taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/ep-a-prod:6",
                desiredCount: 1,
                runningCount: 1,
                pendingCount: 0,
                failedTasks: 0,
              },
            ],
          },
        ],
      }),
      listTasks: async (input: { desiredStatus: string }) => ({
        taskArns: input.desiredStatus === "STOPPED" ? [task("s1"), task("s2"), task("s3"), task("s4")] : [task("r2"), task("r1")],
      }),
      describeTasks: async (input: { tasks: string[] }) => ({
        tasks: input.tasks.map((arn, i) => {
          const id = arn.split("/").pop() as string;
          return id.startsWith("s")
            ? {
                taskArn: arn,
                lastStatus: "STOPPED",
                stoppedAt: new Date(NOW - (i + 1) * 60_000),
                stopCode: "EssentialContainerExited",
                stoppedReason: "Essential container in task exited",
                containers: [{ name: "api", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }],
                taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/ep-a-prod:7",
              }
            : {
                taskArn: arn,
                lastStatus: "RUNNING",
                desiredStatus: "RUNNING",
                healthStatus: "HEALTHY",
                startedAt: new Date(NOW - (id === "r1" ? 3 : 1) * 3_600_000),
                availabilityZone: "us-east-1a",
                taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/ep-a-prod:6",
              };
        }),
      }),
    },
    elb: {
      describeTargetHealth: async () => ({
        TargetHealthDescriptions: [
          { Target: { Id: "10.0.2.10", Port: 8000 }, TargetHealth: { State: "healthy" } },
          {
            Target: { Id: "10.0.3.11", Port: 8000 },
            TargetHealth: { State: "initial", Reason: "Elb.RegistrationInProgress", Description: "Target registration is in progress" },
          },
        ],
      }),
    },
    codePipeline: {
      listPipelineExecutions: async () => ({
        pipelineExecutionSummaries: [
          {
            pipelineExecutionId: "run-2",
            status: "Succeeded",
            startTime: new Date(NOW - DAY),
            lastUpdateTime: new Date(NOW - DAY + 600_000),
            trigger: { triggerType: "Webhook" },
          },
        ],
      }),
    },
    acm: {
      describeCertificate: async () => ({
        Certificate: { CertificateArn: CERT, DomainName: "ep-a.example.com", Status: "ISSUED", NotAfter: new Date(NOW + 200 * DAY) },
      }),
    },
    route53: {
      // No hosted zone covers the host: the DNS line alone tells where it points.
      listHostedZonesByName: async () => ({ HostedZones: [], IsTruncated: false }),
    },
    efs: {
      describeFileSystems: async (input: { FileSystemId: string }) => ({
        FileSystems: [
          { FileSystemId: input.FileSystemId, LifeCycleState: "available", SizeInBytes: { Value: input.FileSystemId === "fs-w" ? 5 * 1024 ** 3 : 6144 } },
        ],
      }),
    },
  };
  const aws: Record<string, unknown> = { region: "us-east-1" };
  for (const key of Object.keys(base) as (keyof Overrides)[]) {
    const methods = { ...base[key], ...overrides[key] };
    aws[key] = Object.fromEntries(
      Object.entries(methods).map(([name, fn]) => [
        name,
        (input: never) => {
          calls.push(name);
          return fn(input);
        },
      ]),
    );
  }
  return { aws: aws as unknown as AwsClients, calls };
}

const pointedResolver: HostResolver = { addresses: async (host) => (host === LB ? ["3.3.3.3", "4.4.4.4"] : ["4.4.4.4"]) };
const nowhere: HostResolver = { addresses: async () => undefined };

function ctx(aws: AwsClients) {
  return { aws, out: new MemoryOutput(), clock: new FakeClock(NOW), assumeYes: false };
}

async function detail(overrides: Overrides = {}, options: { stack?: Stack; resolver?: HostResolver; pipeline?: boolean } = {}): Promise<EndpointDetail> {
  const s = options.stack ?? stack();
  const { aws } = account(overrides, [s]);
  return readEndpointDetail(ctx(aws), asManagedStack(s) as ManagedStack & { role: "base" }, {
    pipeline: options.pipeline ?? true,
    resolver: options.resolver ?? pointedResolver,
  });
}

const awsError = (message: string, code: string) => async () => {
  throw new AwsError(message, { code });
};

describe("status NAME: one endpoint in detail", () => {
  it("reads every section of a healthy endpoint", async () => {
    const d = await detail();
    expect(d.problems).toEqual([]);
    expect(d.healthy).toBe(true);
    expect(d.stack).toEqual({ name: "ep-a-prod", status: "UPDATE_COMPLETE", lastOperation: "UPDATE", result: "COMPLETE", time: "2026-11-28T12:00:00Z" });
    expect(d.image).toEqual({
      tag: "v2",
      repository: "ep-a-prod",
      uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod",
      inRepository: true,
      pushedAt: "2026-11-27T12:00:00Z",
    });
    expect(d.service.deployments.map((x) => [x.status, x.rolloutState, x.taskDefinition, x.running, x.desired])).toEqual([
      ["PRIMARY", "IN_PROGRESS", "ep-a-prod:7", 1, 2],
      ["ACTIVE", "COMPLETED", "ep-a-prod:6", 1, 1],
    ]);
    expect(d.service.lastEvent).toContain("steady state");
    // Running tasks oldest first, with health and start time.
    expect(d.tasks.running.map((t) => [t.id, t.lastStatus, t.health, t.startedAt])).toEqual([
      ["r1", "RUNNING", "HEALTHY", "2026-11-29T09:00:00Z"],
      ["r2", "RUNNING", "HEALTHY", "2026-11-29T11:00:00Z"],
    ]);
    // The last 3 stopped tasks, newest first, with their reasons.
    expect(d.tasks.stopped.map((t) => t.id)).toEqual(["s1", "s2", "s3"]);
    expect(d.tasks.stopped[0]).toMatchObject({
      stopCode: "EssentialContainerExited",
      reason: "Essential container in task exited",
      containers: ["api: exit 137 (OutOfMemoryError: Container killed due to memory usage)"],
    });
    expect(d.targets).toMatchObject({ healthy: 1, total: 2 });
    expect(d.targets.targets[1]).toEqual({
      id: "10.0.3.11",
      port: 8000,
      state: "initial",
      reason: "Elb.RegistrationInProgress",
      description: "Target registration is in progress",
    });
    expect(d.pipeline).toEqual({
      name: "ep-a-prod",
      state: "ok",
      lastRun: { id: "run-2", status: "Succeeded", startedAt: "2026-11-28T12:00:00Z", updatedAt: "2026-11-28T12:10:00Z", trigger: "Webhook" },
    });
    expect(d.certificate).toMatchObject({ status: "ISSUED", daysLeft: 200 });
    expect(d.certificate.warning).toBeUndefined();
    expect(d.fileSystems).toEqual([
      { volume: "weights", id: "fs-w", sizeBytes: 5 * 1024 ** 3, lifeCycleState: "available" },
      { volume: "assets", id: "fs-a", sizeBytes: 6144, lifeCycleState: "available" },
    ]);
    expect(d.dns).toMatchObject({ state: "pointed", hostAddresses: ["4.4.4.4"] });
    expect(d.dns.record).toBeUndefined();
  });

  it("reads the sections concurrently, not one after the other", async () => {
    let inFlight = 0;
    let most = 0;
    const slow =
      <T>(value: T) =>
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return value;
      };
    await detail({
      ecr: { describeImages: slow({ imageDetails: [] }) },
      ecs: { describeServices: slow({ services: [] }), listTasks: slow({ taskArns: [] }) },
      elb: { describeTargetHealth: slow({ TargetHealthDescriptions: [] }) },
      codePipeline: { listPipelineExecutions: slow({ pipelineExecutionSummaries: [] }) },
      acm: { describeCertificate: slow({ Certificate: {} }) },
      efs: { describeFileSystems: slow({ FileSystems: [] }) },
    });
    expect(most).toBeGreaterThanOrEqual(7);
  });

  it("a failed stack shows its last operation and the root cause from its events", async () => {
    const events: StackEvent[] = [
      // Newest first, as DescribeStackEvents answers.
      {
        StackName: "ep-a-prod",
        LogicalResourceId: "ep-a-prod",
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "UPDATE_ROLLBACK_COMPLETE",
        EventId: "3",
        StackId: "s",
        Timestamp: new Date(NOW),
      },
      {
        StackName: "ep-a-prod",
        LogicalResourceId: "Service",
        ResourceType: "AWS::ECS::Service",
        ResourceStatus: "UPDATE_FAILED",
        ResourceStatusReason: "Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.\"",
        EventId: "2",
        StackId: "s",
        Timestamp: new Date(NOW - 60_000),
      },
      {
        StackName: "ep-a-prod",
        LogicalResourceId: "ep-a-prod",
        ResourceType: "AWS::CloudFormation::Stack",
        ResourceStatus: "UPDATE_IN_PROGRESS",
        EventId: "1",
        StackId: "s",
        Timestamp: new Date(NOW - 120_000),
      },
    ];
    const d = await detail({ cloudFormation: { describeStackEvents: async () => ({ StackEvents: events }) } }, { stack: stack("UPDATE_ROLLBACK_COMPLETE") });
    expect(d.stack).toMatchObject({ lastOperation: "UPDATE_ROLLBACK", result: "COMPLETE" });
    expect(d.stack.reason).toContain("Service (AWS::ECS::Service) UPDATE_FAILED: Resource handler returned message");
    expect(d.problems[0]).toMatch(/^stack ep-a-prod is UPDATE_ROLLBACK_COMPLETE: Service/);
    expect(formatEndpointDetail(d)).toContain("Circuit Breaker was triggered");
  });

  it("the root cause is the last operation's, not an older failure's", async () => {
    const event = (id: string, logical: string, status: string, reason?: string): StackEvent => ({
      StackName: "ep-a-prod",
      StackId: "s",
      EventId: id,
      LogicalResourceId: logical,
      ResourceType: logical === "ep-a-prod" ? "AWS::CloudFormation::Stack" : "AWS::ECS::Service",
      ResourceStatus: status as StackEvent["ResourceStatus"],
      ResourceStatusReason: reason,
      Timestamp: new Date(NOW - Number(id) * 1000),
    });
    const newestFirst = [
      event("1", "ep-a-prod", "UPDATE_ROLLBACK_COMPLETE"),
      event("2", "Service", "UPDATE_FAILED", "this time: circuit breaker"),
      event("3", "ep-a-prod", "UPDATE_IN_PROGRESS"),
      event("4", "ep-a-prod", "UPDATE_ROLLBACK_COMPLETE"),
      event("5", "Service", "UPDATE_FAILED", "last week: bad memory size"),
      event("6", "ep-a-prod", "UPDATE_IN_PROGRESS"),
    ];
    const d = await detail(
      { cloudFormation: { describeStackEvents: async () => ({ StackEvents: newestFirst }) } },
      { stack: stack("UPDATE_ROLLBACK_COMPLETE") },
    );
    expect(d.stack.reason).toContain("this time: circuit breaker");
    expect(d.stack.reason).not.toContain("last week");
  });

  it("does not read the events of a stack whose last operation succeeded", async () => {
    const { aws, calls } = account();
    await readEndpointDetail(ctx(aws), asManagedStack(stack()) as ManagedStack & { role: "base" }, { pipeline: false, resolver: nowhere });
    expect(calls).not.toContain("describeStackEvents");
    expect(calls).not.toContain("listPipelineExecutions");
  });

  it("a stack still being created has no outputs yet: shown, but not a problem", async () => {
    const creating = stack("CREATE_IN_PROGRESS");
    creating.Outputs = [];
    creating.LastUpdatedTime = undefined;
    const d = await detail({}, { stack: creating });
    expect(d.stack).toMatchObject({ lastOperation: "CREATE", result: "IN_PROGRESS", time: "2026-11-19T12:00:00Z" });
    expect(d.service.error).toBe("the stack has no ClusterName or ServiceName output");
    expect(d.problems).toEqual([]);
    expect(d.fileSystems.map((f) => f.error)).toEqual(["the stack names no file system", "the stack names no file system"]);
  });

  it("splits stack states into operation and result", () => {
    expect(splitStackStatus("CREATE_COMPLETE")).toEqual({ operation: "CREATE", result: "COMPLETE" });
    expect(splitStackStatus("UPDATE_ROLLBACK_FAILED")).toEqual({ operation: "UPDATE_ROLLBACK", result: "FAILED" });
    expect(splitStackStatus("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")).toEqual({ operation: "UPDATE", result: "COMPLETE_CLEANUP_IN_PROGRESS" });
    expect(splitStackStatus("ROLLBACK_IN_PROGRESS")).toEqual({ operation: "ROLLBACK", result: "IN_PROGRESS" });
  });

  it("the pipeline API failing leaves the pipeline unknown, with AWS's reason, and the rest shown", async () => {
    const d = await detail({
      codePipeline: {
        listPipelineExecutions: awsError(
          "CodePipeline ListPipelineExecutions: User is not authorized to perform codepipeline:ListPipelineExecutions",
          "AccessDeniedException",
        ),
      },
    });
    expect(d.pipeline).toEqual({ name: "ep-a-prod", state: "unknown", error: expect.stringContaining("not authorized") });
    expect(d.healthy).toBe(true);
    expect(d.targets.total).toBe(2);
    expect(formatEndpointDetail(d)).toMatch(/^Pipeline: +ep-a-prod: last run unknown \(CodePipeline ListPipelineExecutions: User is not authorized/m);
  });

  it("a pipeline that never ran says so; an endpoint without one says images are built elsewhere", async () => {
    expect((await detail({ codePipeline: { listPipelineExecutions: async () => ({ pipelineExecutionSummaries: [] }) } })).pipeline).toEqual({
      name: "ep-a-prod",
      state: "none",
    });
    const none = await detail({}, { pipeline: false });
    expect(none.pipeline).toBeUndefined();
    expect(formatEndpointDetail(none)).toMatch(/^Pipeline: +none \(images are built elsewhere\)$/m);
  });

  it("warns about a certificate expiring within 30 days, an expired one and one not issued", async () => {
    const cert = (fields: Record<string, unknown>) => ({
      acm: { describeCertificate: async () => ({ Certificate: { DomainName: "ep-a.example.com", Status: "ISSUED", ...fields } }) },
    });
    const soon = await detail(cert({ NotAfter: new Date(NOW + 12 * DAY + 1000) }));
    expect(soon.certificate.daysLeft).toBe(12);
    expect(soon.certificate.warning).toMatch(/expires in 12 day\(s\)/);
    expect(soon.problems).toContain(soon.certificate.warning);
    expect((await detail(cert({ NotAfter: new Date(NOW + 30 * DAY + 1000) }))).certificate.warning).toBeUndefined();
    expect((await detail(cert({ NotAfter: new Date(NOW - 2 * DAY) }))).certificate.warning).toBe("certificate expired 2 day(s) ago");
    expect((await detail(cert({ Status: "PENDING_VALIDATION" }))).certificate.warning).toMatch(/PENDING_VALIDATION/);
    const unreadable = await detail({
      acm: { describeCertificate: awsError("ACM DescribeCertificate: Could not find certificate", "ResourceNotFoundException") },
    });
    expect(unreadable.certificate.error).toContain("Could not find certificate");
    expect(formatEndpointDetail(unreadable)).toMatch(/^Certificate: unknown: ACM DescribeCertificate: Could not find certificate/m);
  });

  it("an added endpoint's certificate is the one on the base's HTTPS listener that covers its host", async () => {
    const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/ep-a-prod/1/2";
    const certs: Record<string, { DomainName: string; Status: string; NotAfter: Date }> = {
      "arn:aws:acm:us-east-1:123456789012:certificate/a": { DomainName: "ep-a.example.com", Status: "ISSUED", NotAfter: new Date(NOW + 300 * DAY) },
      "arn:aws:acm:us-east-1:123456789012:certificate/wild": { DomainName: "*.example.com", Status: "ISSUED", NotAfter: new Date(NOW + 100 * DAY) },
      "arn:aws:acm:us-east-1:123456789012:certificate/b": { DomainName: "ep-b.example.com", Status: "ISSUED", NotAfter: new Date(NOW + 20 * DAY) },
    };
    const addedStack = (host: string) => {
      const s = stack();
      s.Parameters = [
        { ParameterKey: "ProjectName", ParameterValue: "ep-b" },
        { ParameterKey: "EnvironmentName", ParameterValue: "prod" },
        { ParameterKey: "BaseProjectName", ParameterValue: "ep-a" },
        { ParameterKey: "APITag", ParameterValue: "v2" },
        { ParameterKey: "HostHeaderApi", ParameterValue: host },
      ];
      return s;
    };
    const overrides = (listed: string[]): Overrides => ({
      cloudFormation: { listExports: async () => ({ Exports: [{ Name: "ep-a-prod-HttpsListenerArn", Value: LISTENER }] }) },
      elb: {
        describeListenerCertificates: async (input: { ListenerArn: string }) => {
          if (input.ListenerArn !== LISTENER) throw new AwsError("ListenerNotFound", { code: "ListenerNotFound" });
          return { Certificates: listed.map((arn, i) => ({ CertificateArn: arn, IsDefault: i === 0 })) };
        },
      },
      acm: {
        describeCertificate: async (input: { CertificateArn: string }) => ({
          Certificate: { CertificateArn: input.CertificateArn, ...certs[input.CertificateArn] },
        }),
      },
    });
    const all = Object.keys(certs);
    const exact = await detail(overrides(all), { stack: addedStack("ep-b.example.com") });
    expect(exact.certificate).toMatchObject({ arn: "arn:aws:acm:us-east-1:123456789012:certificate/b", domain: "ep-b.example.com", daysLeft: 20 });
    expect(exact.problems).toContain(exact.certificate.warning);
    const wildcard = await detail(overrides(all), { stack: addedStack("ep-c.example.com") });
    expect(wildcard.certificate).toMatchObject({ domain: "*.example.com", daysLeft: 100 });
    const none = await detail(overrides(all.slice(0, 1)), { stack: addedStack("ep-b.example.com") });
    expect(none.certificate.warning).toMatch(/^no certificate on its load balancer's HTTPS listener covers ep-b\.example\.com/);
    expect(none.healthy).toBe(false);
    expect(formatEndpointDetail(none)).toMatch(/^Certificate: none \(!\) no certificate on its load balancer's HTTPS listener/m);
    // On a load balancer shard, the shard's listener is read (the base's does not serve it).
    const onShard = addedStack("ep-b.example.com");
    onShard.Parameters!.push({ ParameterKey: "LoadBalancerStackName", ParameterValue: "ep-a-prod-lb-2" });
    const shardOverrides = overrides(all);
    shardOverrides.cloudFormation = {
      listExports: async () => ({
        Exports: [
          { Name: "ep-a-prod-lb-2-HttpsListenerArn", Value: LISTENER },
          { Name: "ep-a-prod-HttpsListenerArn", Value: "other" },
        ],
      }),
    };
    expect((await detail(shardOverrides, { stack: onShard })).certificate).toMatchObject({ domain: "ep-b.example.com" });
  });

  it("DNS: not pointed names the record to create; another address is not pointed either; a failed lookup is unknown", async () => {
    const missing = await detail({}, { resolver: nowhere });
    expect(missing.dns).toMatchObject({
      state: "not pointed",
      record: `ep-a.example.com. CNAME ${LB}. (or a Route 53 alias A/AAAA record to the load balancer)`,
    });
    expect(formatEndpointDetail(missing)).toContain(`create: ep-a.example.com. CNAME ${LB}.`);
    const elsewhere = await detail({}, { resolver: { addresses: async (h) => (h === LB ? ["3.3.3.3"] : ["9.9.9.9"]) } });
    expect(elsewhere.dns).toMatchObject({
      state: "not pointed",
      hostAddresses: ["9.9.9.9"],
      error: "ep-a.example.com resolves to 9.9.9.9, not to the load balancer",
    });
    const failing = await detail(
      {},
      {
        resolver: {
          addresses: async () => {
            throw Object.assign(new Error("queryA ESERVFAIL ep-a.example.com"), { code: "ESERVFAIL" });
          },
        },
      },
    );
    expect(failing.dns).toMatchObject({ state: "unknown", error: "DNS lookup failed: queryA ESERVFAIL ep-a.example.com" });
    // DNS is information, not a problem of the endpoint.
    expect(missing.healthy && elsewhere.healthy && failing.healthy).toBe(true);
  });

  it("DNS: an alias made in Route 53 that does not resolve from here yet is said so, with no record to create", async () => {
    const zoned = (aliasTo: string): Overrides => ({
      route53: {
        listHostedZonesByName: async () => ({
          HostedZones: [{ Id: "/hostedzone/Z1", Name: "example.com.", Config: { PrivateZone: false } }],
          IsTruncated: false,
        }),
        listResourceRecordSets: async () => ({
          ResourceRecordSets: [
            { Name: "ep-a.example.com.", Type: "A", AliasTarget: { DNSName: `${aliasTo}.`, HostedZoneId: "Z35", EvaluateTargetHealth: false } },
          ],
        }),
      },
    });
    const made = await detail(zoned(LB), { resolver: { addresses: async (h) => (h === LB ? ["3.3.3.3"] : undefined) } });
    expect(made.dns).toMatchObject({ state: "not pointed", error: "record made in Route 53, not yet resolving from here" });
    expect(made.dns.record).toBeUndefined();
    const text = formatEndpointDetail(made);
    expect(text).toContain("DNS:         not pointed: record made in Route 53, not yet resolving from here");
    expect(text).toContain(`Route 53: zone example.com: A ep-a.example.com -> alias to ${LB} (this load balancer)`);
    expect(text).not.toContain("create:");
    // Resolving elsewhere while Route 53 has the alias: an answer cached or served by another DNS, not a record to create.
    const stale = await detail(zoned(LB), { resolver: { addresses: async (h) => (h === LB ? ["3.3.3.3"] : ["9.9.9.9"]) } });
    expect(stale.dns.record).toBeUndefined();
    expect(stale.dns.error).toBe("record made in Route 53, but from here ep-a.example.com still resolves to 9.9.9.9, not to the load balancer");
    // An alias to another load balancer is not this endpoint's record: the record to create stays.
    const other = await detail(zoned("other-lb.us-east-1.elb.amazonaws.com"), { resolver: nowhere });
    expect(other.dns.record).toContain("CNAME");
    expect(formatEndpointDetail(other)).toContain("create: ");
  });

  it("a DNS lookup that never answers is unknown after its timeout", async () => {
    const d = await detail({}, { resolver: { addresses: () => new Promise(() => undefined) } });
    expect(d.dns).toMatchObject({ state: "unknown", error: "DNS lookup failed: no answer within 3 s" });
  }, 10_000);

  it("a deleted service, target group and image are problems of their sections", async () => {
    const d = await detail({
      ecs: { describeServices: async () => ({ services: [], failures: [{ arn: "ep-a-prod", reason: "MISSING" }] }), listTasks: async () => ({ taskArns: [] }) },
      elb: { describeTargetHealth: awsError("Elastic Load Balancing DescribeTargetHealth: Target groups 'x' not found", "TargetGroupNotFound") },
      ecr: { describeImages: awsError("ECR DescribeImages: The image with imageId {imageTag:'v2'} does not exist", "ImageNotFoundException") },
    });
    expect(d.image.inRepository).toBe(false);
    expect(d.service.error).toBe("ECS service ep-a-prod not found in cluster ep-a-prod (MISSING)");
    expect(d.targets.error).toContain("not found");
    expect(d.problems).toEqual([
      "image v2 is not in ECR repository ep-a-prod: new tasks cannot start",
      "service: ECS service ep-a-prod not found in cluster ep-a-prod (MISSING)",
      "targets: Elastic Load Balancing DescribeTargetHealth: Target groups 'x' not found",
    ]);
    expect(d.healthy).toBe(false);
    const text = formatEndpointDetail(d);
    expect(text).toMatch(/^ep-a-prod \(base endpoint\) \(!\)$/m);
    expect(text).toContain("Problems (3):");
  });

  it("a failed rollout and unhealthy targets are problems; tasks unreadable are shown as unknown", async () => {
    const d = await detail({
      ecs: {
        describeServices: async () => ({
          services: [
            {
              serviceName: "ep-a-prod",
              status: "ACTIVE",
              desiredCount: 2,
              runningCount: 1,
              deployments: [{ status: "PRIMARY", rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." }],
            },
          ],
        }),
        listTasks: awsError("ECS ListTasks: Rate exceeded", "ThrottlingException"),
      },
      elb: {
        describeTargetHealth: async () => ({
          TargetHealthDescriptions: [
            {
              Target: { Id: "10.0.2.10", Port: 8000 },
              TargetHealth: { State: "unhealthy", Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [500]" },
            },
          ],
        }),
      },
    });
    expect(d.problems).toEqual([
      "rollout failed: ECS deployment circuit breaker: tasks failed to start.",
      "1 of 2 task(s) running",
      "1 of 1 target(s) not healthy",
    ]);
    expect(d.tasks.error).toContain("Rate exceeded");
    const text = formatEndpointDetail(d);
    expect(text).toContain("unknown: ECS ListTasks: Rate exceeded");
    expect(text).toMatch(/10\.0\.2\.10 +8000 +unhealthy +Target\.ResponseCodeMismatch: Health checks failed with these codes: \[500\]/);
  });

  it("an EFS file system that cannot be read is shown with its error, the other with its size", async () => {
    const d = await detail({
      efs: {
        describeFileSystems: async (input: { FileSystemId: string }) => {
          if (input.FileSystemId === "fs-a") throw new AwsError("EFS DescribeFileSystems: File system 'fs-a' does not exist.", { code: "FileSystemNotFound" });
          return { FileSystems: [{ FileSystemId: "fs-w", SizeInBytes: { Value: 2048 }, LifeCycleState: "available" }] };
        },
      },
    });
    expect(d.fileSystems).toEqual([
      { volume: "weights", id: "fs-w", sizeBytes: 2048, lifeCycleState: "available" },
      { volume: "assets", id: "fs-a", error: "EFS DescribeFileSystems: File system 'fs-a' does not exist." },
    ]);
    const text = formatEndpointDetail(d);
    expect(text).toMatch(/^EFS weights: fs-w 2 KiB$/m);
    expect(text).toContain("EFS assets:  fs-a (EFS DescribeFileSystems: File system 'fs-a' does not exist.)");
  });

  it("expired credentials still end the command", async () => {
    await expect(
      detail({
        elb: {
          describeTargetHealth: async () => {
            throw new CredentialsError("The security token included in the request is expired");
          },
        },
      }),
    ).rejects.toBeInstanceOf(CredentialsError);
  });

  it("formats every section for a terminal", async () => {
    const text = formatEndpointDetail(await detail());
    expect(text.split("\n").slice(0, 12)).toEqual([
      "ep-a-prod (base endpoint)",
      "URL:         https://ep-a.example.com",
      `DNS:         ep-a.example.com points at the load balancer ${LB}`,
      "Stack:       ep-a-prod UPDATE_COMPLETE (last operation UPDATE at 2026-11-28T12:00:00Z)",
      "Image:       123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod:v2 (pushed 2026-11-27T12:00:00Z)",
      "Service:     ep-a-prod in ep-a-prod: 2/2 running, 0 pending",
      "             last event: (service ep-a-prod) has reached a steady state.",
      "Certificate: ep-a.example.com ISSUED until 2027-06-17T12:00:00Z, 200 day(s) left",
      "Pipeline:    ep-a-prod: last run Succeeded started 2026-11-28T12:00:00Z (run-2)",
      "EFS weights: fs-w 5 GiB",
      "EFS assets:  fs-a 6 KiB",
      "",
    ]);
    expect(text).toContain("Rollout:");
    expect(text).toMatch(/ecs-svc\/2 +PRIMARY +IN_PROGRESS +ep-a-prod:7 +1\/2/);
    expect(text).toMatch(/r1 +RUNNING +HEALTHY +2026-11-29T09:00:00Z +ep-a-prod:6 +us-east-1a/);
    expect(text).toContain(
      "s1 2026-11-29T11:59:00Z: EssentialContainerExited; Essential container in task exited; api: exit 137 (OutOfMemoryError: Container killed due to memory usage)",
    );
    expect(text).toContain("Targets (1/2 healthy):");
  });

  it("a GPU endpoint's tasks show the instance type under each; a Spot interruption is explained, not a problem", async () => {
    const instance = (id: string) => `arn:aws:ecs:us-east-1:123456789012:container-instance/ep-a-prod/${id}`;
    const gpuStack = stack();
    gpuStack.Parameters = [
      ...(gpuStack.Parameters ?? []),
      { ParameterKey: "CapacityOptionType", ParameterValue: "SPOT" },
      { ParameterKey: "GpusPerTask", ParameterValue: "1" },
    ];
    const d = await detail(
      {
        ecs: {
          listTasks: async (input: { desiredStatus: string }) => ({ taskArns: input.desiredStatus === "STOPPED" ? [task("s1")] : [task("r1"), task("r2")] }),
          describeTasks: async (input: { tasks: string[] }) => ({
            tasks: input.tasks.map((arn) =>
              arn.endsWith("s1")
                ? { taskArn: arn, lastStatus: "STOPPED", stopCode: "SpotInterruption", stoppedAt: new Date(NOW - 60_000) }
                : {
                    taskArn: arn,
                    lastStatus: "RUNNING",
                    desiredStatus: "RUNNING",
                    capacityProviderName: "ep-a-prod-gpu",
                    containerInstanceArn: instance(arn.endsWith("r1") ? "a" : "b"),
                    containers: [{ name: "api", gpuIds: ["GPU-1"] }],
                    startedAt: new Date(NOW - (arn.endsWith("r1") ? 2 : 1) * 3_600_000),
                  },
            ),
          }),
          describeContainerInstances: async (input: { containerInstances: string[] }) => ({
            containerInstances: input.containerInstances.map((arn) => ({
              containerInstanceArn: arn,
              attributes: arn.endsWith("/a") ? [{ name: "ecs.instance-type", value: "g6.xlarge" }] : [],
            })),
          }),
        },
      },
      { stack: gpuStack },
    );
    expect(d.tasks.running.map((t) => t.instanceType)).toEqual(["g6.xlarge", undefined]);
    expect(d.capacity).toBe(
      "ECS Managed Instances, 1 GPU per task, Spot; 1 task on g6.xlarge, 1 task (instance type not readable) (spot) from capacity provider ep-a-prod-gpu, 1 GPU each",
    );
    expect(d.problems.filter((p) => /spot|interrupt/i.test(p))).toEqual([]);
    const text = formatEndpointDetail(d);
    expect(text).toMatch(/^ +TASK +STATUS +HEALTH +STARTED +TASK DEFINITION +AZ +INSTANCE TYPE$/m);
    expect(text).toMatch(/r2 +RUNNING .* not readable$/m);
    expect(text).toContain(
      "s1 2026-11-29T11:59:00Z: SpotInterruption; Spot interruption: EC2 reclaimed the Spot instance (two-minute notice), not an application crash; the service starts a replacement task, as expected with compute.spot",
    );
  });

  it("a GPU task ECS could not place is shown with what to change (fake: test/fakes/gpu-placement.ts)", async () => {
    const placement = new FakeGpuPlacement(["GPU"]);
    const d = await detail({
      ecs: {
        listTasks: (input: ecs.ListTasksRequest) => placement.listTasks(input),
        describeTasks: (input: ecs.DescribeTasksRequest) => placement.describeTasks(input),
      },
    });
    expect(d.tasks.stopped.map((t) => [t.reason, t.explanation])).toEqual([["TaskFailedToStart: RESOURCE:GPU", placementAdvice("RESOURCE:GPU")]]);
    expect(formatEndpointDetail(d)).toMatch(
      /TaskFailedToStart; TaskFailedToStart: RESOURCE:GPU; no instance with enough free GPUs .* compute\.spot off .* Availability Zone/,
    );
  });

  it("a project name shared by two environments lists both instead of guessing", async () => {
    const dev = stack();
    dev.StackName = "ep-a-dev";
    dev.Tags = dev.Tags?.map((t) => (t.Key === "mlops:endpoint" ? { ...t, Value: "ep-a-dev" } : t));
    const out = new MemoryOutput();
    // The list view also reads what teardowns kept: nothing here.
    const { aws } = account(
      { efs: { describeFileSystems: async () => ({ FileSystems: [] }) }, acm: { listCertificates: async () => ({ CertificateSummaryList: [] }) } },
      [stack(), dev],
    );
    (aws as unknown as Record<string, unknown>).logs = { describeLogGroups: async () => ({ logGroups: [] }) };
    (aws as unknown as Record<string, unknown>).s3 = { listBuckets: async () => ({ Buckets: [] }) };
    await runStatus({ json: true, name: "ep-a" }, { out, clock: new FakeClock(NOW), cwd: "/", aws: async () => aws, resolver: nowhere });
    expect((out.results[0] as { endpoints: { endpoint: string }[] }).endpoints.map((e) => e.endpoint)).toEqual(["ep-a-dev", "ep-a-prod"]);
    const detail = new MemoryOutput();
    await runStatus({ json: true, name: "ep-a-dev" }, { out: detail, clock: new FakeClock(NOW), cwd: "/", aws: async () => aws, resolver: nowhere });
    expect((detail.results[0] as StatusDetailReport).endpoint.endpoint).toBe("ep-a-dev");
  });

  it("runStatus NAME prints the detail, and --json a stable shape under `endpoint`", async () => {
    const out = new MemoryOutput();
    const { aws } = account();
    const deps = { out, clock: new FakeClock(NOW), cwd: "/", aws: async () => aws, resolver: nowhere } as CommandDeps & { resolver: HostResolver };
    await runStatus({ json: true, name: "ep-a" }, deps);
    const report = out.results[0] as StatusDetailReport;
    expect(Object.keys(report)).toEqual(["region", "regionSource", "healthy", "endpoint"]);
    expect(Object.keys(report.endpoint)).toEqual([
      "endpoint",
      "role",
      "healthy",
      "problems",
      "stack",
      "image",
      "service",
      "tasks",
      "targets",
      "certificate",
      "fileSystems",
      "dns",
    ]);
    expect(report.endpoint.dns.state).toBe("not pointed");
  });
});
