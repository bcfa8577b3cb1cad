/**
 * SSM Parameter Store through the SDK, in a module of its own so that a command loads this
 * client only when it calls SSM Parameter Store.
 */
import * as ssm from "@aws-sdk/client-ssm";
import type { SsmApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { SSMClient } from "@aws-sdk/client-ssm";

/** SSM Parameter Store through the SDK. */
export class SdkSsm extends Adapter implements SsmApi {
  constructor(
    private readonly client: ssm.SSMClient,
    context: AdapterContext,
  ) {
    super(context, "SSM", "ssm");
  }
  putParameter(input: ssm.PutParameterRequest) {
    return this.call("PutParameter", (options) => this.client.send(new ssm.PutParameterCommand(input), options));
  }
  getParametersByPath(input: ssm.GetParametersByPathRequest) {
    return this.call("GetParametersByPath", (options) => this.client.send(new ssm.GetParametersByPathCommand(input), options));
  }
  deleteParameter(input: ssm.DeleteParameterRequest, own?: { abortSignal?: AbortSignal }) {
    return this.call("DeleteParameter", (options) =>
      this.client.send(new ssm.DeleteParameterCommand(input), own?.abortSignal ? { abortSignal: own.abortSignal } : options),
    );
  }
}
