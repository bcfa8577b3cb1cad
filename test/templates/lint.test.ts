import { readdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ROOT, readRepoFile, run } from "./helpers.js";

const templateFiles = readdirSync(join(ROOT, "templates"))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => `templates/${f}`);

describe("templates pass cfn-lint", () => {
  it("finds the four templates", () => {
    expect(templateFiles).toEqual([
      "templates/add-ep-b.yaml",
      "templates/create-ep-a.yaml",
      "templates/images.yaml",
      "templates/pipeline.yaml",
      "templates/shard.yaml",
    ]);
  });

  it("cfn-lint reports nothing (no error, warning or informational finding)", async () => {
    const result = await run("cfn-lint", ["--include-checks", "I", "--", ...templateFiles]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);

  it("rules are ignored only where the template explains why", () => {
    for (const file of templateFiles) {
      const text = readRepoFile(file);
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        if (!/ignore_checks|cfn-lint:/.test(line)) return;
        // A comment within the few lines above the ignore says why.
        const before = lines.slice(Math.max(0, i - 6), i).join("\n");
        expect(before, `${file}:${i + 1} ignores a rule without a comment`).toMatch(/#.*\S/);
      });
    }
  });
});

describe("buildspec/endpoint.yaml", () => {
  const text = readRepoFile("buildspec/endpoint.yaml");
  const spec = yaml.load(text) as {
    version: unknown;
    env?: { variables?: Record<string, unknown> };
    phases: Record<string, { commands: string[] }>;
  };

  it("is a version 0.2 buildspec", () => {
    expect(spec.version).toBe(0.2);
    expect(Object.keys(spec.phases)).toEqual(["pre_build", "build", "post_build"]);
  });

  it("does not edit files with sed", () => {
    expect(text).not.toMatch(/\bsed\b/);
  });

  it("has no placeholders to fill in by hand", () => {
    expect(text).not.toMatch(/<[a-z][a-z-]*>/);
  });

  it("takes its settings from the project's environment", () => {
    const commands = Object.values(spec.phases)
      .flatMap((p) => p.commands)
      .join("\n");
    for (const name of ["ECR_REPOSITORY_URI", "STACK_NAME", "DOCKER_CONTEXT", "DOCKERFILE", "CODEBUILD_RESOLVED_SOURCE_VERSION", "AWS_DEFAULT_REGION"]) {
      expect(commands).toContain(name);
    }
    expect(spec.env?.variables).toEqual({ DOCKER_CONTEXT: ".", DOCKERFILE: "Dockerfile" });
  });
});
