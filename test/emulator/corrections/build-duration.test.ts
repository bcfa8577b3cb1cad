/**
 * build-duration: with `--build-seconds N` a pipeline's build stays in BUILD for N seconds from
 * its start, also once its image is pushed; without the correction it completes at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand } from "@aws-sdk/client-codebuild";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CodePipelineClient, CreatePipelineCommand, GetPipelineStateCommand, ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { rolesTemplate } from "../fixtures.js";

const SECONDS = 4;
const IMAGE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"2".repeat(64)}` },
  layers: [],
});

function clients(url: string) {
  const config = { region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return {
    cf: new CloudFormationClient(config),
    codebuild: new CodeBuildClient(config),
    codepipeline: new CodePipelineClient(config),
    ecr: new ECRClient(config),
  };
}
type Clients = ReturnType<typeof clients>;

/** A pipeline whose first build has started and whose image is pushed; the build's id. */
async function pushedBuild(a: Clients, name: string): Promise<string> {
  await a.cf.send(new CreateStackCommand({ StackName: `${name}-roles`, TemplateBody: rolesTemplate() }));
  const outputs = (await a.cf.send(new DescribeStacksCommand({ StackName: `${name}-roles` }))).Stacks?.[0]?.Outputs ?? [];
  const role = (key: string) => outputs.find((o) => o.OutputKey === key)!.OutputValue!;
  await a.codebuild.send(
    new CreateProjectCommand({
      name,
      source: { type: "CODEPIPELINE", location: "unused" },
      artifacts: { type: "CODEPIPELINE", location: "unused" },
      environment: {
        type: "LINUX_CONTAINER",
        image: "aws/codebuild/standard:7.0",
        computeType: "BUILD_GENERAL1_SMALL",
        environmentVariables: [{ name: "ECR_REPOSITORY_URI", value: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}` }],
      },
      serviceRole: role("BuildRoleArn"),
    }),
  );
  const connection = "arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-0000-0000-000000000000";
  await a.codepipeline.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        roleArn: role("PipelineRoleArn"),
        artifactStore: { type: "S3", location: `${name}-artifacts` },
        stages: [
          {
            name: "Source",
            actions: [
              {
                name: "Source",
                actionTypeId: { category: "Source", owner: "AWS", provider: "CodeStarSourceConnection", version: "1" },
                configuration: { ConnectionArn: connection, FullRepositoryId: "owner/repo", BranchName: "main" },
                outputArtifacts: [{ name: "src" }],
              },
            ],
          },
          {
            name: "Build",
            actions: [
              {
                name: "Build",
                actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
                configuration: { ProjectName: name },
                inputArtifacts: [{ name: "src" }],
              },
            ],
          },
        ],
      },
    }),
  );
  const commit = (await a.codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }))).pipelineExecutionSummaries?.[0]?.sourceRevisions?.[0]
    ?.revisionId;
  const state = await a.codepipeline.send(new GetPipelineStateCommand({ name }));
  const buildId = state.stageStates?.[1]?.actionStates?.[0]?.latestExecution?.externalExecutionId ?? "";
  await a.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  await a.ecr.send(new PutImageCommand({ repositoryName: name, imageTag: `tag-${commit}`, imageManifest: IMAGE_MANIFEST }));
  return buildId;
}

const status = async (a: Clients, id: string) => (await a.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }))).builds?.[0]?.buildStatus;

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
    const a = clients(withIt.url);
    const id = await pushedBuild(a, "bdwith");
    expect(await status(a, id)).toBe("IN_PROGRESS");
    let last: string | undefined;
    for (let i = 0; i < 100 && (last = await status(a, id)) === "IN_PROGRESS"; i++) await new Promise((r) => setTimeout(r, 200));
    expect(last).toBe("SUCCEEDED");
  }, 60_000);

  it("without it, a pushed build succeeds at once", async () => {
    const a = clients(withoutIt.url);
    const id = await pushedBuild(a, "bdwithout");
    expect(await status(a, id)).toBe("SUCCEEDED");
  }, 60_000);
});
