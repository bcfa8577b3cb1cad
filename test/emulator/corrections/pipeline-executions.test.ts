/**
 * The emulator correction pipeline-executions (moto gap 8: no executions, builds that never run), shown through
 * the AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong
 * behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { BatchGetBuildsCommand, ListBuildsForProjectCommand } from "@aws-sdk/client-codebuild";
import { GetPipelineStateCommand, ListPipelineExecutionsCommand, StartPipelineExecutionCommand } from "@aws-sdk/client-codepipeline";
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { type Aws, emulatorWithout, IMAGE_MANIFEST, main, pipelineAndBuild, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("pipeline-executions (moto gap 8: no executions, builds that never run)", () => {
  it("a new pipeline runs: source commit, a build in BUILD with log lines, which succeeds once its image is pushed", async () => {
    const name = await pipelineAndBuild(main);
    const first = (await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries ?? [];
    expect(first).toHaveLength(1);
    expect(first[0]?.status).toBe("InProgress");
    const commit = first[0]?.sourceRevisions?.[0]?.revisionId ?? "";
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const state = await main.codepipeline.send(new GetPipelineStateCommand({ name }));
    expect(state.stageStates?.map((s) => [s.stageName, s.latestExecution?.status])).toEqual([
      ["Source", "Succeeded"],
      ["Build", "InProgress"],
    ]);
    // ActionRevision's three members are required (CodePipeline API reference, ActionRevision).
    expect(state.stageStates?.[0]?.actionStates?.[0]?.currentRevision).toEqual({ revisionId: commit, revisionChangeId: commit, created: expect.any(Date) });
    const buildId = state.stageStates?.[1]?.actionStates?.[0]?.latestExecution?.externalExecutionId ?? "";
    const running = (await main.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds?.[0];
    expect(running?.buildStatus).toBe("IN_PROGRESS");
    expect(running?.currentPhase).toBe("BUILD");

    await main.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await main.ecr.send(new PutImageCommand({ repositoryName: name, imageTag: `tag-${commit}`, imageManifest: IMAGE_MANIFEST }));
    const done = (await main.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }))).builds?.[0];
    expect(done?.buildStatus).toBe("SUCCEEDED");
    expect(done?.phases?.map((p) => p.phaseType)).toEqual([
      "SUBMITTED",
      "QUEUED",
      "PROVISIONING",
      "DOWNLOAD_SOURCE",
      "INSTALL",
      "PRE_BUILD",
      "BUILD",
      "POST_BUILD",
      "UPLOAD_ARTIFACTS",
      "FINALIZING",
      "COMPLETED",
    ]);
    const lines = await main.logs.send(
      new GetLogEventsCommand({ logGroupName: done?.logs?.groupName, logStreamName: done?.logs?.streamName, startFromHead: true }),
    );
    expect(lines.events?.map((e) => e.message)).toContain(`Pushed image ${name}:tag-${commit}`);
    expect((await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries?.[0]?.status).toBe("Succeeded");

    const again = await main.codepipeline.send(new StartPipelineExecutionCommand({ name }));
    const listed = (await main.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries ?? [];
    expect(listed.map((e) => e.pipelineExecutionId)).toEqual([again.pipelineExecutionId, first[0]?.pipelineExecutionId]);
    // Newest build first, as ListBuildsForProject sorts DESCENDING.
    const builds = await main.codebuild.send(new ListBuildsForProjectCommand({ projectName: name, sortOrder: "DESCENDING" }));
    expect(builds.ids?.[1]).toBe(buildId);
  });

  it("without it, a pipeline has no executions and its state cannot be read", async () => {
    const name = await pipelineAndBuild(withoutState);
    await expect(withoutState.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).rejects.toThrow();
    await expect(withoutState.codepipeline.send(new GetPipelineStateCommand({ name }))).rejects.toThrow();
  });
});
