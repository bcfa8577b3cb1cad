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
  constructor(
    private readonly client: cp.CodePipelineClient,
    context: AdapterContext,
  ) {
    super(context, "CodePipeline", "codepipeline");
  }
  createPipeline(input: cp.CreatePipelineInput) {
    return this.call("CreatePipeline", (options) => this.client.send(new cp.CreatePipelineCommand(input), options));
  }
  updatePipeline(input: cp.UpdatePipelineInput) {
    return this.call("UpdatePipeline", (options) => this.client.send(new cp.UpdatePipelineCommand(input), options));
  }
  getPipeline(input: cp.GetPipelineInput) {
    return this.call("GetPipeline", (options) => this.client.send(new cp.GetPipelineCommand(input), options));
  }
  listPipelines(input: cp.ListPipelinesInput) {
    return this.call("ListPipelines", (options) => this.client.send(new cp.ListPipelinesCommand(input), options));
  }
  async deletePipeline(input: cp.DeletePipelineInput): Promise<void> {
    await this.call("DeletePipeline", (options) => this.client.send(new cp.DeletePipelineCommand(input), options));
  }
  listPipelineExecutions(input: cp.ListPipelineExecutionsInput) {
    return this.call("ListPipelineExecutions", (options) => this.client.send(new cp.ListPipelineExecutionsCommand(input), options));
  }
  getPipelineExecution(input: cp.GetPipelineExecutionInput) {
    return this.call("GetPipelineExecution", (options) => this.client.send(new cp.GetPipelineExecutionCommand(input), options));
  }
  startPipelineExecution(input: cp.StartPipelineExecutionInput) {
    return this.call("StartPipelineExecution", (options) => this.client.send(new cp.StartPipelineExecutionCommand(input), options));
  }
  getPipelineState(input: cp.GetPipelineStateInput) {
    return this.call("GetPipelineState", (options) => this.client.send(new cp.GetPipelineStateCommand(input), options));
  }
}
