/**
 * Elastic Load Balancing v2 through the SDK, in a module of its own so that a command loads this
 * client only when it calls Elastic Load Balancing v2.
 */
import * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ElbApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

/** Elastic Load Balancing v2 through the SDK. */
export class SdkElb extends Adapter implements ElbApi {
  constructor(
    private readonly client: elb.ElasticLoadBalancingV2Client,
    context: AdapterContext,
  ) {
    super(context, "Elastic Load Balancing", "elasticloadbalancing");
  }
  describeLoadBalancers(input: elb.DescribeLoadBalancersInput) {
    return this.call("DescribeLoadBalancers", (options) => this.client.send(new elb.DescribeLoadBalancersCommand(input), options));
  }
  describeTargetGroups(input: elb.DescribeTargetGroupsInput) {
    return this.call("DescribeTargetGroups", (options) => this.client.send(new elb.DescribeTargetGroupsCommand(input), options));
  }
  describeRules(input: elb.DescribeRulesInput) {
    return this.call("DescribeRules", (options) => this.client.send(new elb.DescribeRulesCommand(input), options));
  }
  describeTargetHealth(input: elb.DescribeTargetHealthInput) {
    return this.call("DescribeTargetHealth", (options) => this.client.send(new elb.DescribeTargetHealthCommand(input), options));
  }
  describeListenerCertificates(input: elb.DescribeListenerCertificatesInput) {
    return this.call("DescribeListenerCertificates", (options) => this.client.send(new elb.DescribeListenerCertificatesCommand(input), options));
  }
  addListenerCertificates(input: elb.AddListenerCertificatesInput) {
    return this.call("AddListenerCertificates", (options) => this.client.send(new elb.AddListenerCertificatesCommand(input), options));
  }
  removeListenerCertificates(input: elb.RemoveListenerCertificatesInput) {
    return this.call("RemoveListenerCertificates", (options) => this.client.send(new elb.RemoveListenerCertificatesCommand(input), options));
  }
  describeAccountLimits(input: elb.DescribeAccountLimitsInput) {
    return this.call("DescribeAccountLimits", (options) => this.client.send(new elb.DescribeAccountLimitsCommand(input), options));
  }
}
