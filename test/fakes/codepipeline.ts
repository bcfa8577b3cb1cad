/**
 * Stateful fakes for what the emulator does not play: pipeline executions
 * that fail or end after a set number of reads, and CodeStar connections that
 * wait for their handshake (the emulator's are AVAILABLE at once).
 *
 * `FakePipelineExecutions` wraps a real `CodePipelineApi` (the emulator's) for
 * pipeline definitions and adds executions, newest first: creating a pipeline
 * starts one, as CodePipeline does, and so does StartPipelineExecution. Each
 * execution stays InProgress for `pollsInProgress` listings, then ends with
 * the outcome `outcomeOf(n)` gives for the n-th execution (0-based). A
 * succeeding execution calls `onSucceeded`, where a test plays the build.
 */
import type { CodePipelineApi, ConnectionsApi } from "../../src/aws/interfaces.js";

type Api = CodePipelineApi;
type Outcome = "Succeeded" | "Failed";

interface Execution {
  id: string;
  polls: number;
  outcome: Outcome;
  announced: boolean;
}

/** Adds executions to a real pipeline API. */
export class FakePipelineExecutions implements Api {
  private readonly executions = new Map<string, Execution[]>();
  listings = 0;
  started = 0;

  constructor(
    private readonly real: Api,
    private readonly options: {
      revision: string;
      pollsInProgress: number;
      outcomeOf: (n: number) => Outcome;
      onSucceeded?: (pipelineName: string) => Promise<void>;
    },
  ) {}

  private start(name: string): string {
    const list = this.executions.get(name) ?? [];
    const id = `exec-${name}-${list.length + 1}`;
    list.unshift({ id, polls: 0, outcome: this.options.outcomeOf(list.length), announced: false });
    this.executions.set(name, list);
    return id;
  }

  async createPipeline(input: Parameters<Api["createPipeline"]>[0]) {
    const result = await this.real.createPipeline(input);
    if (input.pipeline?.name) this.start(input.pipeline.name);
    return result;
  }
  listPipelines(input: Parameters<Api["listPipelines"]>[0]) {
    return this.real.listPipelines(input);
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
  async startPipelineExecution(input: Parameters<Api["startPipelineExecution"]>[0]) {
    this.started++;
    return { pipelineExecutionId: this.start(input.name ?? "") };
  }
  /** Ends every execution at once, as if they had run before the test (e.g. a first execution that failed). */
  finishAll(): void {
    for (const list of this.executions.values()) for (const e of list) e.polls = this.options.pollsInProgress + 1;
  }
  async listPipelineExecutions(input: Parameters<Api["listPipelineExecutions"]>[0]) {
    this.listings++;
    const name = input.pipelineName ?? "";
    const summaries = [];
    for (const e of this.executions.get(name) ?? []) {
      e.polls++;
      const done = e.polls > this.options.pollsInProgress;
      if (done && e.outcome === "Succeeded" && !e.announced) {
        e.announced = true;
        await this.options.onSucceeded?.(name);
      }
      const status: Outcome | "InProgress" = done ? e.outcome : "InProgress";
      summaries.push({
        pipelineExecutionId: e.id,
        status,
        statusSummary: status === "Failed" ? "Build failed: docker build exited with 1" : undefined,
        sourceRevisions: [{ actionName: "Source", revisionId: this.options.revision }],
      });
    }
    return { pipelineExecutionSummaries: summaries };
  }
  async getPipelineState(input: Parameters<Api["getPipelineState"]>[0]) {
    const latest = this.executions.get(input.name ?? "")?.[0];
    const done = latest ? latest.polls > this.options.pollsInProgress : false;
    const build = latest ? (done ? latest.outcome : "InProgress") : undefined;
    const stage = (stageName: string, status: string | undefined) => ({
      stageName,
      actionStates: [{ actionName: stageName, latestExecution: status ? { status: status as "InProgress" } : undefined }],
      latestExecution: status && latest ? { pipelineExecutionId: latest.id, status: status as "InProgress" } : undefined,
    });
    return { pipelineName: input.name, stageStates: [stage("Source", latest ? "Succeeded" : undefined), stage("Build", build)] };
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
    return {
      Connection: { ConnectionArn: input.ConnectionArn, ConnectionStatus: this.reads <= this.pendingReads ? ("PENDING" as const) : ("AVAILABLE" as const) },
    };
  }
}
