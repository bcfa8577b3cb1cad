/**
 * The emulator correction stack-resource-lists (resources listed without identity, summaries without
 * LastUpdatedTimestamp), shown through the AWS SDK for JavaScript v3: the corrected behaviour on the shared
 * emulator (all corrections), and the wrong behaviour on an emulator started without it, so that each test can
 * fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeStackResourcesCommand, ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { type Aws, createStack, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("stack-resource-lists (resources listed without identity, summaries without LastUpdatedTimestamp)", () => {
  // StackResourceSummary and StackResource (CloudFormation API reference): logical id, type,
  // status and timestamp are required; a resource whose Condition is false is not created.
  const template = JSON.stringify({
    Parameters: { Make: { Type: "String", Default: "no" } },
    Conditions: { Wanted: { "Fn::Equals": [{ Ref: "Make" }, "yes"] } },
    Resources: {
      Queue: { Type: "AWS::SQS::Queue" },
      Maybe: { Type: "AWS::SNS::Topic", Condition: "Wanted" },
      Scaling: {
        Type: "AWS::ApplicationAutoScaling::ScalableTarget",
        Properties: { MaxCapacity: 2, MinCapacity: 1, ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount", ServiceNamespace: "ecs" },
      },
    },
  });
  const lists = async (a: Aws) => {
    const name = uniqueName("l");
    await createStack(a, name, template);
    const summaries = (await a.cf.send(new ListStackResourcesCommand({ StackName: name }))).StackResourceSummaries ?? [];
    const resources = (await a.cf.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? [];
    return { summaries, resources };
  };

  it("both lists name every created resource with type, status and timestamp, and leave out the false condition", async () => {
    const { summaries, resources } = await lists(main);
    expect(summaries.map((s) => [s.LogicalResourceId, s.ResourceType, s.ResourceStatus])).toEqual([
      ["Queue", "AWS::SQS::Queue", "CREATE_COMPLETE"],
      ["Scaling", "AWS::ApplicationAutoScaling::ScalableTarget", "CREATE_COMPLETE"],
    ]);
    expect(summaries.every((s) => s.LastUpdatedTimestamp instanceof Date)).toBe(true);
    expect(summaries[0]?.PhysicalResourceId).toMatch(/queue|sqs/i);
    expect(resources.map((r) => [r.LogicalResourceId, r.ResourceType])).toEqual([
      ["Queue", "AWS::SQS::Queue"],
      ["Scaling", "AWS::ApplicationAutoScaling::ScalableTarget"],
    ]);
    expect(resources.every((r) => r.Timestamp instanceof Date && r.ResourceStatus === "CREATE_COMPLETE")).toBe(true);
  });

  it("without it, summaries lack LastUpdatedTimestamp and resources moto did not create come without identity", async () => {
    const { summaries, resources } = await lists(withoutState);
    expect(summaries.some((s) => s.LastUpdatedTimestamp === undefined)).toBe(true);
    expect(resources.some((r) => r.LogicalResourceId === undefined)).toBe(true);
  });
});
