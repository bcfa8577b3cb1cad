/**
 * AWS-side failures on the emulator: the root cause is shown, the exit code
 * is 1, and the next run recovers. Teardown never deletes without consent.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { startEmulator } from "../setup/emulator-process.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  const controller = new AbortController();
  const pushing = pushWhenRepositoryExists(aws.ecr, "ep-a-prod", "v1", controller.signal);
  const run = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
  if (run.code !== 0) throw new Error(`base endpoint was not created:\n${run.stderr}`);
});
afterAll(async () => {
  await emulator?.stop();
});

/** ep-b.yaml with some lines changed, written to a temporary file. */
function variantOfB(edit: (text: string) => string): string {
  const text = readFileSync(fileURLToPath(new URL("../../params/ep-b.yaml", import.meta.url)), "utf8");
  const file = join(mkdtempSync(join(tmpdir(), "mlops-failures-")), "ep-b.yaml");
  writeFileSync(file, edit(text));
  return file;
}

describe("a stack that fails to create", () => {
  it("shows the root cause, exits 1, and the next run recovers", async () => {
    // Priority 1 is the base endpoint's own rule: the load balancer refuses it.
    const clash = variantOfB((t) => t.replace(/^api:\n/m, "api:\n  listenerPriority: 1\n"));
    const failed = await runMlops(["add-endpoint", clash, "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url });
    expect(failed.code, failure(failed)).toBe(1);
    expect(failed.stderr).toMatch(/Priority/i);
    expect(failed.stderr).toMatch(/ROLLBACK_COMPLETE|run.*again/i);
    const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-b-prod" }))).Stacks?.[0];
    expect(stack?.StackStatus).toBe("ROLLBACK_COMPLETE");

    const controller = new AbortController();
    const pushing = pushWhenRepositoryExists(aws.ecr, "ep-b-prod", "v1", controller.signal);
    const fixed = await runMlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url });
    controller.abort();
    await pushing;
    expect(fixed.code, failure(fixed)).toBe(0);
    const recovered = (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-b-prod" }))).Stacks?.[0];
    expect(recovered?.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
  });

  it("an added endpoint whose base does not exist is bad input: exit 2, names the field", async () => {
    const orphan = variantOfB((t) => t.replace(/^base: .*$/m, "base: no-such-base"));
    const run = await runMlops(["add-endpoint", orphan, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain(`${orphan}: base: no base endpoint no-such-base-prod`);
    // Where the bases are, and a wrong region named as a cause before "create the base first".
    expect(run.stderr).toMatch(/; base endpoints in us-east-1: ep-a-prod\b/);
    expect(run.stderr).toMatch(/If the base is in another region, pass that region \(--region; npx mlops status --region REGION lists the endpoints there\)/);
  });
});

describe("consent", () => {
  it("off a terminal without --yes, update refuses before any change", async () => {
    const run = await runMlops(["update", "params/ep-a.yaml", "--tag", "v1"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("--yes");
  });

  it("off a terminal without --yes, teardown deletes nothing and says how to confirm", async () => {
    const run = await runMlops(["teardown", "--all"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("--yes");
    const stacks = (await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
    expect(stacks.map((s) => s.StackName).sort()).toEqual(["ep-a-prod", "ep-a-prod-images", "ep-b-prod", "ep-b-prod-images"]);
    const repositories = (await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repositories.length).toBe(2);
  });

  it("an interrupted teardown finishes when run again", async () => {
    // The first run is cut short after the added endpoint: simulated by tearing down B alone.
    const first = await runMlops(["teardown", "params/ep-b.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(first.code, failure(first)).toBe(0);
    const second = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(second.code, failure(second)).toBe(0);
    const third = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(third.code, failure(third)).toBe(0);
    expect(third.stderr).toContain("Nothing to tear down");
    const stacks = ((await aws.cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE");
    expect(stacks).toEqual([]);
  });
});
