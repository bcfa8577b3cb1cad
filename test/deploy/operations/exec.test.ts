/**
 * `mlops exec`: each ECS Exec prerequisite checked on its own against fakes
 * that answer as ECS and IAM document (DescribeServices' enableExecuteCommand,
 * DescribeTasks' managedAgents, the role's inline and attached policies), the
 * session started as the AWS CLI starts it, and a fake Session Manager plugin
 * on PATH that records its arguments.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EcsApi, IamApi } from "../../../src/aws/interfaces.js";
import { runExec } from "../../../src/commands/exec.js";
import type { CommandDeps } from "../../../src/commands/shared.js";
import {
  actionMatches,
  checkExec,
  missingActions,
  pluginArguments,
  pluginInstallHint,
  SSM_MESSAGES_ACTIONS,
  type ExecRequest,
} from "../../../src/deploy/operations/exec.js";
import { findExecutable, runSessionPlugin } from "../../../src/io/session-plugin.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const cluster = "ep-a-prod";
const service = "ep-a-prod";
const roleArn = "arn:aws:iam::123456789012:role/mlops/ep-a-prod/ep-a-prod-TaskRole-ABC";
const taskArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${id}`;
const ids = { a: "0123456789abcdef0123456789abcdef", b: "fedcba9876543210fedcba9876543210" };
const execPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [...SSM_MESSAGES_ACTIONS], Resource: "*" }] };

interface World {
  enableExecuteCommand: boolean;
  taskRole?: string;
  inline: Record<string, unknown>;
  attached: Record<string, unknown>;
  tasks: { id: string; lastStatus: string; enableExecuteCommand: boolean; agent?: string }[];
}

function world(overrides: Partial<World> = {}): World {
  return {
    enableExecuteCommand: true,
    taskRole: roleArn,
    inline: { exec: execPolicy },
    attached: {},
    tasks: [{ id: ids.a, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "RUNNING" }],
    ...overrides,
  };
}

const notUsed = async (): Promise<never> => {
  throw new Error("not a call exec makes");
};

function fakeEcs(w: World, executed: unknown[] = []): EcsApi {
  return {
    async describeServices() {
      return {
        services: [
          {
            serviceName: service,
            enableExecuteCommand: w.enableExecuteCommand,
            taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/ep-a-prod:3",
          },
        ],
      };
    },
    async describeTaskDefinition() {
      return { taskDefinition: { taskRoleArn: w.taskRole } };
    },
    async listTasks() {
      return { taskArns: w.tasks.map((t) => taskArn(t.id)) };
    },
    async describeTasks(input) {
      return {
        tasks: w.tasks
          .filter((t) => input.tasks?.includes(taskArn(t.id)))
          .map((t) => ({
            taskArn: taskArn(t.id),
            lastStatus: t.lastStatus,
            enableExecuteCommand: t.enableExecuteCommand,
            containers: [
              { name: "api", runtimeId: `${t.id}-1234567890`, managedAgents: t.agent ? [{ name: "ExecuteCommandAgent" as const, lastStatus: t.agent }] : [] },
            ],
          })),
      };
    },
    listServiceDeployments: notUsed,
    describeServiceDeployments: notUsed,
    describeServiceRevisions: notUsed,
    describeContainerInstances: notUsed,
    runTask: notUsed,
    stopTask: notUsed,
    updateService: notUsed,
    async executeCommand(input) {
      executed.push(input);
      return {
        clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
        taskArn: input.task,
        containerName: input.container,
        session: {
          sessionId: "ecs-execute-command-0a1b2c",
          streamUrl: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0a1b2c",
          tokenValue: "token",
        },
      };
    },
  };
}

function fakeIam(w: World): IamApi {
  const encode = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
  return {
    async listRolePolicies() {
      return { PolicyNames: Object.keys(w.inline) };
    },
    async getRolePolicy(input) {
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encode(w.inline[input.PolicyName ?? ""]) };
    },
    async listAttachedRolePolicies() {
      return { AttachedPolicies: Object.keys(w.attached).map((arn) => ({ PolicyArn: arn, PolicyName: arn.split("/").at(-1) })) };
    },
    async getPolicy(input) {
      return { Policy: { Arn: input.PolicyArn, DefaultVersionId: "v2" } };
    },
    async getPolicyVersion(input) {
      return { PolicyVersion: { VersionId: input.VersionId, Document: encode(w.attached[input.PolicyArn ?? ""]) } };
    },
  };
}

const request: ExecRequest = { cluster, service, container: "api" };
const onPath = () => "/usr/local/bin/session-manager-plugin";
const check = (w: World, options: { plugin?: boolean; task?: string; platform?: string } = {}) =>
  checkExec(
    { ...request, task: options.task },
    { ecs: fakeEcs(w), iam: fakeIam(w), findExecutable: options.plugin === false ? () => undefined : onPath, platform: options.platform ?? "linux" },
  );

describe("ECS Exec prerequisites", () => {
  it("all met: the running task whose agent runs, its container's runtime id", async () => {
    const result = await check(
      world({
        tasks: [
          { id: ids.b, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "PENDING" },
          { id: ids.a, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "RUNNING" },
        ],
      }),
    );
    expect(result.problems).toEqual([]);
    expect(result.target).toEqual({ cluster, taskArn: taskArn(ids.a), taskId: ids.a, container: "api", runtimeId: `${ids.a}-1234567890` });
  });

  it("the service's execute-command flag off", async () => {
    const { problems, target } = await check(world({ enableExecuteCommand: false }));
    expect(target).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({
        check: "service",
        problem: expect.stringMatching(/enableExecuteCommand false/),
        fix: expect.stringContaining("--enable-execute-command --force-new-deployment"),
      }),
    ]);
  });

  it("no task role, or one without the ssmmessages actions", async () => {
    expect((await check(world({ taskRole: undefined }))).problems).toEqual([
      expect.objectContaining({ check: "task role", problem: expect.stringMatching(/has no task role/) }),
    ]);
    const partial = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel"], Resource: "*" }],
    };
    const { problems } = await check(world({ inline: { partial } }));
    expect(problems).toEqual([
      expect.objectContaining({
        check: "task role",
        problem: `task role ${roleArn} does not allow ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel`,
      }),
    ]);
  });

  it("the actions allowed through an attached managed policy with a wildcard count; a Deny wins", async () => {
    const wildcard = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssmmessages:*", Resource: "*" }] };
    expect((await check(world({ inline: {}, attached: { "arn:aws:iam::123456789012:policy/exec": wildcard } }))).problems).toEqual([]);
    const deny = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ssmmessages:OpenDataChannel", Resource: "*" }] };
    expect((await check(world({ inline: { exec: execPolicy, deny } }))).problems[0]?.problem).toMatch(/does not allow ssmmessages:OpenDataChannel$/);
  });

  it("no running task; a task whose agent is not RUNNING; a task started before the flag was on", async () => {
    expect((await check(world({ tasks: [] }))).problems).toEqual([
      expect.objectContaining({ check: "task", problem: `service ${service} has no running task` }),
    ]);
    const pending = (await check(world({ tasks: [{ id: ids.a, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "PENDING" }] }))).problems[0];
    expect(pending?.problem).toMatch(/01234567 RUNNING, ExecuteCommandAgent PENDING/);
    expect(pending?.fix).toMatch(/starts a few seconds after the task/);
    const before = (await check(world({ tasks: [{ id: ids.a, lastStatus: "RUNNING", enableExecuteCommand: false }] }))).problems[0];
    expect(before?.problem).toMatch(/started without execute-command, ExecuteCommandAgent absent/);
    expect(before?.fix).toMatch(/never get the agent.*--force-new-deployment/);
  });

  it("--task takes an id's first characters; an unknown one lists the running tasks", async () => {
    const two = world({
      tasks: [
        { id: ids.a, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "RUNNING" },
        { id: ids.b, lastStatus: "RUNNING", enableExecuteCommand: true, agent: "RUNNING" },
      ],
    });
    expect((await check(two, { task: "fedcba98" })).target?.taskId).toBe(ids.b);
    expect((await check(two, { task: "99999999" })).problems).toEqual([
      expect.objectContaining({ check: "task", fix: "Running tasks: 01234567, fedcba98; pass one with --task." }),
    ]);
  });

  it("no session-manager-plugin on PATH: how to install it on this OS, with AWS's page", async () => {
    const { problems } = await check(world(), { plugin: false, platform: "darwin" });
    expect(problems).toEqual([{ check: "plugin", problem: "session-manager-plugin is not on PATH", fix: pluginInstallHint("darwin") }]);
    expect(pluginInstallHint("darwin")).toMatch(/brew install --cask session-manager-plugin.*session-manager-working-with-install-plugin\.html/);
    expect(pluginInstallHint("linux")).toMatch(/\.deb.*\.rpm/);
    expect(pluginInstallHint("win32")).toMatch(/SessionManagerPluginSetup\.exe/);
  });

  it("every missing prerequisite is reported at once", async () => {
    const { problems } = await check(world({ enableExecuteCommand: false, inline: {}, tasks: [] }), { plugin: false });
    expect(problems.map((p) => p.check)).toEqual(["service", "task role", "task", "plugin"]);
  });

  it("IAM action patterns", () => {
    expect(actionMatches("ssmmessages:Open*", "ssmmessages:OpenDataChannel")).toBe(true);
    expect(actionMatches("*", "ssmmessages:OpenDataChannel")).toBe(true);
    expect(actionMatches("ssm:*", "ssmmessages:OpenDataChannel")).toBe(false);
    // Scoped to a resource or under a condition: not what ECS Exec needs.
    expect(missingActions([{ Effect: "Allow", Action: "ssmmessages:*", Resource: "arn:aws:ssm:*:*:x" }])).toHaveLength(4);
  });
});

describe("the session", () => {
  it("passes the plugin what `aws ecs execute-command` passes it", () => {
    const target = {
      cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/ep-a-prod",
      taskArn: taskArn(ids.a),
      taskId: ids.a,
      container: "api",
      runtimeId: "rt-1",
    };
    const session = { sessionId: "s", streamUrl: "wss://x", tokenValue: "t" };
    expect(pluginArguments(session, target, "us-east-1", "prod", "https://ecs.us-east-1.amazonaws.com")).toEqual([
      JSON.stringify(session),
      "us-east-1",
      "StartSession",
      "prod",
      JSON.stringify({ Target: `ecs:ep-a-prod_${ids.a}_rt-1` }),
      "https://ecs.us-east-1.amazonaws.com",
    ]);
  });

  it("mlops exec runs a session-manager-plugin found on PATH with those arguments and the command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-plugin-"));
    const record = join(dir, "args.json");
    const script = join(dir, "session-manager-plugin");
    writeFileSync(
      script,
      `#!/usr/bin/env node\nrequire("node:fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(3);\n`,
    );
    chmodSync(script, 0o755);
    const env = { PATH: `${dir}:${process.env.PATH ?? ""}` };
    const w = world();
    const executed: unknown[] = [];
    const out = new MemoryOutput();
    const deps: CommandDeps = {
      out,
      clock: new FakeClock(),
      cwd: process.cwd(),
      region: "us-east-1",
      aws: async () =>
        ({
          region: "us-east-1",
          profile: "team",
          cloudFormation: {
            describeStacks: async () => ({
              Stacks: [
                {
                  StackName: "ep-a-prod",
                  StackStatus: "UPDATE_COMPLETE",
                  CreationTime: new Date(),
                  Outputs: [
                    { OutputKey: "ClusterName", OutputValue: cluster },
                    { OutputKey: "ServiceName", OutputValue: service },
                  ],
                },
              ],
            }),
          },
          ecs: fakeEcs(w, executed),
          iam: fakeIam(w),
        }) as never,
    };
    const plugin = { find: (name: string) => findExecutable(name, env), run: runSessionPlugin, platform: "linux" };
    const result = await runExec({ params: "params/ep-a.yaml", command: ["ls", "-la", "/app/weights"] }, deps, plugin);
    expect(result.exitCode).toBe(3);
    expect(executed).toEqual([{ cluster, task: taskArn(ids.a), container: "api", command: "ls -la /app/weights", interactive: true }]);
    const args = JSON.parse(readFileSync(record, "utf8")) as string[];
    expect(args).toEqual([
      JSON.stringify({
        sessionId: "ecs-execute-command-0a1b2c",
        streamUrl: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-0a1b2c",
        tokenValue: "token",
      }),
      "us-east-1",
      "StartSession",
      "team",
      JSON.stringify({ Target: `ecs:${cluster}_${ids.a}_${ids.a}-1234567890` }),
      "https://ecs.us-east-1.amazonaws.com",
    ]);
  });
});
