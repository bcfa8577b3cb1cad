/**
 * stack-last-updated (emulator/corrections/stack_last_updated.py): DescribeStacks answers
 * LastUpdatedTime once a stack has been updated ("This field will only be returned if the
 * stack has been updated at least once", CloudFormation API reference, Stack), which
 * `mlops status NAME` shows as the time of the last operation. Shown on the shared emulator,
 * and the wrong answer on one started without the correction.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type ChangeSetType,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { gatewayTemplate } from "../fixtures.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const client = (url: string) => new CloudFormationClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const run = Math.random().toString(36).slice(2, 7);
let counter = 0;
const uniqueName = (tag: string) => `e${run}${tag}${++counter}`;

async function throughChangeSet(cf: CloudFormationClient, name: string, type: ChangeSetType, suffix: string): Promise<Stack> {
  const created = await cf.send(
    new CreateChangeSetCommand({
      StackName: name,
      ChangeSetName: `cs-${++counter}`,
      ChangeSetType: type,
      TemplateBody: gatewayTemplate(),
      Parameters: [{ ParameterKey: "Suffix", ParameterValue: suffix }],
    }),
  );
  await cf.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  await cf.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  return (await cf.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
}

const main = client(inject("emulatorUrl"));
let without: RunningEmulator;

beforeAll(async () => {
  without = await startEmulator({ without: ["stack-last-updated"] });
});

afterAll(async () => {
  await without?.stop();
});

describe("stack-last-updated (DescribeStacks' LastUpdatedTime)", () => {
  it("a new stack has none; an update sets it, at or after the creation", async () => {
    const name = uniqueName("lu");
    const created = await throughChangeSet(main, name, "CREATE", "one");
    expect(created.LastUpdatedTime).toBeUndefined();
    const updated = await throughChangeSet(main, name, "UPDATE", "two");
    expect(updated.StackStatus).toBe("UPDATE_COMPLETE");
    expect(updated.LastUpdatedTime).toBeInstanceOf(Date);
    expect(updated.LastUpdatedTime!.getTime()).toBeGreaterThanOrEqual(created.CreationTime!.getTime());
    const again = await throughChangeSet(main, name, "UPDATE", "three");
    expect(again.LastUpdatedTime!.getTime()).toBeGreaterThanOrEqual(updated.LastUpdatedTime!.getTime());
  });

  it("without it, an updated stack has no LastUpdatedTime", async () => {
    const cf = client(without.url);
    const name = uniqueName("lu");
    await throughChangeSet(cf, name, "CREATE", "one");
    const updated = await throughChangeSet(cf, name, "UPDATE", "two");
    expect(updated.StackStatus).toBe("UPDATE_COMPLETE");
    expect(updated.LastUpdatedTime).toBeUndefined();
  });
});
