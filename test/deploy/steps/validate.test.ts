import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { recentLogLines, validateEndpoint, type EndpointResources } from "../../../src/deploy/steps/validate.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeLogs } from "../../fakes/logs.js";
import { MemoryOutput } from "../../fakes/output.js";

const resources: EndpointResources = {
  stackName: "ep-a-prod",
  clusterName: "ep-a-prod",
  serviceName: "ep-a-prod",
  targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ep-a-prod/1",
  logGroupName: "/mlops/ep-a-prod",
  loadBalancerDnsName: "ep-a-prod-1.us-east-1.elb.amazonaws.com",
  hostHeader: "ep-a.example.com",
};
const revision = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/ep-a-prod:${n}`;

/** ECS answers in turn (the last repeats); the stack declares revision 3. */
function clients(
  services: { running: number; deployments: { status: string; taskDefinition: string; rolloutState: string }[] }[],
  logs = taskLogs(),
): AwsClients {
  let read = 0;
  return {
    region: "us-east-1",
    cloudFormation: {
      listStackResources: async () => ({
        StackResourceSummaries: [{ LogicalResourceId: "TaskDefinition", ResourceType: "AWS::ECS::TaskDefinition", PhysicalResourceId: revision(3) }],
      }),
    },
    ecs: {
      describeServices: async () => {
        const s = services[Math.min(read++, services.length - 1)]!;
        return { services: [{ desiredCount: 2, runningCount: s.running, pendingCount: 0, deployments: s.deployments }] };
      },
      listTasks: async () => ({ taskArns: ["t1"] }),
      describeTasks: async () => ({ tasks: [{ stoppedReason: "Essential container in task exited" }] }),
    },
    elb: { describeTargetHealth: async () => ({ TargetHealthDescriptions: [{ TargetHealth: { State: "healthy" } }, { TargetHealth: { State: "healthy" } }] }) },
    logs,
  } as unknown as AwsClients;
}

const NOW = new FakeClock().now();

function taskLogs(): FakeLogs {
  const logs = new FakeLogs();
  logs.put(resources.logGroupName, "ep-a-prod/ep-a/task1", [{ timestamp: NOW - 60_000, message: "model loaded\n" }]);
  return logs;
}

describe("validateEndpoint", () => {
  it("waits for the rollout of the stack's revision, then reports targets, logs and the DNS record", async () => {
    const aws = clients([
      {
        running: 1,
        deployments: [
          { status: "PRIMARY", taskDefinition: revision(3), rolloutState: "IN_PROGRESS" },
          { status: "ACTIVE", taskDefinition: revision(2), rolloutState: "COMPLETED" },
        ],
      },
      { running: 2, deployments: [{ status: "PRIMARY", taskDefinition: revision(3), rolloutState: "COMPLETED" }] },
    ]);
    const report = await validateEndpoint(resources, { rolloutTimeoutMs: 60_000 }, { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true });
    expect(report).toMatchObject({
      desired: 2,
      running: 2,
      healthyTargets: 2,
      logLines: ["model loaded"],
      dnsRecord: "ep-a.example.com. CNAME ep-a-prod-1.us-east-1.elb.amazonaws.com",
    });
  });

  it("fails when ECS rolled back to an older revision although the stack update succeeded", async () => {
    const aws = clients([{ running: 2, deployments: [{ status: "PRIMARY", taskDefinition: revision(2), rolloutState: "COMPLETED" }] }]);
    const run = validateEndpoint(resources, { rolloutTimeoutMs: 60_000 }, { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true });
    await expect(run).rejects.toThrow(AwsError);
    await expect(run).rejects.toThrow(/runs ep-a-prod:2, not the stack's ep-a-prod:3/);
  });

  it("reports a failed deployment with the stopped tasks' reason", async () => {
    const aws = clients([{ running: 1, deployments: [{ status: "PRIMARY", taskDefinition: revision(3), rolloutState: "FAILED" }] }]);
    const error = await validateEndpoint(
      resources,
      { rolloutTimeoutMs: 60_000 },
      { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).hint).toContain("Essential container in task exited");
  });
});

describe("recentLogLines", () => {
  const ctx = (logs: FakeLogs) => ({
    aws: { region: "us-east-1", logs } as unknown as AwsClients,
    out: new MemoryOutput(),
    clock: new FakeClock(),
    assumeYes: true,
  });
  /** `n` lines `prefix 1..n`, one a second, ending `endAgoMs` before now. */
  const lines = (prefix: string, n: number, endAgoMs: number) =>
    Array.from({ length: n }, (_, i) => ({ timestamp: NOW - endAgoMs - (n - 1 - i) * 1000, message: `${prefix} ${i + 1}` }));

  it("shows the newest lines of the newest streams through partial and empty pages, not the start of the window", async () => {
    // 3 lines per page at most, and every other page empty while more events remain.
    const logs = new FakeLogs({ pageSize: 3, emptyEvery: 2 });
    logs.put(resources.logGroupName, "old-task", lines("old", 200, 10 * 60_000));
    logs.put(resources.logGroupName, "new-task", lines("new", 50, 2_000));
    const shown = await recentLogLines(resources.logGroupName, ctx(logs));
    expect(shown).toEqual(Array.from({ length: 10 }, (_, i) => `new ${41 + i}`));
  });

  it("merges streams by time and stops at the start of a short stream", async () => {
    const logs = new FakeLogs({ pageSize: 2, emptyEvery: 3 });
    logs.put(resources.logGroupName, "a", [
      { timestamp: NOW - 5_000, message: "a1" },
      { timestamp: NOW - 3_000, message: "a2" },
    ]);
    logs.put(resources.logGroupName, "b", [{ timestamp: NOW - 4_000, message: "b1" }]);
    expect(await recentLogLines(resources.logGroupName, ctx(logs))).toEqual(["a1", "b1", "a2"]);
  });

  it("shows nothing for a missing log group", async () => {
    expect(await recentLogLines("/mlops/none", ctx(new FakeLogs()))).toEqual([]);
  });
});
