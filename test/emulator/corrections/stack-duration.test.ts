/**
 * stack-duration: with `--stack-seconds N` a created stack that creates a slow resource type (here
 * a NAT gateway) reads CREATE_IN_PROGRESS for N seconds (CreateStack and a CREATE change set
 * alike), then CREATE_COMPLETE; a stack of only an ECR repository is complete at once, as are all
 * stacks without the correction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";
import { natGatewayTemplate, repositoryTemplate } from "../fixtures.js";

const SECONDS = 3;

function cloudFormation(url: string) {
  return new CloudFormationClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
}
const statusOf = async (cf: CloudFormationClient, name: string) => (await cf.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus;

async function throughChangeSet(cf: CloudFormationClient, name: string, body: string): Promise<void> {
  const created = await cf.send(new CreateChangeSetCommand({ StackName: name, ChangeSetName: "create", ChangeSetType: "CREATE", TemplateBody: body }));
  await cf.send(new DescribeChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
  await cf.send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: created.Id! }));
}

let withIt: RunningEmulator;
let withoutIt: RunningEmulator;
beforeAll(async () => {
  [withIt, withoutIt] = await Promise.all([startEmulator({ stackSeconds: SECONDS }), startEmulator({ stackSeconds: SECONDS, without: ["stack-duration"] })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([withIt?.stop(), withoutIt?.stop()]);
});

describe("stack-duration (a slow stack's creation lasts --stack-seconds)", () => {
  it("a stack with a NAT gateway reads CREATE_IN_PROGRESS after CreateStack and a CREATE change set, then CREATE_COMPLETE; an update is not slowed", async () => {
    const cf = cloudFormation(withIt.url);
    await cf.send(new CreateStackCommand({ StackName: "sd-direct", TemplateBody: natGatewayTemplate() }));
    await throughChangeSet(cf, "sd-change-set", natGatewayTemplate());
    expect(await statusOf(cf, "sd-direct")).toBe("CREATE_IN_PROGRESS");
    expect(await statusOf(cf, "sd-change-set")).toBe("CREATE_IN_PROGRESS");
    let last: string | undefined;
    for (let i = 0; i < 100 && (last = await statusOf(cf, "sd-change-set")) === "CREATE_IN_PROGRESS"; i++) await new Promise((r) => setTimeout(r, 200));
    expect(last).toBe("CREATE_COMPLETE");
    expect(await statusOf(cf, "sd-direct")).toBe("CREATE_COMPLETE");
    await cf.send(
      new UpdateStackCommand({ StackName: "sd-change-set", UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Suffix", ParameterValue: "two" }] }),
    );
    expect(await statusOf(cf, "sd-change-set")).toBe("UPDATE_COMPLETE");
  }, 60_000);

  it("a stack of only an ECR repository is complete at once, by CreateStack and by a change set", async () => {
    const cf = cloudFormation(withIt.url);
    await cf.send(new CreateStackCommand({ StackName: "sd-repo-direct", TemplateBody: repositoryTemplate() }));
    await throughChangeSet(cf, "sd-repo-change-set", repositoryTemplate());
    expect(await statusOf(cf, "sd-repo-direct")).toBe("CREATE_COMPLETE");
    expect(await statusOf(cf, "sd-repo-change-set")).toBe("CREATE_COMPLETE");
  }, 60_000);

  it("without it, a created stack is complete at once, also one with a NAT gateway", async () => {
    const cf = cloudFormation(withoutIt.url);
    await cf.send(new CreateStackCommand({ StackName: "sd-direct", TemplateBody: natGatewayTemplate() }));
    await throughChangeSet(cf, "sd-change-set", natGatewayTemplate());
    expect(await statusOf(cf, "sd-direct")).toBe("CREATE_COMPLETE");
    expect(await statusOf(cf, "sd-change-set")).toBe("CREATE_COMPLETE");
  }, 60_000);
});
