/**
 * The bundled CLI (dist/, built by `npm run build` before the tests): a
 * command loads only the code it runs, stack traces point at the TypeScript
 * sources, and the AWS SDK's Node-version warning stays out of users' output.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin/mlops.js");
const moduleLog = join(root, "test/helpers/module-log.mjs");
const endpoint = process.env.MLOPS_TEST_ENDPOINT;

/** Runs mlops and returns what it printed and the bundle files it loaded, with the AWS SDK clients among them. */
function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stderr: string; loaded: string[]; clients: string[] }> {
  const log = join(mkdtempSync(join(tmpdir(), "mlops-modules-")), "loaded.txt");
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    CI: "true",
    MLOPS_MODULE_LOG: log,
    ...env,
  };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", moduleLog, bin, ...args], { cwd: root, env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const loaded = readFileSync(log, "utf8")
        .split("\n")
        .filter((url) => url.includes("/dist/"));
      // Each SDK client names its package in its user agent.
      const clients = loaded.flatMap((url) =>
        [...readFileSync(fileURLToPath(url), "utf8").matchAll(/"@aws-sdk\/(client-[a-z0-9-]+)"/g)].map((m) => m[1] as string),
      );
      resolve({ code, stderr, loaded, clients: [...new Set(clients)].sort() });
    });
  });
}

describe("the bundled CLI", () => {
  it("loads no AWS SDK code for --version and --help", async () => {
    for (const args of [["--version"], ["--help"]]) {
      const result = await run(args);
      expect(result.code).toBe(0);
      expect(result.loaded.length).toBeGreaterThan(0);
      expect(result.clients, args[0]).toEqual([]);
      expect(result.loaded.some((url) => /smithy|aws-sdk/i.test(readFileSync(fileURLToPath(url), "utf8")))).toBe(false);
    }
  });

  it("loads no AWS SDK code for render", async () => {
    const out = mkdtempSync(join(tmpdir(), "mlops-render-"));
    const result = await run(["render", "params/ep-a.yaml", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.clients).toEqual([]);
  });

  it.skipIf(!endpoint)("loads only the clients status calls, and keeps the SDK's Node-version warning out", async () => {
    // The variable unset, as in a user's shell: mlops must keep the warning away itself.
    const result = await run(["status"], { MLOPS_ENDPOINT_URL: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    expect(result.code, result.stderr).toBe(0);
    expect(result.clients).toContain("client-cloudformation");
    // EC2 too, here: a region with no endpoint makes status look for them in the account's other regions (DescribeRegions).
    for (const unused of ["client-codebuild", "client-ssm", "client-sts"]) expect(result.clients).not.toContain(unused);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
  });

  it.skipIf(!endpoint)("loads the clients a command will call while it waits for its first answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-preload-"));
    const params = join(dir, "probe.yaml");
    writeFileSync(params, readFileSync(join(root, "params/ep-a.yaml"), "utf8").replace(/^project: ep-a$/m, "project: preload-probe"));
    // No such stack: update stops before it reads ECS, the load balancer, the logs or Route 53; their clients load all the same.
    // EC2 is the hint's: a stack missing from the region makes mlops look for it in the account's other regions.
    const result = await run(["update", params, "--tag", "v1", "--yes"], { MLOPS_ENDPOINT_URL: endpoint });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("no stack preload-probe-prod");
    expect(result.clients).toEqual([
      "client-cloudformation",
      "client-cloudwatch",
      "client-cloudwatch-logs",
      "client-ec2",
      "client-ecr",
      "client-ecs",
      "client-elastic-load-balancing-v2",
      "client-route-53",
      "client-ssm",
    ]);
  });

  it("maps stack traces to the TypeScript sources", async () => {
    const probe = `process.setSourceMapsEnabled(true);
      const { buildProgram } = await import(${JSON.stringify(join(root, "dist/cli.js"))});
      const program = buildProgram(() => { throw new Error("probe"); });
      await program.parseAsync(["node", "mlops", "status"]).catch((e) => process.stdout.write(e.stack));`;
    const stack = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", probe], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.on("error", reject);
      child.on("exit", () => resolve(out));
    });
    expect(stack).toMatch(/src\/cli\.ts:\d+:\d+/);
  });
});
