/**
 * The project's own templates (templates/create-ep-a.yaml, add-ep-b.yaml) on
 * the emulator, through change sets as our CLI deploys them: create A and B
 * with no tasks, roll out an image tag, then delete B and A. Shows that the
 * corrections hold for the real templates (Fargate service settled, targets
 * healthy, delete refused while B imports, nothing left but the kept EFS
 * file systems and log groups).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListExportsCommand,
  ListImportsCommand,
  type Parameter,
} from "@aws-sdk/client-cloudformation";
import { DescribeNetworkInterfacesCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const paths = {
  a: `${ROOT}templates/create-ep-a.yaml`,
  b: `${ROOT}templates/add-ep-b.yaml`,
  paramsA: `${ROOT}params/create-ep-a.json`,
  paramsB: `${ROOT}params/add-ep-b.json`,
};

const url = inject("emulatorUrl");
const config = { region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const cf = new CloudFormationClient(config);
const ec2 = new EC2Client(config);
const ecs = new ECSClient(config);
const efs = new EFSClient(config);
const elb = new ElasticLoadBalancingV2Client(config);
const acm = new ACMClient(config);

/** The tutorial's parameter file as a map, with our overrides. */
function tutorialValues(path: string, overrides: Record<string, string>): Record<string, string> {
  const list = JSON.parse(readFileSync(path, "utf8")) as Array<{ ParameterKey: string; ParameterValue: string }>;
  return { ...Object.fromEntries(list.map((p) => [p.ParameterKey, p.ParameterValue])), ...overrides };
}

/** The names in a YAML template's top-level Parameters section (two-space indented keys). */
function parameterNames(yamlText: string): string[] {
  const names: string[] = [];
  let inside = false;
  for (const line of yamlText.split("\n")) {
    if (/^\S/.test(line)) inside = /^Parameters:\s*$/.test(line);
    const match = inside ? /^ {2}([A-Za-z0-9]+):\s*$/.exec(line) : null;
    if (match) names.push(match[1]!);
  }
  return names;
}

let changeSets = 0;
async function deploy(stackName: string, templatePath: string, values: Record<string, string>, creating: boolean) {
  const body = readFileSync(templatePath, "utf8");
  const declared = parameterNames(body);
  expect(declared).toContain("APITag");
  const parameters: Parameter[] = declared.flatMap((key): Parameter[] => {
    if (key in values) return [{ ParameterKey: key, ParameterValue: values[key] }];
    return creating ? [] : [{ ParameterKey: key, UsePreviousValue: true }];
  });
  const created = await cf.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: `emu-${++changeSets}`,
      ChangeSetType: creating ? "CREATE" : "UPDATE",
      TemplateBody: body,
      Parameters: parameters,
      Capabilities: ["CAPABILITY_IAM"],
    }),
  );
  const changeSet = await cf.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: created.Id! }));
  expect(changeSet.Status, changeSet.StatusReason).toBe("CREATE_COMPLETE");
  await cf.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: created.Id! }));
  const stack = (await cf.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
  expect(stack.StackStatus, stack.StackStatusReason).toBe(creating ? "CREATE_COMPLETE" : "UPDATE_COMPLETE");
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function settledService(cluster: string, service: string, desired: number, tag: string, targetGroupArn: string) {
  const described = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  expect(described).toMatchObject({ launchType: "FARGATE", desiredCount: desired, runningCount: desired });
  expect(described.deployments?.[0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: described.taskDefinition });
  const taskDefinition = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: described.taskDefinition! }))).taskDefinition!;
  expect(taskDefinition.networkMode).toBe("awsvpc");
  expect(taskDefinition.containerDefinitions?.[0]?.image).toMatch(new RegExp(`:${tag}$`));
  expect(taskDefinition.volumes?.map((v) => v.efsVolumeConfiguration?.transitEncryption)).toEqual(["ENABLED", "ENABLED"]);
  const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? [];
  expect(health.map((h) => h.TargetHealth?.State)).toEqual(Array(desired).fill("healthy"));
}

describe("the project's templates on the emulator", () => {
  // Tracked files: a missing one fails the test (readFileSync throws), it never skips it.
  it("create A and B, roll out a tag, then delete B and A: nothing left but kept file systems", async () => {
    const run = Math.random().toString(36).slice(2, 7);
    const environment = "emu";
    const baseProject = `a${run}`;
    const addedProject = `b${run}`;
    const stackA = `${baseProject}-${environment}`;
    const stackB = `${addedProject}-${environment}`;
    const certificate = (await acm.send(new RequestCertificateCommand({ DomainName: "*.example.com", ValidationMethod: "DNS" }))).CertificateArn!;
    const common = { EnvironmentName: environment, DNSCertArn: certificate, TaskRAM: "2048", APITag: "v1", DesiredCount: "0" };
    const valuesA = tutorialValues(paths.paramsA, { ...common, ProjectName: baseProject });
    const valuesB = tutorialValues(paths.paramsB, { ...common, ProjectName: addedProject, BaseProjectName: baseProject });

    await deploy(stackA, paths.a, valuesA, true);
    await deploy(stackB, paths.b, valuesB, true);
    const outA = await deploy(stackA, paths.a, { APITag: "v2", DesiredCount: "2" }, false);
    const outB = await deploy(stackB, paths.b, { APITag: "v2", DesiredCount: "1" }, false);
    await settledService(outA.ClusterName!, outA.ServiceName!, 2, "v2", outA.TargetGroupArn!);
    await settledService(outB.ClusterName!, outB.ServiceName!, 1, "v2", outB.TargetGroupArn!);

    const listenerExport = `${stackA}-HttpsListenerArn`;
    expect((await cf.send(new ListImportsCommand({ ExportName: listenerExport }))).Imports).toEqual([stackB]);
    await cf.send(new DeleteStackCommand({ StackName: stackA }));
    const refused = (await cf.send(new DescribeStacksCommand({ StackName: stackA }))).Stacks![0]!;
    expect(refused.StackStatus).toBe("UPDATE_COMPLETE");
    expect(refused.StackStatusReason).toMatch(new RegExp(`cannot be deleted as it is in use by ${stackB}`));

    const vpcId = outA.VpcId!;
    await cf.send(new DeleteStackCommand({ StackName: stackB }));
    await cf.send(new DeleteStackCommand({ StackName: stackA }));
    for (const name of [stackA, stackB]) {
      await expect(cf.send(new DescribeStacksCommand({ StackName: name }))).rejects.toThrow(/does not exist/);
    }
    const exports = (await cf.send(new ListExportsCommand({}))).Exports ?? [];
    expect(exports.filter((e) => e.Name?.startsWith(`${stackA}-`))).toEqual([]);
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
    expect(vpcs.Vpcs ?? []).toEqual([]);
    const interfaces = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    expect(interfaces.filter((eni) => eni.VpcId === vpcId)).toEqual([]);
    for (const arn of [outA.TargetGroupArn!, outB.TargetGroupArn!]) {
      await expect(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).rejects.toThrow();
    }
    for (const [cluster, service] of [
      [outA.ClusterName!, outA.ServiceName!],
      [outA.ClusterName!, outB.ServiceName!],
    ] as const) {
      const described = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services ?? [];
      expect(described.map((s) => s.status)).not.toContain("ACTIVE");
    }
    // DeletionPolicy Retain: both endpoints' file systems are kept, without mount targets
    for (const id of [outA.AssetsFileSystemId!, outA.WeightsFileSystemId!, outB.AssetsFileSystemId!, outB.WeightsFileSystemId!]) {
      const kept = (await efs.send(new DescribeFileSystemsCommand({ FileSystemId: id }))).FileSystems ?? [];
      expect(kept.map((f) => f.NumberOfMountTargets)).toEqual([0]);
    }
  });
});
