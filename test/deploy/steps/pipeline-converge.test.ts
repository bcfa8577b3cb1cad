/**
 * Two runs creating one endpoint's pipeline at once: the one that finds the
 * pipeline or build project created meanwhile adopts it (and makes it match
 * its own definition) instead of failing on "already exists".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../../src/aws/clients.js";
import type { AwsClients } from "../../../src/aws/interfaces.js";
import { ensurePipeline } from "../../../src/deploy/steps/pipeline.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";
import { racingCodeBuild, racingCodePipeline } from "../../fakes/racing.js";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

const target = { ecrRepositoryName: "ep-a-prod", ecrRepositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod" };

for (const answer of ["aws", "emulator"] as const) {
  describe(`ensurePipeline when another run created the pipeline and project meanwhile (${answer === "aws" ? "PipelineNameInUseException" : "the emulator's InvalidStructureException"})`, () => {
    it("adopts both, brings them to this run's definition, and succeeds", async () => {
      await fetch(`${emulator.url}/moto-api/reset`, { method: "POST" });
      const real = await createAwsClients({ region: "us-east-1", endpointUrl: emulator.url, retry: { budgetMs: 0, requestTimeoutMs: 10_000 } });
      const codePipeline = racingCodePipeline(real.codePipeline, answer);
      const codeBuild = racingCodeBuild(real.codeBuild);
      const aws: AwsClients = { ...real, codePipeline, codeBuild };
      const out = new MemoryOutput();
      const config = await loadEndpointConfig("params/ep-a.yaml");

      const state = await ensurePipeline(config, target, { aws, out, clock: new FakeClock(), assumeYes: true });

      expect(codePipeline.raced).toEqual(["ep-a-prod"]);
      expect(codeBuild.raced).toEqual(["ep-a-prod"]);
      const lines = out.lines.join("\n");
      expect(lines).toContain("CodeBuild project ep-a-prod up to date (created meanwhile by another run)");
      expect(lines).toContain("Updated pipeline ep-a-prod (created meanwhile by another run)");
      const pipeline = (await real.codePipeline.getPipeline({ name: state.pipelineName })).pipeline;
      expect(pipeline?.stages?.[0]?.actions?.[0]?.configuration?.BranchName).toBe("main");
      const project = (await real.codeBuild.batchGetProjects({ names: ["ep-a-prod"] })).projects?.[0];
      expect(project?.description).toBe("Builds the image of endpoint ep-a-prod (managed by mlops)");
    });
  });
}
