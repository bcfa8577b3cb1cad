/**
 * A pipeline run shown live: stage states, then the build's phases and log
 * lines as they come, each once; a failed build ends with its failed phase
 * (CodeBuild's own message) and its last log lines, both while create-endpoint
 * follows the pipeline and in `mlops pipeline --follow`. CodeBuild and
 * CodePipeline are fakes that answer as their API references describe
 * (BatchGetBuilds phases with contexts, GetPipelineState's externalExecutionId).
 */
import { describe, expect, it } from "vitest";
import type { CodeBuildApi, CodePipelineApi } from "../../../src/aws/interfaces.js";
import { showPipelineRun } from "../../../src/deploy/operations/pipeline.js";
import { followPipelineExecution } from "../../../src/deploy/steps/image.js";
import { FAILED_BUILD_LOG_LINES } from "../../../src/deploy/steps/pipeline-run.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeLogs } from "../../fakes/logs.js";
import { MemoryOutput } from "../../fakes/output.js";

const name = "ep-a-prod";
const buildId = `${name}:5a0c1a2b-0000-4000-8000-000000000001`;
const group = `/aws/codebuild/${name}`;
const stream = "5a0c1a2b-0000-4000-8000-000000000001";

/** A run that goes: build in PRE_BUILD, then BUILD, then ends (SUCCEEDED or FAILED in BUILD), one step per read. */
function fakeRun(outcome: "SUCCEEDED" | "FAILED", logs: FakeLogs, clock: FakeClock) {
  let reads = 0;
  const step = () => Math.min(reads, 2);
  const executionStatus = () => (step() < 2 ? "InProgress" : outcome === "SUCCEEDED" ? "Succeeded" : "Failed");
  const codePipeline = {
    async getPipeline() {
      return { pipeline: { name } };
    },
    async listPipelineExecutions() {
      reads++;
      if (step() === 1) logs.put(group, stream, [{ timestamp: clock.now(), message: "Step 1/9 : FROM python:3.12-slim" }]);
      if (step() === 2 && outcome === "FAILED")
        logs.put(
          group,
          stream,
          Array.from({ length: 30 }, (_, i) => ({ timestamp: clock.now() + i, message: `build line ${i + 1}` })),
        );
      return {
        pipelineExecutionSummaries: [
          {
            pipelineExecutionId: "exec-1",
            status: executionStatus(),
            sourceRevisions: [{ actionName: "Source", revisionId: "0123456789abcdef0123456789abcdef01234567" }],
          },
        ],
      };
    },
    async getPipelineState() {
      return {
        stageStates: [
          {
            stageName: "Source",
            latestExecution: { pipelineExecutionId: "exec-1", status: "Succeeded" as const },
            actionStates: [{ actionName: "Source", currentRevision: { revisionId: "0123456789abcdef0123456789abcdef01234567" } }],
          },
          {
            stageName: "Build",
            latestExecution: { pipelineExecutionId: "exec-1", status: executionStatus() as "InProgress" },
            actionStates: [{ actionName: "Build", latestExecution: { externalExecutionId: buildId } }],
          },
        ],
      };
    },
    async startPipelineExecution() {
      return { pipelineExecutionId: "exec-2" };
    },
  } as unknown as CodePipelineApi;
  const codeBuild = {
    async batchGetBuilds() {
      const done = [
        { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED" },
        { phaseType: "PROVISIONING", phaseStatus: "SUCCEEDED", durationInSeconds: 20 },
        { phaseType: "PRE_BUILD", phaseStatus: "SUCCEEDED", durationInSeconds: 4 },
      ];
      const phases =
        step() === 0
          ? [...done.slice(0, 2), { phaseType: "PRE_BUILD" }]
          : step() === 1
            ? [...done, { phaseType: "BUILD" }]
            : [
                ...done,
                outcome === "SUCCEEDED"
                  ? { phaseType: "BUILD", phaseStatus: "SUCCEEDED", durationInSeconds: 95 }
                  : {
                      phaseType: "BUILD",
                      phaseStatus: "FAILED",
                      durationInSeconds: 41,
                      contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: docker build. Reason: exit status 1" }],
                    },
              ];
      const status = step() < 2 ? "IN_PROGRESS" : outcome;
      return { builds: [{ id: buildId, buildStatus: status, phases, logs: { groupName: group, streamName: stream } }] };
    },
  } as unknown as CodeBuildApi;
  return { codePipeline, codeBuild };
}

function context(outcome: "SUCCEEDED" | "FAILED") {
  const logs = new FakeLogs();
  const clock = new FakeClock();
  logs.put(group, stream, [{ timestamp: clock.now(), message: "[Container] Entering phase PRE_BUILD" }]);
  const { codePipeline, codeBuild } = fakeRun(outcome, logs, clock);
  const out = new MemoryOutput();
  return { out, ctx: { aws: { region: "us-east-1", codePipeline, codeBuild, logs } as never, out, clock, assumeYes: true, pollIntervalMs: 10 } };
}

describe("a pipeline run, live", () => {
  it("shows stage states, each build phase once as it ends, and each log line once as it comes", async () => {
    const { out, ctx } = context("SUCCEEDED");
    const report = await showPipelineRun(name, { follow: true }, ctx);
    expect(report.execution?.status).toBe("Succeeded");
    const lines = out.lines.filter((l) => l.startsWith("info: ")).map((l) => l.slice(6));
    expect(lines).toEqual([
      `Watch it: https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}/view?region=us-east-1`,
      "Stage Source: Succeeded (commit 0123456789ab)",
      "Stage Build: InProgress",
      `Build ${buildId}`,
      "  phase PROVISIONING SUCCEEDED (20 s)",
      "  phase PRE_BUILD SUCCEEDED (4 s)",
      "  | [Container] Entering phase PRE_BUILD",
      "  | Step 1/9 : FROM python:3.12-slim",
      "Stage Build: Succeeded",
      "  phase BUILD SUCCEEDED (95 s)",
    ]);
  });

  it("mlops pipeline --follow: a failed build ends with its failed phase and its last log lines", async () => {
    const { ctx } = context("FAILED");
    const error = await showPipelineRun(name, { follow: true }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    const message = (error as AwsError).message;
    expect(message).toMatch(/execution exec-1 failed\./);
    expect(message).toContain(
      `Build ${buildId} failed in phase BUILD (FAILED: COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1).`,
    );
    const tail = message.split("\n").filter((l) => l.startsWith("  | "));
    expect(tail).toHaveLength(FAILED_BUILD_LOG_LINES);
    expect(tail.at(-1)).toBe("  | build line 30");
    expect(tail[0]).toBe("  | build line 11");
  });

  it("create-endpoint following the pipeline: the same failure, with the same last lines", async () => {
    const { ctx } = context("FAILED");
    const error = await followPipelineExecution(name, "us-east-1", 30 * 60_000, ctx).catch((e: unknown) => e);
    expect((error as AwsError).message).toMatch(
      /Pipeline ep-a-prod execution exec-1 failed\.\nBuild .* failed in phase BUILD \(FAILED: COMMAND_EXECUTION_ERROR/,
    );
    expect((error as AwsError).message).toMatch(/ {2}\| build line 30$/);
  });

  it("mlops pipeline without --follow: the latest run once, its log's last lines only", async () => {
    const { out, ctx } = context("SUCCEEDED");
    const report = await showPipelineRun(name, { follow: false }, ctx);
    expect(report.execution?.status).toBe("InProgress");
    expect(report.build?.status).toBe("IN_PROGRESS");
    expect(out.lines).toContain("info:   | [Container] Entering phase PRE_BUILD");
  });
});
