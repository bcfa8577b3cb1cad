/**
 * CodeBuild through the SDK, in a module of its own so that a command loads this
 * client only when it calls CodeBuild.
 */
import * as cb from "@aws-sdk/client-codebuild";
import type { CodeBuildApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { CodeBuildClient } from "@aws-sdk/client-codebuild";

/** CodeBuild through the SDK. */
export class SdkCodeBuild extends Adapter implements CodeBuildApi {
  constructor(
    private readonly client: cb.CodeBuildClient,
    context: AdapterContext,
  ) {
    super(context, "CodeBuild", "codebuild");
  }
  createProject(input: cb.CreateProjectInput) {
    return this.call("CreateProject", (options) => this.client.send(new cb.CreateProjectCommand(input), options));
  }
  updateProject(input: cb.UpdateProjectInput) {
    return this.call("UpdateProject", (options) => this.client.send(new cb.UpdateProjectCommand(input), options));
  }
  batchGetProjects(input: cb.BatchGetProjectsInput) {
    return this.call("BatchGetProjects", (options) => this.client.send(new cb.BatchGetProjectsCommand(input), options));
  }
  deleteProject(input: cb.DeleteProjectInput) {
    return this.call("DeleteProject", (options) => this.client.send(new cb.DeleteProjectCommand(input), options));
  }
  listBuildsForProject(input: cb.ListBuildsForProjectInput) {
    return this.call("ListBuildsForProject", (options) => this.client.send(new cb.ListBuildsForProjectCommand(input), options));
  }
  batchGetBuilds(input: cb.BatchGetBuildsInput) {
    return this.call("BatchGetBuilds", (options) => this.client.send(new cb.BatchGetBuildsCommand(input), options));
  }
  stopBuild(input: cb.StopBuildInput) {
    return this.call("StopBuild", (options) => this.client.send(new cb.StopBuildCommand(input), options));
  }
}
