import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runRender } from "../../src/commands/render.js";
import type { CommandDeps } from "../../src/commands/shared.js";
import { InputError } from "../../src/errors.js";
import { MemoryOutput } from "../fakes/output.js";
import { FakeClock } from "../fakes/clock.js";

function deps(out = new MemoryOutput()): CommandDeps {
  return {
    out,
    clock: new FakeClock(),
    cwd: mkdtempSync(join(tmpdir(), "mlops-render-")),
    aws: () => {
      throw new Error("render must not build AWS clients");
    },
  };
}

describe("runRender", () => {
  it("writes the template, the AWS CLI parameter list and tags, without AWS", async () => {
    const d = deps();
    const result = await runRender({ params: `${process.cwd()}/params/ep-a.yaml`, format: "json" }, d);
    const template = JSON.parse(readFileSync(result.files.template, "utf8")) as { Resources: Record<string, unknown> };
    expect(Object.keys(template.Resources)).toContain("HttpsListener");
    const parameters = JSON.parse(readFileSync(result.files.parameters, "utf8")) as { ParameterKey: string; ParameterValue: string }[];
    expect(parameters.find((p) => p.ParameterKey === "DesiredCount")?.ParameterValue).toBe("0");
    expect(parameters.every((p) => typeof p.ParameterValue === "string")).toBe(true);
    expect(result.awsCli).toContain("--capabilities CAPABILITY_IAM");
  });

  it("keeps the YAML template byte for byte", async () => {
    const result = await runRender({ params: `${process.cwd()}/params/ep-b.yaml` }, deps());
    expect(readFileSync(result.files.template, "utf8")).toBe(readFileSync("templates/add-ep-b.yaml", "utf8"));
  });

  it("rejects an unknown format as bad input", async () => {
    await expect(runRender({ params: "params/ep-a.yaml", format: "xml" }, deps())).rejects.toThrow(InputError);
  });
});
