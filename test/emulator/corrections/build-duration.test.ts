/**
 * build-duration: with `--build-seconds N` a pipeline's build stays in BUILD for N seconds from
 * its start, also once its image is pushed; without the correction it completes at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchGetBuildsCommand } from "@aws-sdk/client-codebuild";
import { GetPipelineStateCommand, ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { type Aws, aws, pipelineAndBuild } from "./helpers.js";

const SECONDS = 4;
const IMAGE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"2".repeat(64)}` },
  layers: [],
});

/** A pipeline whose first build has started and whose image is pushed; the build's id. */
async function pushedBuild(a: Aws): Promise<string> {
  const name = await pipelineAndBuild(a);
  const commit = (await a.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries?.[0]?.sourceRevisions?.[0]
    ?.revisionId;
  const state = await a.codepipeline.send(new GetPipelineStateCommand({ name }));
  const buildId = state.stageStates?.[1]?.actionStates?.[0]?.latestExecution?.externalExecutionId ?? "";
  await a.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  await a.ecr.send(new PutImageCommand({ repositoryName: name, imageTag: `tag-${commit}`, imageManifest: IMAGE_MANIFEST }));
  return buildId;
}

const status = async (a: Aws, id: string) => (await a.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0]?.buildStatus;

let withIt: RunningEmulator;
let withoutIt: RunningEmulator;
beforeAll(async () => {
  [withIt, withoutIt] = await Promise.all([startEmulator({ buildSeconds: SECONDS }), startEmulator({ buildSeconds: SECONDS, without: ["build-duration"] })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([withIt?.stop(), withoutIt?.stop()]);
});

describe("build-duration (a build lasts --build-seconds)", () => {
  it("keeps a pushed build in progress until its duration has passed, then succeeds", async () => {
    const a = aws(withIt.url);
    const id = await pushedBuild(a);
    expect(await status(a, id)).toBe("IN_PROGRESS");
    let last: string | undefined;
    for (let i = 0; i < 100 && (last = await status(a, id)) === "IN_PROGRESS"; i++) await new Promise((r) => setTimeout(r, 200));
    expect(last).toBe("SUCCEEDED");
  }, 60_000);

  it("without it, a pushed build succeeds at once", async () => {
    const a = aws(withoutIt.url);
    const id = await pushedBuild(a);
    expect(await status(a, id)).toBe("SUCCEEDED");
  }, 60_000);
});
