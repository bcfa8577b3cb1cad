/**
 * A second create-endpoint with the same file and tag finds nothing to change: its plan says
 * so, and the run sends no change request to CloudFormation. Every request goes through a
 * counting proxy; the stack changes counted are change sets and stack updates.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { seededRandom, startSlowProxy } from "../helpers/servers.js";

let emulator: { url: string; stop(): Promise<void> };
let proxy: Awaited<ReturnType<typeof startSlowProxy>>;
let aws: ReturnType<typeof sdkClients>;
let dir: string;

/** The CloudFormation calls that change a stack. */
const STACK_CHANGES = ["CreateChangeSet", "ExecuteChangeSet", "UpdateStack", "CreateStack"];

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  proxy = await startSlowProxy(emulator.url, { minDelayMs: 0, maxDelayMs: 0, random: seededRandom(1) });
  dir = mkdtempSync(join(tmpdir(), "mlops-rerun-"));
  writeFileSync(join(dir, "ep-a.yaml"), readFileSync("params/ep-a.yaml", "utf8").replace(/\npipeline:[\s\S]*$/, "\n"));
});
afterAll(async () => {
  await proxy?.close();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const create = () => ["create-endpoint", join(dir, "ep-a.yaml"), "--no-pipeline", "--tag", "v1", "--yes"];

describe("create-endpoint run again with nothing to change", () => {
  it("plans no changes and sends no change set or stack update", async () => {
    const first = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () => runMlops(create(), { endpointUrl: emulator.url }));
    expect(first.code, failure(first)).toBe(0);

    const from = proxy.requests.length;
    const again = await runMlops(create(), { endpointUrl: proxy.url });
    expect(again.code, failure(again)).toBe(0);
    expect(again.stderr + again.stdout).toContain("Stack ep-a-prod: no changes");
    const changes = proxy.requests
      .slice(from)
      .filter((r) => STACK_CHANGES.includes(r.action))
      .map((r) => r.action);
    expect(changes).toEqual([]);
  });

  it("still sends the change when the file changes something", async () => {
    writeFileSync(join(dir, "ep-a.yaml"), readFileSync(join(dir, "ep-a.yaml"), "utf8").replace("cpuTarget: 60", "cpuTarget: 65"));
    const from = proxy.requests.length;
    const run = await runMlops(create(), { endpointUrl: proxy.url });
    expect(run.code, failure(run)).toBe(0);
    const actions = proxy.requests.slice(from).map((r) => r.action);
    expect(actions).toContain("ExecuteChangeSet");
  });
});
