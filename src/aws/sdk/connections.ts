/**
 * CodeStar Connections through the SDK, in a module of its own so that a command loads this
 * client only when it calls CodeStar Connections.
 */
import * as csc from "@aws-sdk/client-codestar-connections";
import type { ConnectionsApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CodeStarConnectionsClient } from "@aws-sdk/client-codestar-connections";

/** CodeStar Connections through the SDK. */
export class SdkConnections extends Adapter implements ConnectionsApi {
  constructor(
    private readonly client: csc.CodeStarConnectionsClient,
    context: AdapterContext,
  ) {
    super(context, "CodeStar Connections", "codestar-connections");
  }
  getConnection(input: csc.GetConnectionInput) {
    return this.call("GetConnection", (options) => this.client.send(new csc.GetConnectionCommand(input), options));
  }
}
