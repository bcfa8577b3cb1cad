/**
 * The pipeline stack owns the build log group (with a retention) and keeps it
 * on deletion; a later pipeline stack must use a kept group instead of failing
 * on its name, and an existing stack keeps its own earlier answer.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { keptBuildLogGroup } from "../../../src/deploy/steps/pipeline.js";
import { RunReads } from "../../../src/deploy/engine/reads.js";
import { readStack } from "../../../src/deploy/engine/stack.js";
import { AwsError } from "../../../src/errors.js";
import { parseEndpointConfig } from "../../../src/params/load.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const config = parseEndpointConfig(
  `project: ep-b
base: ep-a
api: { hostHeader: ep-b.example.com }
pipeline:
  connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000
  repository: owner/repo
`,
  "ep-b.yaml",
);

function context(pipelineStackParameters: Record<string, string> | undefined, groups: string[], reads?: RunReads) {
  const aws = {
    region: "us-east-1",
    cloudFormation: {
      describes: 0,
      async describeStacks({ StackName }: { StackName: string }) {
        this.describes++;
        if (!pipelineStackParameters || StackName !== "ep-b-prod-pipeline") {
          throw new AwsError(`Stack with id ${StackName} does not exist`, { code: "ValidationError" });
        }
        return {
          Stacks: [
            {
              StackName,
              StackStatus: "UPDATE_COMPLETE",
              Parameters: Object.entries(pipelineStackParameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
            },
          ],
        };
      },
    },
    logs: {
      describeLogGroups: async ({ logGroupNamePrefix }: { logGroupNamePrefix: string }) => ({
        logGroups: groups.filter((g) => g.startsWith(logGroupNamePrefix)).map((logGroupName) => ({ logGroupName })),
      }),
    },
  } as unknown as AwsClients;
  return { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true, reads };
}

describe("the build log group", () => {
  it("is created by a new pipeline stack when none exists", async () => {
    expect(await keptBuildLogGroup(config, context(undefined, []))).toBe(false);
  });

  it("is used again when an earlier teardown kept it", async () => {
    expect(await keptBuildLogGroup(config, context(undefined, ["/aws/codebuild/ep-b-prod"]))).toBe(true);
  });

  it("stays the stack's own on updates, though it exists", async () => {
    expect(await keptBuildLogGroup(config, context({ BuildLogGroupExists: "false" }, ["/aws/codebuild/ep-b-prod"]))).toBe(false);
  });

  it("made by CodeBuild before the stack owned it is used, not created again", async () => {
    expect(await keptBuildLogGroup(config, context({ ProjectName: "ep-b" }, ["/aws/codebuild/ep-b-prod"]))).toBe(true);
  });

  it("is decided from the run's read of the pipeline stack, which the stack's deployment then starts from", async () => {
    const reads = new RunReads();
    const ctx = context({ BuildLogGroupExists: "true" }, [], reads);
    expect(await keptBuildLogGroup(config, ctx)).toBe(true);
    expect((await readStack(ctx.aws.cloudFormation, "ep-b-prod-pipeline", reads))?.StackStatus).toBe("UPDATE_COMPLETE");
    expect((ctx.aws.cloudFormation as unknown as { describes: number }).describes).toBe(1);
  });
});
