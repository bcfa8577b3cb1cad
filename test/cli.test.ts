/**
 * The built binary's help: every command lists the global options it uses
 * and two examples, so `mlops COMMAND --help` is enough to run it.
 */
import { describe, expect, it } from "vitest";
import { runMlops } from "./helpers/mlops.js";

const commands = ["render", "create-endpoint", "add-endpoint", "update", "status", "teardown"];
const globals = [
  "--region <region>",
  "--profile <name>",
  "--endpoint-url <url>",
  "-y, --yes",
  "--json",
  "--no-color",
  "--lock-timeout <minutes>",
  "--force-unlock",
];
const lease = ["--lock-timeout <minutes>", "--force-unlock"];
/** Global options a command has no use for, kept out of its help. */
const unused: Record<string, string[]> = {
  render: ["--profile <name>", "--endpoint-url <url>", "-y, --yes", ...lease],
  status: ["-y, --yes", ...lease],
};

/** The lines of one section of a help text ("Global Options:", "Examples:"). */
function section(help: string, title: string): string[] {
  const start = help.indexOf(`\n${title}\n`);
  if (start < 0) return [];
  const rest = help.slice(start + title.length + 2);
  const end = rest.search(/\n\n(?=\S)/);
  return (end < 0 ? rest : rest.slice(0, end)).split("\n").filter((line) => line.trim() !== "");
}

describe("--help", () => {
  for (const command of commands) {
    it(`${command} --help lists its global options and two examples`, async () => {
      const run = await runMlops([command, "--help"]);
      expect(run.code, run.stderr).toBe(0);
      const options = section(run.stdout, "Global Options:").join("\n");
      for (const flag of globals) {
        if (unused[command]?.includes(flag)) expect(options, `${command} should not list ${flag}`).not.toContain(flag);
        else expect(options, `${command} should list ${flag}`).toContain(flag);
      }
      const examples = section(run.stdout, "Examples:").filter((line) => line.trim().startsWith("$ "));
      expect(examples).toHaveLength(2);
      for (const example of examples) expect(example.trim()).toMatch(new RegExp(`^\\$ mlops ${command}( |$)`));
    });
  }

  it("mlops --help ends with examples", async () => {
    const run = await runMlops(["--help"]);
    expect(run.code).toBe(0);
    expect(section(run.stdout, "Examples:").filter((line) => line.trim().startsWith("$ mlops "))).toHaveLength(2);
  });

  it("update --help shows --tag as optional with its default", async () => {
    const run = await runMlops(["update", "--help"]);
    expect(run.stdout.replace(/\s+/g, " ")).toMatch(
      /--tag \[tag\] image tag \(default: tag-<git HEAD sha>, the pipeline's build of the checked-out commit, when it is in ECR, else the running image/,
    );
    expect(run.stdout).toMatch(/Usage: mlops update \[options\] <params>/);
  });
});

describe("a reader that closes the pipe early", () => {
  it("mlops --help | true ends quietly with status 0", async () => {
    const { spawnSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const bin = fileURLToPath(new URL("../bin/mlops.js", import.meta.url));
    // `true` exits without reading, so mlops writes into a closed pipe (EPIPE).
    const run = spawnSync("bash", ["-c", `"${process.execPath}" "${bin}" --help | true; exit \${PIPESTATUS[0]}`], { encoding: "utf8" });
    expect(run.stderr).not.toContain("EPIPE");
    expect(run.status).toBe(0);
  });
});
