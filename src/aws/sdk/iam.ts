/**
 * IAM through the SDK, in a module of its own so that a command loads this
 * client only when it calls IAM.
 */
import * as iam from "@aws-sdk/client-iam";
import type { IamApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { IAMClient } from "@aws-sdk/client-iam";

/** IAM through the SDK. */
export class SdkIam extends Adapter implements IamApi {
  constructor(
    private readonly client: iam.IAMClient,
    context: AdapterContext,
  ) {
    super(context, "IAM", "iam");
  }
  listRolePolicies(input: iam.ListRolePoliciesRequest) {
    return this.call("ListRolePolicies", (options) => this.client.send(new iam.ListRolePoliciesCommand(input), options));
  }
  getRolePolicy(input: iam.GetRolePolicyRequest) {
    return this.call("GetRolePolicy", (options) => this.client.send(new iam.GetRolePolicyCommand(input), options));
  }
  listAttachedRolePolicies(input: iam.ListAttachedRolePoliciesRequest) {
    return this.call("ListAttachedRolePolicies", (options) => this.client.send(new iam.ListAttachedRolePoliciesCommand(input), options));
  }
  getPolicy(input: iam.GetPolicyRequest) {
    return this.call("GetPolicy", (options) => this.client.send(new iam.GetPolicyCommand(input), options));
  }
  getPolicyVersion(input: iam.GetPolicyVersionRequest) {
    return this.call("GetPolicyVersion", (options) => this.client.send(new iam.GetPolicyVersionCommand(input), options));
  }
}
