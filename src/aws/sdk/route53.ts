/**
 * Route 53 through the SDK, in a module of its own so that a command loads this
 * client only when it calls Route 53.
 */
import * as r53 from "@aws-sdk/client-route-53";
import type { Route53Api } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { Route53Client } from "@aws-sdk/client-route-53";

/** Route 53 through the SDK. */
export class SdkRoute53 extends Adapter implements Route53Api {
  constructor(
    private readonly client: r53.Route53Client,
    context: AdapterContext,
  ) {
    super(context, "Route 53", "route53");
  }
  listHostedZonesByName(input: r53.ListHostedZonesByNameRequest) {
    return this.call("ListHostedZonesByName", (options) => this.client.send(new r53.ListHostedZonesByNameCommand(input), options));
  }
  listResourceRecordSets(input: r53.ListResourceRecordSetsRequest) {
    return this.call("ListResourceRecordSets", (options) => this.client.send(new r53.ListResourceRecordSetsCommand(input), options));
  }
  changeResourceRecordSets(input: r53.ChangeResourceRecordSetsRequest) {
    return this.call("ChangeResourceRecordSets", (options) => this.client.send(new r53.ChangeResourceRecordSetsCommand(input), options));
  }
  getChange(input: r53.GetChangeRequest) {
    return this.call("GetChange", (options) => this.client.send(new r53.GetChangeCommand(input), options));
  }
}
