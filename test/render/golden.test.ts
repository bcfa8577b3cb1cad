import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../src/params/load.js";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import { renderEndpointStack, renderImagesStack, renderShardStack, toParameterList, toTagList } from "../../src/render/render.js";

const goldenDir = new URL("./golden/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

/** Compares text with a golden file; UPDATE_GOLDEN=1 rewrites it. */
function expectGolden(name: string, actual: string): void {
  const file = new URL(name, goldenDir);
  if (update || !existsSync(file)) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual);
    if (!update) throw new Error(`golden file ${name} was missing and has been written; check it and run again`);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

const cases = [
  { file: "params/ep-a.yaml", overrides: {} },
  { file: "params/ep-b.yaml", overrides: {} },
  { file: "params/create-ep-a.json", overrides: {} },
  { file: "params/add-ep-b.json", overrides: {} },
];

describe("render golden files", () => {
  for (const c of cases) {
    const name = c.file.replace(/^params\//, "").replace(/\./g, "_");
    it(`renders ${c.file} deterministically`, async () => {
      const config = await loadEndpointConfig(c.file, c.overrides);
      const first = renderEndpointStack(config);
      const second = renderEndpointStack(await loadEndpointConfig(c.file, c.overrides));
      expect(second).toEqual(first);
      expectGolden(`${name}.parameters.json`, `${JSON.stringify(toParameterList(first.parameters), null, 2)}\n`);
      expectGolden(`${name}.tags.json`, `${JSON.stringify(toTagList(first.tags), null, 2)}\n`);
      expectGolden(`${name}.template.json`, `${JSON.stringify(parseTemplate(first.templateBody), null, 2)}\n`);
    });

    it(`gives ${c.file}'s template a value for every parameter without a default, and nothing else`, async () => {
      const config = await loadEndpointConfig(c.file, c.overrides);
      const rendered = renderEndpointStack(config);
      const declared = parseTemplate(rendered.templateBody).Parameters as Record<string, { Default?: unknown }>;
      for (const key of Object.keys(rendered.parameters)) expect(Object.keys(declared), `parameter ${key}`).toContain(key);
      for (const [key, spec] of Object.entries(declared)) {
        if (spec.Default === undefined) expect(rendered.parameters, `required parameter ${key}`).toHaveProperty(key);
      }
    });
  }

  it("renders a load balancer shard of ep-a deterministically", () => {
    const shard = renderShardStack({
      baseStackName: "ep-a-prod",
      shardStackName: "ep-a-prod-lb-2",
      vpcCidr: "10.0.0.0/16",
      publicSubnets: ["subnet-0a", "subnet-0b"],
      allowedCidr: "0.0.0.0/0",
      defaultCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
      accessLogsBucket: "ep-a-prod-accesslogsbucket-0",
    });
    expect(shard.stackName).toBe("ep-a-prod-lb-2");
    expectGolden("shard.parameters.json", `${JSON.stringify(toParameterList(shard.parameters), null, 2)}\n`);
    expectGolden("shard.tags.json", `${JSON.stringify(toTagList(shard.tags), null, 2)}\n`);
    expectGolden("shard.template.json", `${JSON.stringify(parseTemplate(shard.templateBody), null, 2)}\n`);
  });

  it("renders the images stack of ep-a and of ep-b deterministically", async () => {
    for (const [file, name] of [
      ["params/ep-a.yaml", "images-ep-a"],
      ["params/ep-b.yaml", "images-ep-b"],
    ] as const) {
      const images = renderImagesStack(await loadEndpointConfig(file));
      expect(renderImagesStack(await loadEndpointConfig(file))).toEqual(images);
      expectGolden(`${name}.parameters.json`, `${JSON.stringify(toParameterList(images.parameters), null, 2)}\n`);
      expectGolden(`${name}.tags.json`, `${JSON.stringify(toTagList(images.tags), null, 2)}\n`);
    }
    const images = renderImagesStack(await loadEndpointConfig("params/ep-a.yaml"));
    expect(images.stackName).toBe("ep-a-prod-images");
    expectGolden("images.template.json", `${JSON.stringify(parseTemplate(images.templateBody), null, 2)}\n`);
  });

  it("renders the tutorial format like our format for the same endpoint", async () => {
    const ours = renderEndpointStack(await loadEndpointConfig("params/ep-a.yaml"));
    const tutorial = renderEndpointStack(await loadEndpointConfig("params/create-ep-a.json"));
    expect(tutorial.stackName).toBe(ours.stackName);
    expect(tutorial.templateFile).toBe(ours.templateFile);
    expect(Object.keys(tutorial.parameters)).toEqual(Object.keys(ours.parameters));
  });
});
