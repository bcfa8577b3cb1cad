/**
 * Deleting a pipeline stops its running builds first, so no build pushes an
 * image or updates the stack while teardown deletes them.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { deletePipeline } from "../../../src/deploy/steps/pipeline.js";
import { AwsError } from "../../../src/errors.js";
import { FakeClock } from "../../fakes/clock.js";
import { FakeCodeBuild } from "../../fakes/codebuild.js";
import { MemoryOutput } from "../../fakes/output.js";

function clientsWith(codeBuild: FakeCodeBuild): AwsClients {
  const none = async () => {
    throw new AwsError("not found", { code: "PipelineNotFoundException" });
  };
  return {
    region: "us-east-1",
    codeBuild,
    codePipeline: { deletePipeline: none, getPipeline: none },
    cloudFormation: { describeStacks: async () => Promise.reject(new AwsError("Stack with id x-pipeline does not exist", { code: "ValidationError" })) },
  } as unknown as AwsClients;
}

describe("deletePipeline", () => {
  it("stops running builds and waits for them before deleting the project", async () => {
    const codeBuild = new FakeCodeBuild("ep-a-prod", { "ep-a-prod:1": "SUCCEEDED", "ep-a-prod:2": "IN_PROGRESS" }, 2);
    const out = new MemoryOutput();
    await deletePipeline("ep-a-prod", { aws: clientsWith(codeBuild), out, clock: new FakeClock(), assumeYes: true });
    expect(codeBuild.stopped).toEqual(["ep-a-prod:2"]);
    expect(codeBuild.projectExists).toBe(false);
    expect(out.lines.join("\n")).toContain("Stopped 1 running build(s) of ep-a-prod");
  });

  it("reports only what existed: no 'Deleted pipeline' line for a pipeline that never existed", async () => {
    const codeBuild = new FakeCodeBuild("ep-a-prod", {});
    const out = new MemoryOutput();
    // DeletePipeline succeeds for an unknown name, as CodePipeline's does.
    let deleteCalls = 0;
    const aws = {
      ...clientsWith(codeBuild),
      codePipeline: {
        getPipeline: async () => Promise.reject(new AwsError("none", { code: "PipelineNotFoundException" })),
        deletePipeline: async () => void deleteCalls++,
      },
    } as unknown as AwsClients;
    const deleted = await deletePipeline("ep-a-prod", { aws, out, clock: new FakeClock(), assumeYes: true });
    expect(deleted).toEqual({ pipeline: false, project: true, stack: false });
    expect(deleteCalls).toBe(0);
    expect(out.lines.join("\n")).not.toContain("Deleted pipeline");
    expect(out.lines.join("\n")).toContain("Deleted CodeBuild project ep-a-prod");
  });

  it("deletes a project with no running build without stopping anything", async () => {
    const codeBuild = new FakeCodeBuild("ep-a-prod", { "ep-a-prod:1": "FAILED" });
    await deletePipeline("ep-a-prod", { aws: clientsWith(codeBuild), out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true });
    expect(codeBuild.stopped).toEqual([]);
    expect(codeBuild.projectExists).toBe(false);
  });
});
