/**
 * The registry of emulator corrections (emulator/corrections/__init__.py): a
 * correction that builds on another says so in `REQUIRES`, and `--without`
 * leaves out, with it, every correction that requires it.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CORRECTIONS = `${ROOT}emulator/corrections/`;
const python = process.env.MLOPS_PYTHON ?? "python3";

/** Runs Python code with the corrections package importable; its stdout, or the test fails with its stderr. */
function runPython(code: string): string {
  const run = spawnSync(python, ["-c", code], { cwd: `${ROOT}emulator`, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** The corrections left out for each `without`, as the server computes them (one Python run: importing is slow). */
function leftOut(cases: string[][]): string[][] {
  return JSON.parse(
    runPython(`import json; from corrections import left_out; print(json.dumps([left_out(c) for c in ${JSON.stringify(cases)}]))`),
  ) as string[][];
}

describe("correction dependencies", () => {
  it("every correction that imports another declares it in REQUIRES", () => {
    const modules = readdirSync(CORRECTIONS).filter((file) => file.endsWith(".py") && !file.startsWith("_"));
    const source = (file: string) => readFileSync(`${CORRECTIONS}${file}`, "utf8");
    const nameOf = new Map(modules.map((file) => [file.replace(/\.py$/, ""), /^NAME = "([^"]+)"/m.exec(source(file))?.[1]]));
    const undeclared: string[] = [];
    for (const file of modules) {
      const text = source(file);
      const imported = new Set<string>();
      for (const match of text.matchAll(/from \. import ([\w, ]+)/g)) for (const name of match[1]!.split(",")) imported.add(name.trim());
      for (const match of text.matchAll(/from \.(\w+) import/g)) imported.add(match[1]!);
      const requires = /^REQUIRES = \(([^)]*)\)/m.exec(text)?.[1] ?? "";
      for (const module of imported) {
        if (!nameOf.has(module)) continue; // _common and other helpers
        if (!requires.includes(`"${nameOf.get(module)}"`)) undeclared.push(`${nameOf.get(file.replace(/\.py$/, ""))} imports ${nameOf.get(module)}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it("leaving out a correction also leaves out those that require it, in the order they are applied", () => {
    expect(leftOut([["service-rollout"], ["service-deployments"], ["pipeline-dates", "target-health"], ["deployment-alarms"], []])).toEqual([
      ["service-rollout", "deployment-alarms"],
      ["service-deployments", "deployment-alarms"],
      ["target-health", "pipeline-dates", "pipeline-executions", "ecs-traffic-shift", "build-duration"],
      ["deployment-alarms"],
      [],
    ]);
  });

  it("refuses an unknown name, and a requirement that is not an earlier correction", () => {
    const refused = (code: string) => spawnSync(python, ["-c", code], { cwd: `${ROOT}emulator`, encoding: "utf8" });
    expect(refused("from corrections import left_out; left_out(['no-such'])").stderr).toMatch(/ValueError: unknown correction\(s\): no-such \(known: /);
    const misordered = refused(
      [
        "import corrections",
        "from corrections import left_out",
        "corrections.MODULES.remove('service_rollout')",
        "corrections.MODULES.append('service_rollout')",
        "left_out([])",
      ].join("\n"),
    );
    expect(misordered.stderr).toMatch(/ValueError: deployment-alarms requires service-rollout, which is not a correction listed before it/);
  });

  it("--list names what each correction requires", () => {
    const listed = spawnSync(python, [`${ROOT}emulator/server.py`, "--list"], { encoding: "utf8" });
    expect(listed.stdout).toMatch(/^deployment-alarms +item +3 .*\(requires service-rollout, service-deployments\)$/m);
  });
});
