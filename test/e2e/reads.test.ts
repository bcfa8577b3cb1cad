/**
 * add-endpoint and teardown ask each question once per run: every AWS request goes through a
 * counting proxy, and the reads of the kinds one run used to repeat (the endpoint's stack, the
 * region's exports, the account's certificates, the listener's certificates and rules) are
 * counted per operation. The first add-endpoint requests the host's certificate and waits for it;
 * after that wait the run reads again what it had read. The second finds the certificate issued.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { seededRandom, startSlowProxy, type SeenRequest } from "../helpers/servers.js";

let emulator: { url: string; stop(): Promise<void> };
let proxy: Awaited<ReturnType<typeof startSlowProxy>>;
/** Every request answered this late: reads sent side by side reach it within less than that of each other. */
const SLOW_MS = 150;
let slow: Awaited<ReturnType<typeof startSlowProxy>>;
let aws: ReturnType<typeof sdkClients>;
let dir: string;

/** The read operations counted, each with how many times a run may send it. */
const COUNTED = [
  "DescribeStacks",
  "ListStacks",
  "ListExports",
  "ListCertificates",
  "DescribeCertificate",
  "DescribeListenerCertificates",
  "DescribeRules",
] as const;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  proxy = await startSlowProxy(emulator.url, { minDelayMs: 0, maxDelayMs: 0, random: seededRandom(1) });
  slow = await startSlowProxy(emulator.url, { minDelayMs: SLOW_MS, maxDelayMs: SLOW_MS, random: seededRandom(1) });
  dir = mkdtempSync(join(tmpdir(), "mlops-reads-"));
  const withoutPipeline = (text: string) => text.replace(/\npipeline:[\s\S]*$/, "\n");
  writeFileSync(join(dir, "ep-a.yaml"), withoutPipeline(readFileSync("params/ep-a.yaml", "utf8")));
  writeFileSync(join(dir, "ep-b.yaml"), withoutPipeline(readFileSync("params/ep-b.yaml", "utf8")));
  const base = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
    runMlops(["create-endpoint", join(dir, "ep-a.yaml"), "--no-pipeline", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
  );
  expect(base.code, failure(base)).toBe(0);
});
afterAll(async () => {
  await proxy?.close();
  await slow?.close();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs mlops through a proxy; returns the requests it sent. */
async function sent(args: string[], pushes: { repository: string; tag: string }[], through = proxy): Promise<SeenRequest[]> {
  const from = through.requests.length;
  const run = await withPushes(aws.ecr, pushes, () => runMlops(args, { endpointUrl: through.url }));
  expect(run.code, failure(run)).toBe(0);
  return through.requests.slice(from);
}

/** The counted reads among requests, by operation. */
function countReads(requests: SeenRequest[]): Record<string, number> {
  return Object.fromEntries(COUNTED.map((operation) => [operation, requests.filter((r) => r.action === operation).length]));
}

async function counted(args: string[], pushes: { repository: string; tag: string }[] = []): Promise<Record<string, number>> {
  return countReads(await sent(args, pushes));
}

const addArgs = () => ["add-endpoint", join(dir, "ep-b.yaml"), "--no-pipeline", "--tag", "v1", "--yes"];
const addB = () => counted(addArgs(), [{ repository: "ep-b-prod", tag: "v1" }]);
const teardownB = () => counted(["teardown", join(dir, "ep-b.yaml"), "--yes"]);

describe("add-endpoint and teardown read each kind once per run", () => {
  it("add-endpoint requesting its certificate: the certificates listed once before the request, again once after the wait", async () => {
    const reads = await addB();
    // Issued and pending before the request (the plan's, which the certificate step reuses); issued after the wait.
    expect(reads.ListCertificates).toBe(3);
    // Before, the certificate step listed both again, and placement the issued ones once more: 5.
    // The listener's certificates: placement's, again after the wait, and read back once attached.
    expect(reads).toMatchObject({ ListStacks: 0, ListExports: 1, DescribeListenerCertificates: 3 });
    // DescribeStacks: as below, and the base's stack once more while waiting (its load balancer's idle timeout is read once by the plan).
    expect(reads.DescribeStacks).toBeLessThanOrEqual(10);
  });

  it("teardown: the stacks listed once, the stack read once before it is deleted, the listener from the stacks' outputs, its certificates named from one listing", async () => {
    const reads = await teardownB();
    // The listing (1), the stack before deleting it (1), following the deletion (1 here), the pipeline stack's lookup (1);
    // the images stack before deleting it (1) and following its deletion (1).
    expect(reads).toEqual({
      DescribeStacks: 6,
      ListStacks: 0,
      ListExports: 0,
      ListCertificates: 2,
      DescribeCertificate: 0,
      DescribeListenerCertificates: 1,
      DescribeRules: 0,
    });
  });

  it("add-endpoint with the certificate issued: each question once, the attachment read back, the stack read fresh after each change; the plan's independent reads side by side", async () => {
    const requests = await sent(addArgs(), [{ repository: "ep-b-prod", tag: "v1" }], slow);
    const reads = countReads(requests);
    // DescribeStacks: the plan's (which the first change set starts from), following the creation, the rollout's idle
    // check and its follow-up, the final check that the image deployed is the one running; and the base's stack, once, for the
    // idle timeout of the load balancer the endpoint shares (the plan warns when alarms.p95ResponseSeconds exceeds it); the images
    // stack: the plan's, the idle check before its change set (a stack operation forgot the plan's reads) and following its creation.
    expect(reads).toEqual({
      DescribeStacks: 9,
      ListStacks: 0,
      ListExports: 1,
      ListCertificates: 1,
      DescribeCertificate: 0,
      DescribeListenerCertificates: 2,
      DescribeRules: 1,
    });
    // The certificates, the account's load balancer quotas, the base's subnets, the kept file systems and log group: one round trip.
    const side = ["ListCertificates", "DescribeAccountLimits", "DescribeSubnets", "GET /2015-02-01/file-systems", "DescribeLogGroups"].map(
      (action) => requests.find((r) => r.action === action)?.at,
    );
    expect(
      side.every((at) => at !== undefined),
      JSON.stringify(side),
    ).toBe(true);
    const times = side as number[];
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(SLOW_MS);
    expect(await teardownB()).toMatchObject({ ListExports: 0, DescribeCertificate: 0 });
  });

  it("teardown --all: the region's file systems listed once for every endpoint and what earlier teardowns kept, the exports once", async () => {
    await addB();
    const requests = await sent(["teardown", "--all", "--yes"], []);
    // Before: one listing per endpoint and one more for what earlier teardowns kept (3), and the exports once for the base and once for B's listener (2).
    expect(requests.filter((r) => r.action === "GET /2015-02-01/file-systems")).toHaveLength(1);
    expect(countReads(requests)).toMatchObject({ ListExports: 1, DescribeCertificate: 0 });
  });
});
