/**
 * The emulator correction pipeline-dates (moto gap 9), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { BatchGetBuildsCommand, BatchGetProjectsCommand, StartBuildCommand } from "@aws-sdk/client-codebuild";
import { GetPipelineCommand, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { type Aws, emulatorWithout, main, pipelineAndBuild, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("pipeline-dates (moto gap 9)", () => {
  it("GetPipeline, ListPipelines, StartBuild, BatchGetBuilds and BatchGetProjects deserialize, with Date timestamps", async () => {
    const name = await pipelineAndBuild(main);
    const pipeline = await main.codepipeline.send(new GetPipelineCommand({ name }));
    expect(pipeline.metadata?.created).toBeInstanceOf(Date);
    expect(Math.abs(pipeline.metadata!.created!.getTime() - Date.now())).toBeLessThan(120_000);
    const listed = await main.codepipeline.send(new ListPipelinesCommand({}));
    expect(listed.pipelines?.find((p) => p.name === name)?.updated).toBeInstanceOf(Date);

    const started = await main.codebuild.send(new StartBuildCommand({ projectName: name }));
    expect(started.build?.startTime).toBeInstanceOf(Date);
    const builds = await main.codebuild.send(new BatchGetBuildsCommand({ ids: [started.build!.id!] }));
    expect(builds.builds?.[0]?.startTime).toBeInstanceOf(Date);
    expect(builds.builds?.[0]?.phases?.[0]?.startTime).toBeInstanceOf(Date);
    const projects = await main.codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
    expect(projects.projects?.[0]?.created).toBeInstanceOf(Date);
  });

  it("without it, the JS SDK cannot read GetPipeline, ListPipelines or StartBuild", async () => {
    const a = withoutState;
    const name = await pipelineAndBuild(a);
    await expect(a.codepipeline.send(new GetPipelineCommand({ name }))).rejects.toThrow(/real number|NaN/);
    await expect(a.codepipeline.send(new ListPipelinesCommand({}))).rejects.toThrow(/real number|NaN/);
    await expect(a.codebuild.send(new StartBuildCommand({ projectName: name }))).rejects.toThrow(/real number|NaN/);
  });
});
