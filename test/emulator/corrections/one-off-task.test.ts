/**
 * The emulator correction one-off-task (ECS RunTask of a Fargate awsvpc task), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { type Aws, emulatorWithout, main, network, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("one-off-task (ECS RunTask of a Fargate awsvpc task)", () => {
  /** A Fargate task definition like the weights sync task's: shell entry point, an EFS volume, awslogs. */
  async function syncTask(a: Aws) {
    const net = await network(a);
    const name = uniqueName("run");
    await a.ecs.send(new CreateClusterCommand({ clusterName: name }));
    await a.logs.send(new CreateLogGroupCommand({ logGroupName: `/t/${name}` }));
    const registered = await a.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        containerDefinitions: [
          {
            name: "sync",
            image: "public.ecr.aws/aws-cli/aws-cli:2.27.0",
            entryPoint: ["/bin/sh", "-c"],
            command: ["true"],
            mountPoints: [{ sourceVolume: "weights", containerPath: "/mnt/weights" }],
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": `/t/${name}`, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "weights" },
            },
          },
        ],
        volumes: [
          { name: "weights", efsVolumeConfiguration: { fileSystemId: "fs-12345678", transitEncryption: "ENABLED", authorizationConfig: { iam: "ENABLED" } } },
        ],
      }),
    );
    const run = (command: string) =>
      a.ecs.send(
        new RunTaskCommand({
          cluster: name,
          taskDefinition: registered.taskDefinition!.taskDefinitionArn!,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: [net.securityGroup], assignPublicIp: "DISABLED" } },
          overrides: { containerOverrides: [{ name: "sync", command: [command] }] },
        }),
      );
    return { name, run };
  }

  it("RunTask starts the task with its command; it ends STOPPED with exit code 0 and a log line per object it syncs", async () => {
    const { name, run } = await syncTask(main);
    const bucket = `${name}-src`;
    await main.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await main.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "m/a.bin", Body: "abc" }));
    const started = (await run(`aws s3 sync 's3://${bucket}/m/' /mnt/weights --no-progress`)).tasks![0]!;
    const task = (await main.ecs.send(new DescribeTasksCommand({ cluster: name, tasks: [started.taskArn!] }))).tasks![0]!;
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    expect(task.containers?.[0]?.exitCode).toBe(0);
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual([`aws s3 sync 's3://${bucket}/m/' /mnt/weights --no-progress`]);
    const id = started.taskArn!.split("/").pop();
    const events =
      (await main.logs.send(new GetLogEventsCommand({ logGroupName: `/t/${name}`, logStreamName: `weights/sync/${id}`, startFromHead: true }))).events ?? [];
    expect(events.map((e) => e.message)).toEqual([`download: s3://${bucket}/m/a.bin to /mnt/weights/a.bin`]);
  });

  it("a sync from a missing bucket exits 1 with the AWS CLI's error", async () => {
    const { name, run } = await syncTask(main);
    const started = (await run("aws s3 sync 's3://no-such-bucket-anywhere/m/' /mnt/weights")).tasks![0]!;
    const task = (await main.ecs.send(new DescribeTasksCommand({ cluster: name, tasks: [started.taskArn!] }))).tasks![0]!;
    expect(task.containers?.[0]?.exitCode).toBe(1);
  });

  it("without it, RunTask of a Fargate awsvpc task fails", async () => {
    const { run } = await syncTask(withoutState);
    await expect(run("true")).rejects.toThrow();
  });
});
