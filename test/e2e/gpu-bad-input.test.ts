/** Bad GPU parameters exit 2 naming the field, with no AWS call (a server counts requests). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMlops } from "../helpers/mlops.js";
import { startCountingServer } from "../helpers/servers.js";

let counter: Awaited<ReturnType<typeof startCountingServer>>;
let dir: string;

beforeAll(async () => {
  counter = await startCountingServer();
  dir = mkdtempSync(join(tmpdir(), "mlops-gpu-bad-"));
});
afterAll(async () => {
  await counter.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ep-gpu.yaml with one replacement, written to a file of its own. */
function variant(name: string, from: string, to: string): string {
  const text = readFileSync("params/ep-gpu.yaml", "utf8");
  if (!text.includes(from)) throw new Error(`ep-gpu.yaml has no "${from}"`);
  const file = join(dir, name);
  writeFileSync(file, text.replace(from, to));
  return file;
}

describe("bad GPU parameters", () => {
  const cases = () => [
    {
      name: "more GPUs than the instance type has",
      args: ["add-endpoint", variant("gpus.yaml", "gpus: 1", "gpus: 2"), "--yes"],
      expect: /compute\.instanceTypes\[0\]: g6\.xlarge has 1 GPU\(s\), fewer than compute\.gpus \(2\)/,
    },
    {
      name: "an instance type mlops does not know",
      args: ["add-endpoint", variant("type.yaml", "[g6.xlarge, g5.xlarge]", "[g6.xlarge, g5.huge]"), "--yes"],
      expect: /compute\.instanceTypes\[1\]: "g5\.huge" is not in mlops's table/,
    },
    {
      name: "a task larger than the instances",
      args: ["update", variant("memory.yaml", "memory: 12GB", "memory: 16GB"), "--tag", "v1", "--yes"],
      expect: /g6\.xlarge has 16 GiB of memory, which must be more than container\.memory/,
    },
    {
      // 6144 is no Fargate size but a valid task size on EC2 instances: what is refused is the fit, not the size.
      name: "a CPU size beyond the instance types' vCPUs",
      args: ["add-endpoint", variant("cpu.yaml", "cpu: 2048", "cpu: 6144"), "--yes"],
      expect: /compute\.instanceTypes\[0\]: g6\.xlarge has 4 vCPUs \(4096 CPU units\), fewer than container\.cpu \(6144\)/,
      absent: /Fargate CPU size/,
    },
    {
      name: "a region without ECS Managed Instances",
      args: ["add-endpoint", "params/ep-gpu.yaml", "--region", "eu-isoe-west-1", "--yes"],
      expect: /compute\.type: Amazon ECS Managed Instances, .* not offered in eu-isoe-west-1/,
    },
  ];

  it("each exits 2 with the field named, and no AWS call", async () => {
    for (const c of cases()) {
      const before = counter.count();
      const run = await runMlops(c.args, { endpointUrl: counter.url });
      expect(run.code, `${c.name}: ${run.stderr}`).toBe(2);
      expect(run.stderr, c.name).toMatch(c.expect);
      if (c.absent !== undefined) expect(run.stderr, c.name).not.toMatch(c.absent);
      expect(counter.count(), c.name).toBe(before);
    }
  });
});
