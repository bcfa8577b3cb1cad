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
  constructor(private readonly client: cfn.CloudFormationClient, context: AdapterContext) {
    super(context, "CloudFormation");
  }
  describeStacks(input: cfn.DescribeStacksInput) {
    return this.call("DescribeStacks", () => this.client.send(new cfn.DescribeStacksCommand(input)));
  }
  createChangeSet(input: cfn.CreateChangeSetInput) {
    return this.call("CreateChangeSet", () => this.client.send(new cfn.CreateChangeSetCommand(input)));
  }
  describeChangeSet(input: cfn.DescribeChangeSetInput) {
    return this.call("DescribeChangeSet", () => this.client.send(new cfn.DescribeChangeSetCommand(input)));
  }
  executeChangeSet(input: cfn.ExecuteChangeSetInput) {
    return this.call("ExecuteChangeSet", () => this.client.send(new cfn.ExecuteChangeSetCommand(input)));
  }
  deleteChangeSet(input: cfn.DeleteChangeSetInput) {
    return this.call("DeleteChangeSet", () => this.client.send(new cfn.DeleteChangeSetCommand(input)));
  }
  deleteStack(input: cfn.DeleteStackInput) {
    return this.call("DeleteStack", () => this.client.send(new cfn.DeleteStackCommand(input)));
  }
  describeStackEvents(input: cfn.DescribeStackEventsInput) {
    return this.call("DescribeStackEvents", () => this.client.send(new cfn.DescribeStackEventsCommand(input)));
  }
  listStackResources(input: cfn.ListStackResourcesInput) {
    return this.call("ListStackResources", () => this.client.send(new cfn.ListStackResourcesCommand(input)));
  }
  listExports(input: cfn.ListExportsInput) {
    return this.call("ListExports", () => this.client.send(new cfn.ListExportsCommand(input)));
  }
  listImports(input: cfn.ListImportsInput) {
    return this.call("ListImports", () => this.client.send(new cfn.ListImportsCommand(input)));
  }
  continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput) {
    return this.call("ContinueUpdateRollback", () => this.client.send(new cfn.ContinueUpdateRollbackCommand(input)));
  }
  getTemplate(input: cfn.GetTemplateInput) {
    return this.call("GetTemplate", () => this.client.send(new cfn.GetTemplateCommand(input)));
  }
}
