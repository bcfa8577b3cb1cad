/**
 * The emulator correction service-tasks (moto gap 3: a service runs no tasks; no ExecuteCommand), shown through
 * the AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong
 * behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand, RunTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { type Aws, emulatorWithout, fargateService, main, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("service-tasks (moto gap 3: a service runs no tasks; no ExecuteCommand)", () => {
  it("a service lists and describes a RUNNING task per running count; ExecuteCommand needs execute-command on", async () => {
    const made = await fargateService(main, 2);
    const listed = (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns ?? [];
    expect(listed).toHaveLength(2);
    const tasks = (await main.ecs.send(new DescribeTasksCommand({ cluster: made.cluster, tasks: listed }))).tasks ?? [];
    expect(tasks.map((t) => [t.lastStatus, t.enableExecuteCommand, t.taskDefinitionArn])).toEqual([
      ["RUNNING", false, expect.stringContaining(`task-definition/${made.service}:1`)],
      ["RUNNING", false, expect.stringContaining(`task-definition/${made.service}:1`)],
    ]);
    expect(tasks[0]?.containers?.map((c) => [c.name, c.lastStatus, c.managedAgents ?? []])).toEqual([["api", "RUNNING", []]]);
    await expect(main.ecs.send(new ExecuteCommandCommand({ cluster: made.cluster, task: listed[0], command: "/bin/sh", interactive: true }))).rejects.toThrow(
      /execute command was not enabled/,
    );

    await main.ecs.send(new UpdateServiceCommand({ cluster: made.cluster, service: made.service, enableExecuteCommand: true, forceNewDeployment: true }));
    const replaced = (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns ?? [];
    expect(replaced.some((arn) => listed.includes(arn))).toBe(false);
    const [task] = (await main.ecs.send(new DescribeTasksCommand({ cluster: made.cluster, tasks: replaced }))).tasks ?? [];
    expect(task?.enableExecuteCommand).toBe(true);
    expect(task?.containers?.[0]?.managedAgents).toEqual([{ name: "ExecuteCommandAgent", lastStatus: "RUNNING" }]);
    const session = await main.ecs.send(
      new ExecuteCommandCommand({ cluster: made.cluster, task: replaced[0], container: "api", command: "/bin/sh", interactive: true }),
    );
    expect(session).toMatchObject({
      taskArn: replaced[0],
      containerName: "api",
      interactive: true,
      session: {
        sessionId: expect.stringMatching(/^ecs-execute-command-/),
        streamUrl: expect.stringMatching(/^wss:\/\/ssmmessages\.us-east-1\.amazonaws\.com\//),
      },
    });
  });

  it("a one-off task in the service's cluster is not listed as the service's (ListTasks by serviceName, as ECS filters)", async () => {
    const made = await fargateService(main, 1);
    const run = await main.ecs.send(
      new RunTaskCommand({
        cluster: made.cluster,
        taskDefinition: made.service,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: made.subnets, securityGroups: [made.securityGroup] } },
      }),
    );
    const oneOff = run.tasks![0]!.taskArn!;
    // The one-off task ends at its first description (one-off-task).
    await main.ecs.send(new DescribeTasksCommand({ cluster: made.cluster, tasks: [oneOff] }));
    const list = async (serviceName?: string) =>
      (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, desiredStatus: "STOPPED", ...(serviceName ? { serviceName } : {}) }))).taskArns ?? [];
    expect(await list()).toContain(oneOff);
    expect(await list(made.service)).not.toContain(oneOff);
    const running = (await main.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns ?? [];
    expect(running).toHaveLength(1);
    expect(running).not.toContain(oneOff);
  });

  it("without it, the service lists no task and ExecuteCommand is not implemented", async () => {
    const made = await fargateService(withoutState, 2);
    expect((await withoutState.ecs.send(new ListTasksCommand({ cluster: made.cluster, serviceName: made.service }))).taskArns).toEqual([]);
    await expect(
      withoutState.ecs.send(new ExecuteCommandCommand({ cluster: made.cluster, task: "0123", command: "/bin/sh", interactive: true })),
    ).rejects.toThrow();
  });
});
