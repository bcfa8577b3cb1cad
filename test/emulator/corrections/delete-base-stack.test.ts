/**
 * The emulator correction delete-base-stack (moto gap 1), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand } from "@aws-sdk/client-cloudformation";
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
} from "@aws-sdk/client-ec2";
import { DescribeClustersCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { DescribeLoadBalancersCommand, DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { addedTemplate, baseTemplate } from "../fixtures.js";
import {
  type Aws,
  certificate,
  createStack,
  describeService,
  describeStack,
  emulatorWithout,
  exportNames,
  main,
  stackResources,
  targetGroupExists,
  uniqueName,
  vpcExists,
  WITHOUT_STACK_LIFECYCLE,
} from "./helpers.js";

let withoutLifecycle: Aws;
emulatorWithout(WITHOUT_STACK_LIFECYCLE, (a) => (withoutLifecycle = a));

describe("delete-base-stack (moto gap 1)", () => {
  it("deleting the base stack removes what it made, keeps Retain file systems, and its exports", async () => {
    const name = uniqueName("a");
    const stackId = await createStack(main, name, baseTemplate(await certificate(main)), { DesiredCount: 1 });
    const made = await stackResources(main, name);
    expect(await exportNames(main)).toContain(`${name}-VpcId`);

    await main.cf.send(new DeleteStackCommand({ StackName: name }));

    await expect(describeStack(main, name)).rejects.toThrow(/does not exist/);
    expect((await describeStack(main, stackId)).StackStatus).toBe("DELETE_COMPLETE");
    expect(await exportNames(main)).not.toContain(`${name}-VpcId`);

    expect(await vpcExists(main, made.Vpc!)).toBe(false);
    const subnets = await main.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [made.Vpc!] }] }));
    expect(subnets.Subnets ?? []).toEqual([]);
    // Only this gateway: the shared emulator also holds the attached gateways of tests running alongside.
    const gateways = await main.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "internet-gateway-id", Values: [made.Igw!] }] }));
    expect((gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId)).not.toContain(made.Igw);
    const routeTables = await main.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [made.Vpc!] }] }));
    expect(routeTables.RouteTables ?? []).toEqual([]);
    const nat = await main.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [made.Nat!] }));
    expect(nat.NatGateways?.[0]?.State).toBe("deleted");
    const addresses = await main.ec2.send(new DescribeAddressesCommand({}));
    expect((addresses.Addresses ?? []).map((e) => e.PublicIp)).not.toContain(made.NatEip);
    const interfaces = await main.ec2.send(new DescribeNetworkInterfacesCommand({}));
    const leftInterfaces = (interfaces.NetworkInterfaces ?? []).filter((eni) => eni.VpcId === made.Vpc);
    expect(leftInterfaces).toEqual([]);

    const lbs = await main.elb.send(new DescribeLoadBalancersCommand({}));
    expect((lbs.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn)).not.toContain(made.Alb);
    expect(await targetGroupExists(main, made.Tg!)).toBe(false);

    const clusters = await main.ecs.send(new DescribeClustersCommand({ clusters: [made.Cluster!] }));
    expect(clusters.clusters?.[0]?.status ?? "INACTIVE").toBe("INACTIVE");
    const service = await describeService(main, made.Cluster!, made.Service!);
    expect(service.status).toBe("INACTIVE");
    const taskDefinition = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(taskDefinition.taskDefinition?.status).toBe("INACTIVE");

    // DeletionPolicy: Retain (moto honours it): the file system stays, without mount targets
    const fileSystems = await main.efs.send(new DescribeFileSystemsCommand({ FileSystemId: made.Weights! }));
    expect(fileSystems.FileSystems?.[0]?.NumberOfMountTargets).toBe(0);
  });

  it("deleting an added stack removes its service, task definition, target group and listener rule", async () => {
    const base = uniqueName("a");
    await createStack(main, base, baseTemplate(await certificate(main)));
    const added = uniqueName("b");
    await createStack(main, added, addedTemplate(), { BaseName: base, DesiredCount: 1 });
    const made = await stackResources(main, added);
    const cluster = `${base}-cluster`;

    await main.cf.send(new DeleteStackCommand({ StackName: added }));

    expect((await describeService(main, cluster, made.Service!)).status).toBe("INACTIVE");
    const taskDefinition = await main.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: made.TaskDef! }));
    expect(taskDefinition.taskDefinition?.status).toBe("INACTIVE");
    expect(await targetGroupExists(main, made.Tg!)).toBe(false);
    const baseMade = await stackResources(main, base);
    const rules = await main.elb.send(new DescribeRulesCommand({ ListenerArn: baseMade.Https! }));
    expect((rules.Rules ?? []).map((r) => r.RuleArn)).not.toContain(made.Rule);

    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    expect(await vpcExists(main, baseMade.Vpc!)).toBe(false);
  });

  it("deleting a stack removes its VPC flow log; without the correction the flow log stays", async () => {
    const template = JSON.stringify({
      Resources: {
        Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.9.0.0/16" } },
        Group: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 7 } },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            AssumeRolePolicyDocument: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
            },
          },
        },
        FlowLog: {
          Type: "AWS::EC2::FlowLog",
          Properties: {
            ResourceType: "VPC",
            ResourceId: { Ref: "Vpc" },
            TrafficType: "ALL",
            LogDestinationType: "cloud-watch-logs",
            LogGroupName: { Ref: "Group" },
            DeliverLogsPermissionArn: { "Fn::GetAtt": ["Role", "Arn"] },
          },
        },
      },
    });
    const flowLogsOf = async (a: Aws, vpc: string) =>
      ((await a.ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpc] }] }))).FlowLogs ?? []).map((f) => f.FlowLogId);
    for (const [a, expectLeft] of [
      [main, 0],
      [withoutLifecycle, 1],
    ] as const) {
      const name = uniqueName("f");
      await createStack(a, name, template);
      const made = await stackResources(a, name);
      expect(await flowLogsOf(a, made.Vpc!)).toEqual([made.FlowLog]);
      await a.cf.send(new DeleteStackCommand({ StackName: name })).catch(() => undefined);
      expect(await flowLogsOf(a, made.Vpc!)).toHaveLength(expectLeft);
    }
  });

  it("without it, DeleteStack fails with DependencyViolation and the VPC and exports stay", async () => {
    const a = withoutLifecycle;
    const name = uniqueName("a");
    await createStack(a, name, baseTemplate(await certificate(a)));
    const made = await stackResources(a, name);

    await expect(a.cf.send(new DeleteStackCommand({ StackName: name }))).rejects.toThrow(/has dependencies/);
    expect(await vpcExists(a, made.Vpc!)).toBe(true);
    expect(await exportNames(a)).toContain(`${name}-VpcId`);
  });
});
