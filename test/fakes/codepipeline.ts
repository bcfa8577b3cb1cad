/**
 * Stateful fakes for what the emulator lacks: pipeline executions
 * (ListPipelineExecutions, GetPipelineExecution) and CodeStar connections.
 *
 * `FakePipelineExecutions` wraps a real `CodePipelineApi` (the emulator's) for
 * pipeline definitions and adds executions: creating a pipeline starts one
 * execution of `revision`, which stays InProgress for `pollsInProgress`
 * listings, then ends as `outcome`. On success it calls `onSucceeded`, where a
 * test plays the build (pushes the image).
 */
import type { ConnectionsApi, CodePipelineApi } from "../../src/aws/interfaces.js";

type Api = CodePipelineApi;

/** Adds executions to a real pipeline API. */
export class FakePipelineExecutions implements Api {
  private readonly executions = new Map<string, { id: string; polls: number }>();
  listings = 0;

  constructor(
    private readonly real: Api,
    private readonly options: { revision: string; pollsInProgress: number; outcome: "Succeeded" | "Failed"; onSucceeded?: (pipelineName: string) => Promise<void> },
  ) {}

  createPipeline(input: Parameters<Api["createPipeline"]>[0]) {
    const result = this.real.createPipeline(input);
    if (input.pipeline?.name) this.executions.set(input.pipeline.name, { id: `exec-${input.pipeline.name}`, polls: 0 });
    return result;
  }
  updatePipeline(input: Parameters<Api["updatePipeline"]>[0]) {
    return this.real.updatePipeline(input);
  }
  getPipeline(input: Parameters<Api["getPipeline"]>[0]) {
    return this.real.getPipeline(input);
  }
  deletePipeline(input: Parameters<Api["deletePipeline"]>[0]) {
    this.executions.delete(input.name ?? "");
    return this.real.deletePipeline(input);
  }
  async listPipelineExecutions(input: Parameters<Api["listPipelineExecutions"]>[0]) {
    this.listings++;
    const execution = this.executions.get(input.pipelineName ?? "");
    if (!execution) return { pipelineExecutionSummaries: [] };
    execution.polls++;
    const done = execution.polls > this.options.pollsInProgress;
    if (done && execution.polls === this.options.pollsInProgress + 1 && this.options.outcome === "Succeeded") await this.options.onSucceeded?.(input.pipelineName ?? "");
    const status: "Succeeded" | "Failed" | "InProgress" = done ? this.options.outcome : "InProgress";
    return {
      pipelineExecutionSummaries: [
        {
          pipelineExecutionId: execution.id,
          status,
          statusSummary: status === "Failed" ? "Build failed: docker build exited with 1" : undefined,
          sourceRevisions: [{ actionName: "Source", revisionId: this.options.revision }],
        },
      ],
    };
  }
  async getPipelineExecution(input: Parameters<Api["getPipelineExecution"]>[0]) {
    return { pipelineExecution: { pipelineName: input.pipelineName, pipelineExecutionId: input.pipelineExecutionId } };
  }
}

/** A connection that waits for its handshake for `pendingReads` reads, then is AVAILABLE. */
export class FakeConnections implements ConnectionsApi {
  reads = 0;
  constructor(private readonly pendingReads: number) {}

  async getConnection(input: Parameters<ConnectionsApi["getConnection"]>[0]) {
    this.reads++;
    return { Connection: { ConnectionArn: input.ConnectionArn, ConnectionStatus: this.reads <= this.pendingReads ? ("PENDING" as const) : ("AVAILABLE" as const) } };
  }
}
