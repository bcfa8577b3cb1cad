/**
 * A pipeline run as it happens: the stage states (GetPipelineState), then the
 * CodeBuild build of the build stage, its phases (BatchGetBuilds) and its log
 * lines (the build's CloudWatch Logs stream) as they come. Each thing is shown
 * once, when it first appears or changes, so the same view serves a terminal
 * and a CI log. A failed build is summed up by its failed phase and its last
 * log lines.
 */
import type { CodeBuildApi, CodeBuildBuild as Build, CodeBuildPhase as BuildPhase, CodePipelineApi, LogsApi } from "../../aws/interfaces.js";
import type { Output } from "../../io/output.js";
import { readLogEvents } from "./log-groups.js";

/** How many of a failed build's last log lines its failure shows. */
export const FAILED_BUILD_LOG_LINES = 20;

/** The build and where its log is, as BatchGetBuilds reports it. */
export interface BuildRun {
  id: string;
  status: string;
  currentPhase?: string;
  phases: { type: string; status?: string; seconds?: number; message?: string }[];
  logGroupName?: string;
  logStreamName?: string;
  sourceVersion?: string;
}

/** A build as mlops reads it. */
export function toBuildRun(build: Build): BuildRun {
  return {
    id: build.id ?? "",
    status: build.buildStatus ?? "UNKNOWN",
    currentPhase: build.currentPhase,
    phases: (build.phases ?? []).map((p: BuildPhase) => ({
      type: p.phaseType ?? "",
      status: p.phaseStatus,
      seconds: p.durationInSeconds,
      message:
        p.contexts
          ?.map((c) => [c.statusCode, c.message].filter(Boolean).join(": "))
          .filter(Boolean)
          .join("; ") || undefined,
    })),
    logGroupName: build.logs?.groupName,
    logStreamName: build.logs?.streamName,
    sourceVersion: build.resolvedSourceVersion ?? build.sourceVersion,
  };
}

/** Reads one build; undefined when CodeBuild does not know it. */
export async function readBuild(codeBuild: CodeBuildApi, id: string): Promise<BuildRun | undefined> {
  const build = (await codeBuild.batchGetBuilds({ ids: [id] })).builds?.[0];
  return build ? toBuildRun(build) : undefined;
}

/** The newest build of a project, or undefined when it has none. */
export async function latestBuild(codeBuild: CodeBuildApi, projectName: string): Promise<BuildRun | undefined> {
  const id = (await codeBuild.listBuildsForProject({ projectName, sortOrder: "DESCENDING" })).ids?.[0];
  return id ? readBuild(codeBuild, id) : undefined;
}

/** The phase a failed build failed in, with CodeBuild's own message. */
export function failedPhase(build: BuildRun): BuildRun["phases"][number] | undefined {
  return build.phases.find((p) => p.status && !["SUCCEEDED", "IN_PROGRESS"].includes(p.status));
}

/** The stage states of a pipeline, one line each: `Source: Succeeded`. */
export interface StageState {
  stage: string;
  status: string;
  executionId?: string;
  /** The build the stage's CodeBuild action runs, when it runs one. */
  buildId?: string;
  revision?: string;
  summary?: string;
}

/** The pipeline's stages and their latest execution's state. */
export async function readStageStates(codePipeline: CodePipelineApi, pipelineName: string): Promise<StageState[]> {
  const state = await codePipeline.getPipelineState({ name: pipelineName });
  return (state.stageStates ?? []).map((stage) => {
    const actions = stage.actionStates ?? [];
    return {
      stage: stage.stageName ?? "",
      status: stage.latestExecution?.status ?? "NotStarted",
      executionId: stage.latestExecution?.pipelineExecutionId,
      buildId: actions.map((a) => a.latestExecution?.externalExecutionId).find((id) => id && id.includes(":")),
      revision: actions.map((a) => a.currentRevision?.revisionId).find(Boolean),
      summary: actions.map((a) => a.latestExecution?.summary ?? a.latestExecution?.errorDetails?.message).find(Boolean),
    };
  });
}

/**
 * Shows a pipeline run as it goes: each call to `update` reads the stage
 * states, the build and its new log lines, and prints what changed since the
 * previous call.
 */
export class PipelineRunView {
  private readonly stages = new Map<string, string>();
  private readonly phases = new Set<string>();
  private readonly shownEvents = new Set<string>();
  private readonly logTail: string[] = [];
  private build?: BuildRun;
  /** The newest log line's time: later reads start a little before it instead of at the stream's start. */
  private newestLine?: number;

  /**
   * `tail`: of the log lines already written when the view first reads the build, show only the
   * last `tail` (a finished build's whole log is `mlops logs --build`); absent: all of them.
   */
  constructor(
    private readonly pipelineName: string,
    private readonly deps: { codePipeline: CodePipelineApi; codeBuild: CodeBuildApi; logs: LogsApi; out: Output },
    private tail?: number,
  ) {}

  /** The build last seen. */
  get latestBuild(): BuildRun | undefined {
    return this.build;
  }

  /** Reads and shows what changed for execution `executionId` (stages of other executions are not shown). */
  async update(executionId?: string): Promise<void> {
    const out = this.deps.out;
    const states = await readStageStates(this.deps.codePipeline, this.pipelineName);
    let buildId: string | undefined;
    for (const state of states) {
      if (executionId && state.executionId && state.executionId !== executionId) continue;
      const text = `${state.status}${state.revision ? ` (commit ${state.revision.slice(0, 12)})` : ""}${state.summary ? `: ${state.summary}` : ""}`;
      if (this.stages.get(state.stage) !== text && state.status !== "NotStarted") {
        this.stages.set(state.stage, text);
        out.info(`Stage ${state.stage}: ${text}`);
      }
      buildId ??= state.buildId;
    }
    if (buildId) await this.updateBuild(buildId);
  }

  /** Reads and shows the build's new phases and log lines. */
  async updateBuild(buildId: string): Promise<BuildRun | undefined> {
    const out = this.deps.out;
    const build = await readBuild(this.deps.codeBuild, buildId);
    if (!build) return undefined;
    if (this.build?.id !== build.id) out.info(`Build ${build.id}`);
    this.build = build;
    for (const phase of build.phases) {
      if (!phase.status || this.phases.has(`${build.id}/${phase.type}`)) continue;
      this.phases.add(`${build.id}/${phase.type}`);
      if (phase.type === "SUBMITTED" || phase.type === "COMPLETED") continue;
      const seconds = phase.seconds !== undefined ? ` (${phase.seconds} s)` : "";
      out.info(`  phase ${phase.type} ${phase.status}${seconds}${phase.message ? `: ${phase.message}` : ""}`);
    }
    if (build.logGroupName && build.logStreamName) {
      try {
        // Lines can arrive a little after their timestamp: re-read a minute back, the ids keep them single.
        const startTime = this.newestLine === undefined ? undefined : this.newestLine - 60_000;
        const events = await readLogEvents(this.deps.logs, { logGroupName: build.logGroupName, logStreamNames: [build.logStreamName], startTime });
        for (const event of events) this.newestLine = Math.max(this.newestLine ?? 0, event.timestamp);
        if (this.tail !== undefined && events.length > this.tail) {
          const skipped = events.splice(0, events.length - this.tail);
          for (const event of skipped) this.shownEvents.add(event.eventId);
          out.info(`  (${skipped.length} earlier log lines: mlops logs <params> --build)`);
        }
        this.tail = undefined;
        for (const event of events) {
          if (this.shownEvents.has(event.eventId)) continue;
          this.shownEvents.add(event.eventId);
          this.logTail.push(event.message);
          if (this.logTail.length > FAILED_BUILD_LOG_LINES) this.logTail.shift();
          out.info(`  | ${event.message}`);
        }
      } catch (error) {
        // The stream appears once the build's container starts: until then there is nothing to show.
        if (!(error instanceof Error && /ResourceNotFound|does not exist/.test(`${(error as { code?: string }).code ?? ""} ${error.message}`))) throw error;
      }
    }
    return build;
  }

  /** The failed build's phase and last log lines, for the error that ends the run; undefined without a failed build. */
  failureText(): string | undefined {
    const build = this.build;
    if (!build || build.status === "SUCCEEDED" || build.status === "IN_PROGRESS") return undefined;
    const phase = failedPhase(build);
    const where = phase ? `in phase ${phase.type} (${phase.status}${phase.message ? `: ${phase.message}` : ""})` : `(${build.status})`;
    const tail = this.logTail.length > 0 ? `\nLast log lines of build ${build.id}:\n${this.logTail.map((l) => `  | ${l}`).join("\n")}` : "";
    return `Build ${build.id} failed ${where}.${tail}`;
  }
}
