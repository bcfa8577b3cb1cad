/**
 * CloudWatch (alarms, metrics) through the SDK, in a module of its own so that a
 * command loads this client only when it reads alarms or metrics.
 */
import * as cloudwatch from "@aws-sdk/client-cloudwatch";
import type { CloudWatchApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CloudWatchClient } from "@aws-sdk/client-cloudwatch";

/** CloudWatch through the SDK. */
export class SdkCloudWatch extends Adapter implements CloudWatchApi {
  constructor(
    private readonly client: cloudwatch.CloudWatchClient,
    context: AdapterContext,
  ) {
    super(context, "CloudWatch", "cloudwatch");
  }
  describeAlarms(input: cloudwatch.DescribeAlarmsInput) {
    return this.call("DescribeAlarms", (options) => this.client.send(new cloudwatch.DescribeAlarmsCommand(input), options));
  }
  getMetricData(input: cloudwatch.GetMetricDataInput) {
    return this.call("GetMetricData", (options) => this.client.send(new cloudwatch.GetMetricDataCommand(input), options));
  }
}
