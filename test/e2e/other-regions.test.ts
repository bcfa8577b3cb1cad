/**
 * A stack missing from the region the user chose: the message names the region where the account's mlops
 * endpoints are (the emulator serves every region on one endpoint, and lists them in EC2 DescribeRegions),
 * with the same exit code as without that hint and no change anywhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let dir: string;
/** The demo's region, where the base is; the other is where the user looks by mistake. */
const HOME = "us-east-1";
const OTHER = "eu-west-1";

beforeAll(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "mlops-regions-"));
  const withoutPipeline = (text: string) => text.replace(/\npipeline:[\s\S]*$/, "\n");
  writeFileSync(join(dir, "ep-a.yaml"), withoutPipeline(readFileSync("params/ep-a.yaml", "utf8")));
  writeFileSync(join(dir, "ep-b.yaml"), withoutPipeline(readFileSync("params/ep-b.yaml", "utf8")));
  const aws = sdkClients(emulator.url);
  const base = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
    runMlops(["create-endpoint", join(dir, "ep-a.yaml"), "--no-pipeline", "--tag", "v1", "--yes", "--region", HOME], { endpointUrl: emulator.url }),
  );
  expect(base.code, failure(base)).toBe(0);
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The stacks of a region, as the emulator holds them. */
async function stackNames(region: string): Promise<string[]> {
  const cfn = new CloudFormationClient({ region, endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const answer = await cfn.send(new DescribeStacksCommand({}));
  return (answer.Stacks ?? []).filter((s) => s.StackStatus !== "DELETE_COMPLETE").map((s) => s.StackName ?? "");
}

describe("a stack missing from the chosen region", () => {
  it("add-endpoint with --region of another region: bad input (exit 2), naming the region where the base is; nothing created", async () => {
    const before = await stackNames(OTHER);
    const run = await runMlops(["add-endpoint", join(dir, "ep-b.yaml"), "--no-pipeline", "--tag", "v1", "--yes", "--region", OTHER], {
      endpointUrl: emulator.url,
    });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain(`no base endpoint ep-a-prod in region ${OTHER} (from --region)`);
    expect(run.stderr).toContain(`mlops endpoints were found in ${HOME} (ep-a-prod)`);
    expect(run.stderr).toContain(`Run again with --region ${HOME}, where ep-a-prod is; if the name is wrong, fix it; otherwise create the base first`);
    // Every region the emulator lists can be read, those the SDK does not know included (it lists them, so they are used as named).
    expect(run.stderr).not.toContain("could not be read");
    expect(run.stderr).not.toContain("MaxListenersExceededWarning");
    expect(await stackNames(OTHER)).toEqual(before);
    expect(await stackNames(HOME)).not.toContain("ep-b-prod");
  });

  it("status NAME in another region: the same exit code as before (2), naming where the endpoint is", async () => {
    const run = await runMlops(["status", "ep-a", "--region", OTHER], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain(`no endpoint named ep-a in ${OTHER} (from --region); no endpoints there at all`);
    expect(run.stderr).toContain(`mlops endpoints were found in ${HOME} (ep-a-prod)`);
    expect(run.stderr).toContain(`Run again with --region ${HOME}, where ep-a is; otherwise give the project`);
  });

  it("teardown FILE in another region: nothing to tear down (exit 0), and where the endpoints are", async () => {
    const run = await runMlops(["teardown", join(dir, "ep-b.yaml"), "--yes", "--region", OTHER], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("Nothing to tear down.");
    expect(run.stderr).toContain(`No stack in ${OTHER} (from --region); mlops endpoints were found in ${HOME} (ep-a-prod).`);
    expect(await stackNames(HOME)).toContain("ep-a-prod");
  });

  it("logs in another region: the same exit code as before (1), naming where the endpoints are", async () => {
    const run = await runMlops(["logs", join(dir, "ep-b.yaml"), "--region", OTHER], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(1);
    expect(run.stderr).toContain(
      "Log group /mlops/ep-b-prod does not exist: CloudWatch Logs FilterLogEvents: The specified log group does not exist; mlops endpoints",
    );
    expect(run.stderr).toContain(`mlops endpoints were found in ${HOME} (ep-a-prod)`);
  });

  it("status in a region with no endpoint: exit 0, and where the endpoints are", async () => {
    const run = await runMlops(["status", "--region", OTHER], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout).toContain(`No endpoints managed by mlops in ${OTHER} (from --region); mlops endpoints were found in ${HOME} (ep-a-prod).`);
  });
});
