/**
 * EC2 through the SDK, in a module of its own so that a command loads this
 * client only when it calls EC2.
 */
import * as ec2 from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { EC2Client } from "@aws-sdk/client-ec2";

/** EC2 through the SDK. */
export class SdkEc2 extends Adapter implements Ec2Api {
  constructor(
    private readonly client: ec2.EC2Client,
    context: AdapterContext,
  ) {
    super(context, "EC2", "ec2");
  }
  describeSecurityGroups(input: ec2.DescribeSecurityGroupsRequest) {
    return this.call("DescribeSecurityGroups", (options) => this.client.send(new ec2.DescribeSecurityGroupsCommand(input), options));
  }
  authorizeSecurityGroupIngress(input: ec2.AuthorizeSecurityGroupIngressRequest) {
    return this.call("AuthorizeSecurityGroupIngress", (options) => this.client.send(new ec2.AuthorizeSecurityGroupIngressCommand(input), options));
  }
  revokeSecurityGroupIngress(input: ec2.RevokeSecurityGroupIngressRequest) {
    return this.call("RevokeSecurityGroupIngress", (options) => this.client.send(new ec2.RevokeSecurityGroupIngressCommand(input), options));
  }
  describeAvailabilityZones(input: ec2.DescribeAvailabilityZonesRequest) {
    return this.call("DescribeAvailabilityZones", (options) => this.client.send(new ec2.DescribeAvailabilityZonesCommand(input), options));
  }
  describeVpcs(input: ec2.DescribeVpcsRequest) {
    return this.call("DescribeVpcs", (options) => this.client.send(new ec2.DescribeVpcsCommand(input), options));
  }
  describeSubnets(input: ec2.DescribeSubnetsRequest) {
    return this.call("DescribeSubnets", (options) => this.client.send(new ec2.DescribeSubnetsCommand(input), options));
  }
  describeRegions(input: ec2.DescribeRegionsRequest) {
    return this.call("DescribeRegions", (options) => this.client.send(new ec2.DescribeRegionsCommand(input), options));
  }
}
