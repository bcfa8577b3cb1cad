/**
 * CloudFormation through the SDK, in a module of its own so that a command loads this
 * client only when it calls CloudFormation.
 */
import * as cfn from "@aws-sdk/client-cloudformation";
import type { CloudFormationApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CloudFormationClient } from "@aws-sdk/client-cloudformation";

/** CloudFormation through the SDK. */
export class SdkCloudFormation extends Adapter implements CloudFormationApi {
  constructor(
    private readonly client: cfn.CloudFormationClient,
    context: AdapterContext,
  ) {
    super(context, "CloudFormation", "cloudformation");
  }
  describeStacks(input: cfn.DescribeStacksInput) {
    return this.call("DescribeStacks", (options) => this.client.send(new cfn.DescribeStacksCommand(input), options));
  }
  createChangeSet(input: cfn.CreateChangeSetInput) {
    return this.call("CreateChangeSet", (options) => this.client.send(new cfn.CreateChangeSetCommand(input), options));
  }
  describeChangeSet(input: cfn.DescribeChangeSetInput) {
    return this.call("DescribeChangeSet", (options) => this.client.send(new cfn.DescribeChangeSetCommand(input), options));
  }
  executeChangeSet(input: cfn.ExecuteChangeSetInput) {
    return this.call("ExecuteChangeSet", (options) => this.client.send(new cfn.ExecuteChangeSetCommand(input), options));
  }
  deleteChangeSet(input: cfn.DeleteChangeSetInput) {
    return this.call("DeleteChangeSet", (options) => this.client.send(new cfn.DeleteChangeSetCommand(input), options));
  }
  deleteStack(input: cfn.DeleteStackInput) {
    return this.call("DeleteStack", (options) => this.client.send(new cfn.DeleteStackCommand(input), options));
  }
  describeStackEvents(input: cfn.DescribeStackEventsInput) {
    return this.call("DescribeStackEvents", (options) => this.client.send(new cfn.DescribeStackEventsCommand(input), options));
  }
  listStackResources(input: cfn.ListStackResourcesInput) {
    return this.call("ListStackResources", (options) => this.client.send(new cfn.ListStackResourcesCommand(input), options));
  }
  listExports(input: cfn.ListExportsInput) {
    return this.call("ListExports", (options) => this.client.send(new cfn.ListExportsCommand(input), options));
  }
  listImports(input: cfn.ListImportsInput) {
    return this.call("ListImports", (options) => this.client.send(new cfn.ListImportsCommand(input), options));
  }
  continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput) {
    return this.call("ContinueUpdateRollback", (options) => this.client.send(new cfn.ContinueUpdateRollbackCommand(input), options));
  }
  getTemplate(input: cfn.GetTemplateInput) {
    return this.call("GetTemplate", (options) => this.client.send(new cfn.GetTemplateCommand(input), options));
  }
}
