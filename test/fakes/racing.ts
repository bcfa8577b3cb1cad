/**
 * Another run that creates the same pipeline or build project between our
 * look and our create. Wrapping a real API (the emulator's), the first
 * create of each name is made for "the other run" first; then ours gets the
 * answer AWS gives for a name in use:
 * - CodePipeline CreatePipeline: `PipelineNameInUseException` ("The specified
 *   pipeline name is already in use."), per
 *   https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_CreatePipeline.html
 *   (`answer: "emulator"` lets the emulator answer instead: moto says
 *   `InvalidStructureException` "A pipeline with the name 'x' already exists").
 * - CodeBuild CreateProject: `ResourceAlreadyExistsException`, per
 *   https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html
 */
import type { CodeBuildApi, CodePipelineApi } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

/** A CodePipeline API where another run creates each pipeline just before we do. */
export function racingCodePipeline(real: CodePipelineApi, answer: "aws" | "emulator", otherRunBranch = "other-branch"): CodePipelineApi & { raced: string[] } {
  const raced: string[] = [];
  return {
    raced,
    getPipeline: (input) => real.getPipeline(input),
    listPipelines: (input) => real.listPipelines(input),
    updatePipeline: (input) => real.updatePipeline(input),
    deletePipeline: (input) => real.deletePipeline(input),
    listPipelineExecutions: (input) => real.listPipelineExecutions(input),
    getPipelineExecution: (input) => real.getPipelineExecution(input),
    startPipelineExecution: (input) => real.startPipelineExecution(input),
    getPipelineState: (input) => real.getPipelineState(input),
    async createPipeline(input) {
      const name = input.pipeline?.name ?? "";
      if (!raced.includes(name)) {
        raced.push(name);
        // The other run's definition may differ (e.g. another branch): ours must still win.
        const stages = input.pipeline!.stages?.map((stage) => ({
          ...stage,
          actions: stage.actions?.map((action) =>
            action.configuration?.BranchName ? { ...action, configuration: { ...action.configuration, BranchName: otherRunBranch } } : action,
          ),
        }));
        await real.createPipeline({ ...input, pipeline: { ...input.pipeline!, stages } });
        if (answer === "aws")
          throw new AwsError("CodePipeline CreatePipeline: The specified pipeline name is already in use.", { code: "PipelineNameInUseException" });
      }
      return real.createPipeline(input);
    },
  };
}

/** A CodeBuild API where another run creates each project just before we do. */
export function racingCodeBuild(real: CodeBuildApi): CodeBuildApi & { raced: string[] } {
  const raced: string[] = [];
  return {
    raced,
    updateProject: (input) => real.updateProject(input),
    batchGetProjects: (input) => real.batchGetProjects(input),
    deleteProject: (input) => real.deleteProject(input),
    listBuildsForProject: (input) => real.listBuildsForProject(input),
    batchGetBuilds: (input) => real.batchGetBuilds(input),
    stopBuild: (input) => real.stopBuild(input),
    async createProject(input) {
      const name = input.name ?? "";
      if (!raced.includes(name)) {
        raced.push(name);
        await real.createProject({ ...input, description: "created by another run" });
        throw new AwsError(`CodeBuild CreateProject: Project already exists: arn:aws:codebuild:us-east-1:123456789012:project/${name}`, {
          code: "ResourceAlreadyExistsException",
        });
      }
      return real.createProject(input);
    },
  };
}
