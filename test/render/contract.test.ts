/**
 * The contract (src/render/contract.ts) and the templates declare the same parameters: a row
 * for a parameter no template has, or a template parameter without a row, fails here. Rendering
 * then reading back gives the typed values that went in.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEndpointConfig, parseEndpointConfig } from "../../src/params/load.js";
import { TUTORIAL_PARAMETERS } from "../../src/params/tutorial-keys.js";
import { computeRows, CONTRACTS, decodeEndpoint, fieldOfParameter, isMechanismParameter, parameterLabel, replacingChanges } from "../../src/render/contract.js";
import { renderEndpointStack, renderPipelineStack, renderShardStack } from "../../src/render/render.js";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import { readRepoFile, ROOT, template, type TemplateName } from "../templates/helpers.js";

const templateFiles = readdirSync(`${ROOT}templates`).filter((f) => f.endsWith(".yaml"));

describe("the parameter contract", () => {
  it("has a table for every template, and no table without one", () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual([...templateFiles].sort());
  });

  for (const file of templateFiles) {
    it(`declares exactly the parameters of templates/${file}, each once`, () => {
      const declared = Object.keys(template(file.replace(/\.yaml$/, "") as TemplateName).Parameters ?? {}).sort();
      const rows = (CONTRACTS[file as keyof typeof CONTRACTS] as readonly { parameter: string }[]).map((row) => row.parameter);
      expect(new Set(rows).size).toBe(rows.length);
      expect([...rows].sort()).toEqual(declared);
    });
  }

  it("marks as the tutorial's exactly the keys the tutorial's format reads", () => {
    const marked = [...CONTRACTS["create-ep-a.yaml"], ...CONTRACTS["add-ep-b.yaml"]].filter((row) => row.tutorial).map((row) => row.parameter);
    expect([...new Set(marked)].sort()).toEqual(TUTORIAL_PARAMETERS.map((p) => p.key).sort());
  });

  it("renders every row of the stack's template, and nothing else", async () => {
    const base = await loadEndpointConfig("params/ep-a.yaml");
    const added = await loadEndpointConfig("params/ep-b.yaml");
    expect(Object.keys(renderEndpointStack(base).parameters).sort()).toEqual(CONTRACTS["create-ep-a.yaml"].map((r) => r.parameter).sort());
    expect(Object.keys(renderEndpointStack(added).parameters).sort()).toEqual(CONTRACTS["add-ep-b.yaml"].map((r) => r.parameter).sort());
    const pipelined = [base, added].find((c) => c.pipeline);
    if (!pipelined) throw new Error("no example parameter file has a pipeline section");
    expect(Object.keys(renderPipelineStack(pipelined, { ecrRepositoryName: "repo" }).parameters).sort()).toEqual(
      CONTRACTS["pipeline.yaml"].map((r) => r.parameter).sort(),
    );
    const shard = renderShardStack({
      baseStackName: "b",
      shardStackName: "b-lb2",
      vpcCidr: "10.0.0.0/16",
      publicSubnets: ["s1", "s2"],
      allowedCidr: "0.0.0.0/0",
      defaultCertificateArn: "arn:c",
    });
    expect(Object.keys(shard.parameters).sort()).toEqual(CONTRACTS["shard.yaml"].map((r) => r.parameter).sort());
  });

  it("declares, for rendered GPU and Neuron stacks, exactly the template's rows and the compute rows of its type", async () => {
    const gpu = await loadEndpointConfig("params/ep-gpu.yaml");
    const neuronText = readRepoFile("params/ep-gpu.yaml").replace(/^compute:\n( {2}.*\n)+/m, "compute:\n  type: neuron\n  instanceTypes: [inf2.xlarge]\n");
    const neuron = parseEndpointConfig(neuronText, "ep-neuron.yaml");
    expect(neuron.compute?.type).toBe("neuron");
    for (const config of [gpu, neuron]) {
      const rendered = renderEndpointStack(config);
      const expected = [...CONTRACTS[rendered.templateFile as "add-ep-b.yaml"], ...computeRows(config.compute?.type)].map((row) => row.parameter).sort();
      const declared = Object.keys((parseTemplate(rendered.templateBody) as { Parameters: Record<string, unknown> }).Parameters).sort();
      expect(declared).toEqual(expected);
      expect(Object.keys(rendered.parameters).sort()).toEqual(expected);
    }
    expect(computeRows("neuron").map((row) => row.parameter)).not.toContain("GpusPerTask");
    expect(computeRows(undefined)).toEqual([]);
    // Read back: the capacity a GPU stack was rendered with; a Fargate stack has none.
    expect(decodeEndpoint(renderEndpointStack(gpu).parameters).compute).toEqual({ spot: false, gpusPerTask: 1, rootVolumeGiB: 100 });
    expect(decodeEndpoint(renderEndpointStack(neuron).parameters).compute?.gpusPerTask).toBeUndefined();
    expect(decodeEndpoint(renderEndpointStack(await loadEndpointConfig("params/ep-b.yaml")).parameters).compute).toBeUndefined();
  });

  it("reads a rendered stack back into the typed values it was rendered from", async () => {
    const config = await loadEndpointConfig("params/ep-b.yaml");
    const weights = { sourceBucket: "bucket", sourcePrefix: "models/", deleteExtraneous: true, schedule: "rate(1 day)" };
    const rendered = renderEndpointStack(config, {
      imageTag: "v7",
      assetsFileSystemId: "fs-a",
      weightsFileSystemId: "fs-w",
      assetsVolumeRoot: "/",
      weightsVolumeRoot: "/data",
      logGroupExists: true,
      listenerPriority: 42,
      loadBalancerStack: "base-prod-lb2",
      weights,
    });
    const deployed = decodeEndpoint(rendered.parameters);
    expect(deployed).toMatchObject({
      project: config.project,
      environment: config.environment,
      baseProject: config.baseProject,
      host: config.api.hostHeader,
      imageTag: "v7",
      runningTag: "v7",
      desiredCount: config.scaling.desired,
      fileSystems: { assets: "fs-a", weights: "fs-w" },
      volumeRoots: { assets: "/", weights: "/data" },
      logGroupExists: true,
      listenerPriority: 42,
      loadBalancerStack: "base-prod-lb2",
      rollout: config.rollout,
      weights,
    });
    // No image yet: the placeholder tag is not a running one, and no task runs.
    const empty = decodeEndpoint(renderEndpointStack(config).parameters);
    expect(empty.runningTag).toBeUndefined();
    expect(empty.desiredCount).toBe(0);
  });

  it("derives labels, mechanism-only parameters and the fields behind parameters from its rows", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml");
    expect(parameterLabel("TaskRAM")).toBe("memory");
    expect(parameterLabel("WeightsReadOnly")).toBe("WeightsReadOnly");
    expect(["SendDesiredCount", "PrimaryTargetGroupWeight", "AlternateTargetGroupWeight"].every(isMechanismParameter)).toBe(true);
    expect(isMechanismParameter("DesiredCount")).toBe(false);
    expect(fieldOfParameter(config, "TaskRAM")).toBe("container.memory");
    expect(fieldOfParameter({ format: "cloudformation" }, "TaskRAM")).toBe("TaskRAM");
    const deployed = renderEndpointStack(config).parameters;
    expect(replacingChanges(config, deployed)).toEqual([]);
    const moved = { ...config, api: { ...config.api, port: config.api.port + 1 } };
    expect(replacingChanges(moved, deployed)).toEqual([
      { parameter: "ApiPort", field: "api.port", before: String(config.api.port), after: String(config.api.port + 1), what: "the target group's port" },
    ]);
  });
});
