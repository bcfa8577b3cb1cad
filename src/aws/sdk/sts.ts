/**
 * STS through the SDK, in a module of its own so that a command loads this
 * client only when it calls STS.
 */
import * as sts from "@aws-sdk/client-sts";
import type { StsApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { STSClient } from "@aws-sdk/client-sts";

/** STS through the SDK. */
export class SdkSts extends Adapter implements StsApi {
  constructor(
    private readonly client: sts.STSClient,
    context: AdapterContext,
  ) {
    super(context, "STS", "sts");
  }
  getCallerIdentity(input: sts.GetCallerIdentityRequest) {
    return this.call("GetCallerIdentity", (options) => this.client.send(new sts.GetCallerIdentityCommand(input), options));
  }
}
