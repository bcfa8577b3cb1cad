/**
 * Replacements on the emulator as on AWS (its change sets carry Replacement,
 * see the change-set-replacement correction): a change that replaces a file
 * system is named and refused without --yes (even when the user answers yes
 * at the prompt).
 * And the EFS rule of an endpoint's tasks, lost with a failed update of the
 * base, is put back by the next create or update.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsClients } from "../../src/aws/clients.js";
import { systemClock } from "../../src/deploy/engine/clock.js";
import { deployStack } from "../../src/deploy/engine/stack.js";
import { DeclinedError } from "../../src/errors.js";
import { InteractiveMemoryOutput } from "../fakes/output.js";
import { pushImage, sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { startEmulator, type RunningEmulator } from "../setup/emulator-process.js";

process.env.AWS_ACCESS_KEY_ID ??= "test";
process.env.AWS_SECRET_ACCESS_KEY ??= "test";

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;

async function baseStack() {
  return (await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod" }))).Stacks?.[0];
}

/** The security group ids the NFS rule joins. */
async function nfsRule() {
  const outputs = Object.fromEntries(((await baseStack())?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const group = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [outputs.EfsSecurityGroupId!] }))).SecurityGroups?.[0];
  const pairs = (group?.IpPermissions ?? []).filter((p) => p.FromPort === 2049).flatMap((p) => p.UserIdGroupPairs ?? []);
  return {
    efsGroup: outputs.EfsSecurityGroupId!,
    taskGroup: outputs.TaskSecurityGroupId!,
    admitted: pairs.some((p) => p.GroupId === outputs.TaskSecurityGroupId),
  };
}

/** What a failed update of the base did on AWS: both port-2049 rules gone. */
async function loseNfsRule(): Promise<void> {
  const rule = await nfsRule();
  const group = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [rule.efsGroup] }))).SecurityGroups?.[0];
  const permissions = (group?.IpPermissions ?? []).filter((p) => p.FromPort === 2049);
  await aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: rule.efsGroup, IpPermissions: permissions }));
  expect((await nfsRule()).admitted).toBe(false);
}

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  const run = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
    runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], { endpointUrl: emulator.url }),
  );
  expect(run.code, failure(run)).toBe(0);
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
});

describe("a replacement that deletes data", () => {
  it("is previewed as Replacement: True, named, and refused without --yes even when the prompt is answered yes; with --yes it goes ahead", async () => {
    const clients = await createAwsClients({ region: "us-east-1", endpointUrl: emulator.url, retry: { budgetMs: 0, requestTimeoutMs: 10_000 } });
    // An unnamed file system (no fixed name to refuse it on): PerformanceMode is create-only.
    const template = JSON.stringify({
      Parameters: { Mode: { Type: "String" } },
      Resources: { Data: { Type: "AWS::EFS::FileSystem", Properties: { PerformanceMode: { Ref: "Mode" }, Encrypted: true } } },
    });
    const spec = (mode: string) => ({ stackName: "mlops-replace-efs", templateBody: template, parameters: { Mode: mode }, tags: {} });
    const quiet = { cfn: clients.cloudFormation, clock: systemClock, pollIntervalMs: 50 };
    expect((await deployStack(spec("generalPurpose"), { ...quiet, out: new InteractiveMemoryOutput(), assumeYes: true })).kind).toBe("created");

    const out = new InteractiveMemoryOutput([true, true, true]);
    const refused = deployStack(spec("maxIO"), { ...quiet, out, assumeYes: false });
    await expect(refused).rejects.toThrow(DeclinedError);
    await expect(refused).rejects.toThrow("Stack mlops-replace-efs: this change replaces Data, which deletes data; nothing was changed.");
    const shown = out.lines.join("\n");
    expect(shown).toMatch(/Data\s+AWS::EFS::FileSystem\s+True/);
    expect(shown).toContain("REPLACEMENT DELETES DATA: Data (AWS::EFS::FileSystem) is replaced: the old one and its data are deleted.");
    expect(shown).not.toContain("confirm: Apply these changes");
    const stack = (await clients.cloudFormation.describeStacks({ StackName: "mlops-replace-efs" })).Stacks?.[0];
    expect(stack?.Parameters?.find((p) => p.ParameterKey === "Mode")?.ParameterValue).toBe("generalPurpose");

    expect((await deployStack(spec("maxIO"), { ...quiet, out: new InteractiveMemoryOutput(), assumeYes: true })).kind).toBe("updated");
  }, 120_000);
});

describe("the EFS rule lost with a failed update of the base", () => {
  it("is put back by the next update", async () => {
    await loseNfsRule();
    await pushImage(aws.ecr, "ep-a-prod", "v2");
    const run = await runMlops(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("EFS security group now admits ep-a-prod's tasks on 2049");
    expect((await nfsRule()).admitted).toBe(true);
  }, 120_000);

  it("is put back by the next create-endpoint, even with nothing else to change", async () => {
    await loseNfsRule();
    const run = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v2", "--yes", "--no-pipeline"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("EFS security group now admits ep-a-prod's tasks on 2049");
    expect((await nfsRule()).admitted).toBe(true);
  }, 120_000);
});

describe("teardown counts only what happened", () => {
  it("a second teardown --all deletes nothing and counts the file systems it keeps", async () => {
    const first = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(first.code, failure(first)).toBe(0);
    // The endpoint's stack and its images stack.
    expect(first.stdout).toMatch(/^Deleted 2 stacks, .*; kept 2 EFS file systems\b/m);
    const again = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(again.code, failure(again)).toBe(0);
    expect(again.stdout).toMatch(/^Deleted 0 stacks, .*; kept 2 EFS file systems\b/m);
    expect(again.stderr).not.toMatch(/Deleted pipeline/);
  }, 120_000);
});
