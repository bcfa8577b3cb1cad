/**
 * The emulator correction codebuild-update-project (missing in moto), shown through the AWS SDK for JavaScript
 * v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator
 * started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { BatchGetProjectsCommand, CreateProjectCommand, UpdateProjectCommand } from "@aws-sdk/client-codebuild";
import { type Aws, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("codebuild-update-project (missing in moto)", () => {
  const project = (name: string, roleArn: string, image: string) => ({
    name,
    source: { type: "CODEPIPELINE" as const, location: "unused" },
    artifacts: { type: "CODEPIPELINE" as const, location: "unused" },
    environment: { type: "LINUX_CONTAINER" as const, image, computeType: "BUILD_GENERAL1_SMALL" as const, privilegedMode: true },
    serviceRole: roleArn,
  });
  const role = "arn:aws:iam::123456789012:role/build";

  it("UpdateProject replaces the fields given", async () => {
    const name = uniqueName("cb");
    await main.codebuild.send(new CreateProjectCommand(project(name, role, "aws/codebuild/standard:7.0")));
    const updated = await main.codebuild.send(new UpdateProjectCommand(project(name, role, "aws/codebuild/standard:8.0")));
    expect(updated.project?.environment?.image).toBe("aws/codebuild/standard:8.0");
    const projects = await main.codebuild.send(new BatchGetProjectsCommand({ names: [name] }));
    expect(projects.projects?.[0]?.environment?.image).toBe("aws/codebuild/standard:8.0");
    await expect(main.codebuild.send(new UpdateProjectCommand(project(`${name}-none`, role, "x")))).rejects.toThrow(/cannot be found/);
  });

  it("without it, UpdateProject fails", async () => {
    const name = uniqueName("cb");
    await withoutState.codebuild.send(new CreateProjectCommand(project(name, role, "aws/codebuild/standard:7.0")));
    await expect(withoutState.codebuild.send(new UpdateProjectCommand(project(name, role, "aws/codebuild/standard:8.0")))).rejects.toThrow();
  });
});
