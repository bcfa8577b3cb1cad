/**
 * The emulator correction resource-events (moto gap 5: only stack-level events), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand, DescribeStackEventsCommand, UpdateStackCommand } from "@aws-sdk/client-cloudformation";
import { type Aws, createStack, describeStack, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("resource-events (moto gap 5: only stack-level events)", () => {
  const twoQueues = JSON.stringify({ Resources: { First: { Type: "AWS::SQS::Queue" }, Second: { Type: "AWS::SNS::Topic" } } });
  const events = async (a: Aws, name: string) =>
    ((await a.cf.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [])
      .map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)
      .reverse();

  it("create and delete list each resource's IN_PROGRESS and COMPLETE events between the stack's own", async () => {
    const name = uniqueName("ev");
    await createStack(main, name, twoQueues);
    expect(await events(main, name)).toEqual([
      `${name} CREATE_IN_PROGRESS`,
      "First CREATE_IN_PROGRESS",
      "First CREATE_COMPLETE",
      "Second CREATE_IN_PROGRESS",
      "Second CREATE_COMPLETE",
      `${name} CREATE_COMPLETE`,
    ]);
    const id = (await describeStack(main, name)).StackId!;
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    expect((await events(main, id)).slice(6)).toEqual([
      `${name} DELETE_IN_PROGRESS`,
      "Second DELETE_IN_PROGRESS",
      "Second DELETE_COMPLETE",
      "First DELETE_IN_PROGRESS",
      "First DELETE_COMPLETE",
      `${name} DELETE_COMPLETE`,
    ]);
  });

  it("a delete reports a resource its DeletionPolicy retains as DELETE_SKIPPED, as CloudFormation does", async () => {
    const name = uniqueName("ev");
    const kept = JSON.stringify({ Resources: { Kept: { Type: "AWS::SQS::Queue", DeletionPolicy: "Retain" }, Gone: { Type: "AWS::SNS::Topic" } } });
    await createStack(main, name, kept);
    const id = (await describeStack(main, name)).StackId!;
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    expect((await events(main, id)).slice(6)).toEqual([
      `${name} DELETE_IN_PROGRESS`,
      "Gone DELETE_IN_PROGRESS",
      "Gone DELETE_COMPLETE",
      "Kept DELETE_SKIPPED",
      `${name} DELETE_COMPLETE`,
    ]);
  });

  it("an update lists the resources it added, changed and removed", async () => {
    const name = uniqueName("ev");
    await createStack(main, name, twoQueues);
    const changed = JSON.stringify({ Resources: { First: { Type: "AWS::SQS::Queue", Properties: { DelaySeconds: 5 } }, Third: { Type: "AWS::SNS::Topic" } } });
    await main.cf.send(new UpdateStackCommand({ StackName: name, TemplateBody: changed }));
    expect((await events(main, name)).slice(6)).toEqual([
      `${name} UPDATE_IN_PROGRESS`,
      "First UPDATE_IN_PROGRESS",
      "First UPDATE_COMPLETE",
      "Third CREATE_IN_PROGRESS",
      "Third CREATE_COMPLETE",
      "Second DELETE_IN_PROGRESS",
      "Second DELETE_COMPLETE",
      `${name} UPDATE_COMPLETE`,
    ]);
  });

  it("without it, a create lists only the stack's two events", async () => {
    const name = uniqueName("ev");
    await createStack(withoutState, name, twoQueues);
    expect(await events(withoutState, name)).toEqual([`${name} CREATE_IN_PROGRESS`, `${name} CREATE_COMPLETE`]);
  });
});
