/**
 * The emulator correction scheduler-schedule (AWS::Scheduler::Schedule has no model), shown through the AWS SDK
 * for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour
 * on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand } from "@aws-sdk/client-cloudformation";
import { type Aws, createStack, emulatorWithout, main, scheduleOf, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("scheduler-schedule (AWS::Scheduler::Schedule has no model)", () => {
  const scheduleTemplate = (name: string) =>
    JSON.stringify({
      Resources: {
        Schedule: {
          Type: "AWS::Scheduler::Schedule",
          Properties: {
            Name: name,
            ScheduleExpression: "rate(3 minutes)",
            FlexibleTimeWindow: { Mode: "OFF" },
            Target: { Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c", RoleArn: "arn:aws:iam::123456789012:role/r" },
          },
        },
      },
    });

  it("a stack's schedule exists with its expression and target, and goes with the stack", async () => {
    const name = uniqueName("sch");
    await createStack(main, name, scheduleTemplate(name));
    expect(await scheduleOf(main, name)).toMatchObject({
      ScheduleExpression: "rate(3 minutes)",
      Target: { Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/c" },
    });
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    expect(await scheduleOf(main, name)).toBeUndefined();
  });

  it("without it, the stack is created but no schedule exists", async () => {
    const name = uniqueName("sch");
    await createStack(withoutState, name, scheduleTemplate(name));
    expect(await scheduleOf(withoutState, name)).toBeUndefined();
  });
});
