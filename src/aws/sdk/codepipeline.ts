/**
 * CodePipeline through the SDK, in a module of its own so that a command loads this
 * client only when it calls CodePipeline.
 */
import * as cp from "@aws-sdk/client-codepipeline";
import type { CodePipelineApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CodePipelineClient } from "@aws-sdk/client-codepipeline";

/** CodePipeline through the SDK. */
export class SdkCodePipeline extends Adapter implements CodePipelineApi {
  constructor(private readonly client: cp.CodePipelineClient, context: AdapterContext) {
    super(context, "CodePipeline");
  }
  createPipeline(input: cp.CreatePipelineInput) {
    return this.call("CreatePipeline", () => this.client.send(new cp.CreatePipelineCommand(input)));
  }
  updatePipeline(input: cp.UpdatePipelineInput) {
    return this.call("UpdatePipeline", () => this.client.send(new cp.UpdatePipelineCommand(input)));
  }
  getPipeline(input: cp.GetPipelineInput) {
    return this.call("GetPipeline", () => this.client.send(new cp.GetPipelineCommand(input)));
  }
  async deletePipeline(input: cp.DeletePipelineInput): Promise<void> {
    await this.call("DeletePipeline", () => this.client.send(new cp.DeletePipelineCommand(input)));
  }
  listPipelineExecutions(input: cp.ListPipelineExecutionsInput) {
    return this.call("ListPipelineExecutions", () => this.client.send(new cp.ListPipelineExecutionsCommand(input)));
  }
  getPipelineExecution(input: cp.GetPipelineExecutionInput) {
    return this.call("GetPipelineExecution", () => this.client.send(new cp.GetPipelineExecutionCommand(input)));
  }
  startPipelineExecution(input: cp.StartPipelineExecutionInput) {
    return this.call("StartPipelineExecution", () => this.client.send(new cp.StartPipelineExecutionCommand(input)));
  }
}
