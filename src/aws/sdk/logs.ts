/**
 * CloudWatch Logs through the SDK, in a module of its own so that a command loads this
 * client only when it calls CloudWatch Logs.
 */
import * as logs from "@aws-sdk/client-cloudwatch-logs";
import type { LogsApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

/** CloudWatch Logs through the SDK. */
export class SdkLogs extends Adapter implements LogsApi {
  constructor(
    private readonly client: logs.CloudWatchLogsClient,
    context: AdapterContext,
  ) {
    super(context, "CloudWatch Logs", "logs");
  }
  describeLogStreams(input: logs.DescribeLogStreamsRequest) {
    return this.call("DescribeLogStreams", (options) => this.client.send(new logs.DescribeLogStreamsCommand(input), options));
  }
  getLogEvents(input: logs.GetLogEventsRequest) {
    return this.call("GetLogEvents", (options) => this.client.send(new logs.GetLogEventsCommand(input), options));
  }
  describeLogGroups(input: logs.DescribeLogGroupsRequest) {
    return this.call("DescribeLogGroups", (options) => this.client.send(new logs.DescribeLogGroupsCommand(input), options));
  }
  deleteLogGroup(input: logs.DeleteLogGroupRequest) {
    return this.call("DeleteLogGroup", (options) => this.client.send(new logs.DeleteLogGroupCommand(input), options));
  }
  filterLogEvents(input: logs.FilterLogEventsRequest) {
    return this.call("FilterLogEvents", (options) => this.client.send(new logs.FilterLogEventsCommand(input), options));
  }
}
