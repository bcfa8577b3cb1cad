/**
 * The emulator correction elb-quotas (load balancer quotas reported and enforced), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { CreateSubnetCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeAccountLimitsCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startEmulator } from "../../setup/emulator-process.js";
import { type Aws, aws, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("elb-quotas (load balancer quotas reported and enforced)", () => {
  const limitsOf = async (a: Aws) => Object.fromEntries(((await a.elb.send(new DescribeAccountLimitsCommand({}))).Limits ?? []).map((l) => [l.Name, l.Max]));

  /** A load balancer with an HTTPS listener and `groups` target groups, made through the API. */
  async function loadBalancer(a: Aws, groups: number) {
    const vpc = (await a.ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    const subnets = await Promise.all(
      ["10.9.0.0/24", "10.9.1.0/24"].map(
        async (cidr, i) =>
          (await a.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: `us-east-1${"ab"[i]}` }))).Subnet!.SubnetId!,
      ),
    );
    const lb = (await a.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName("q"), Subnets: subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
    const certificate = async (host: string) =>
      (await a.acm.send(new RequestCertificateCommand({ DomainName: host, ValidationMethod: "DNS" }))).CertificateArn!;
    const listener = (
      await a.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb,
          Protocol: "HTTPS",
          Port: 443,
          Certificates: [{ CertificateArn: await certificate("default.example.com") }],
          DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
        }),
      )
    ).Listeners![0]!.ListenerArn!;
    const targetGroups: string[] = [];
    for (let i = 0; i < groups; i++) {
      targetGroups.push(
        (await a.elb.send(new CreateTargetGroupCommand({ Name: uniqueName("tg"), VpcId: vpc, Protocol: "HTTP", Port: 80, TargetType: "ip" }))).TargetGroups![0]!
          .TargetGroupArn!,
      );
    }
    const rule = (priority: number, targetGroup: string) =>
      a.elb.send(
        new CreateRuleCommand({
          ListenerArn: listener,
          Priority: priority,
          Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: [`h${priority}.example.com`] } }],
          Actions: [{ Type: "forward", TargetGroupArn: targetGroup }],
        }),
      );
    return { lb, listener, targetGroups, certificate, rule };
  }

  const failsWith = async (work: Promise<unknown>, code: string) => {
    const error = await work.then(
      () => undefined,
      (e: Error) => e,
    );
    // The API reference's error code; the SDK names its class after it (TooManyRulesException).
    expect(error?.name).toMatch(new RegExp(`^${code}(Exception)?$`));
  };

  it("DescribeAccountLimits reports AWS's default quotas per load balancer", async () => {
    const limits = await limitsOf(main);
    expect(limits).toMatchObject({
      "certificates-per-application-load-balancer": "25",
      "rules-per-application-load-balancer": "100",
      "target-groups-per-application-load-balancer": "100",
    });
  });

  it("lowered quotas are reported and enforced: TooManyCertificates, TooManyRules, TooManyTargetGroups", async () => {
    const lowered = await startEmulator({ elbQuotas: "certificates=1,rules=2,target-groups=1" });
    try {
      const a = aws(lowered.url);
      expect(await limitsOf(a)).toMatchObject({
        "certificates-per-application-load-balancer": "1",
        "rules-per-application-load-balancer": "2",
        "target-groups-per-application-load-balancer": "1",
      });
      const made = await loadBalancer(a, 2);
      // The default certificate does not count.
      await a.elb.send(
        new AddListenerCertificatesCommand({ ListenerArn: made.listener, Certificates: [{ CertificateArn: await made.certificate("one.example.com") }] }),
      );
      await failsWith(
        a.elb.send(
          new AddListenerCertificatesCommand({ ListenerArn: made.listener, Certificates: [{ CertificateArn: await made.certificate("two.example.com") }] }),
        ),
        "TooManyCertificates",
      );
      const first = (await made.rule(1, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
      await failsWith(made.rule(2, made.targetGroups[1]!), "TooManyTargetGroups");
      const second = (await made.rule(2, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
      await failsWith(made.rule(3, made.targetGroups[0]!), "TooManyRules");
      // Once no rule forwards to it, the target group is no longer attached to the load balancer.
      await a.elb.send(new DeleteRuleCommand({ RuleArn: first }));
      await a.elb.send(new DeleteRuleCommand({ RuleArn: second }));
      const group = (await a.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.targetGroups[0]!] }))).TargetGroups![0]!;
      expect(group.LoadBalancerArns ?? []).toEqual([]);
      await made.rule(4, made.targetGroups[1]!);
    } finally {
      await lowered.stop();
    }
  });

  it("without it, the limits lack target groups per load balancer and a target group stays attached after its rules are gone", async () => {
    expect(await limitsOf(withoutState)).not.toHaveProperty("target-groups-per-application-load-balancer");
    const made = await loadBalancer(withoutState, 1);
    const rule = (await made.rule(1, made.targetGroups[0]!)).Rules![0]!.RuleArn!;
    await withoutState.elb.send(new DeleteRuleCommand({ RuleArn: rule }));
    const group = (await withoutState.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [made.targetGroups[0]!] }))).TargetGroups![0]!;
    expect(group.LoadBalancerArns).toEqual([made.lb]);
  });
});
