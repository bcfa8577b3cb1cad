import type { StackEvent } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import { describeFailure, findRootCause, formatRootCause, isStackEvent, nestedStackIds, resourceFailures } from "../../../src/deploy/engine/root-cause.js";

const stackId = "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a/1";
let seq = 0;

/** Emulators send events lacking fields the SDK's type calls required. */
function partial(event: Partial<StackEvent>): StackEvent {
  return event as StackEvent;
}

function stackEvent(status: string, reason?: string, id = stackId, name = "ep-a"): StackEvent {
  return {
    StackId: id,
    StackName: name,
    EventId: `e${++seq}`,
    Timestamp: new Date(seq * 1000),
    LogicalResourceId: name,
    PhysicalResourceId: id,
    ResourceType: "AWS::CloudFormation::Stack",
    ResourceStatus: status as StackEvent["ResourceStatus"],
    ResourceStatusReason: reason,
  };
}

function resource(logicalId: string, type: string, status: string, reason?: string, physicalId?: string, id = stackId): StackEvent {
  return {
    StackId: id,
    StackName: "ep-a",
    EventId: `e${++seq}`,
    Timestamp: new Date(seq * 1000),
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceType: type,
    ResourceStatus: status as StackEvent["ResourceStatus"],
    ResourceStatusReason: reason,
  };
}

describe("isStackEvent", () => {
  it("tells the stack's own events from its resources'", () => {
    expect(isStackEvent(stackEvent("CREATE_IN_PROGRESS"))).toBe(true);
    expect(isStackEvent(resource("Service", "AWS::ECS::Service", "CREATE_FAILED"))).toBe(false);
    expect(isStackEvent(resource("Nested", "AWS::CloudFormation::Stack", "CREATE_FAILED", "x", "arn:nested"))).toBe(false);
  });

  it("recognises an emulator's stack event without ids", () => {
    expect(isStackEvent(partial({ StackName: "ep-a", LogicalResourceId: "ep-a", ResourceStatus: "CREATE_COMPLETE" }))).toBe(true);
    expect(isStackEvent(partial({ StackName: "ep-a", LogicalResourceId: "", ResourceType: "", ResourceStatus: "CREATE_COMPLETE" }))).toBe(false);
  });
});

describe("findRootCause", () => {
  it("names the first failed resource, skipping cancellations and the stack's own events", () => {
    const events = [
      stackEvent("CREATE_IN_PROGRESS", "User Initiated"),
      resource("Logs", "AWS::Logs::LogGroup", "CREATE_COMPLETE"),
      resource("TaskDef", "AWS::ECS::TaskDefinition", "CREATE_FAILED", "Resource creation cancelled"),
      resource("Service", "AWS::ECS::Service", "CREATE_FAILED", "Invalid request provided: subnet-1 not found"),
      stackEvent("ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Service]."),
      resource("Logs", "AWS::Logs::LogGroup", "DELETE_FAILED", "Log group is busy"),
      stackEvent("ROLLBACK_FAILED", "The following resource(s) failed to delete: [Logs]."),
    ];
    const cause = findRootCause(events);
    expect(cause.primary).toMatchObject({
      logicalId: "Service",
      resourceType: "AWS::ECS::Service",
      status: "CREATE_FAILED",
      reason: "Invalid request provided: subnet-1 not found",
    });
    expect(cause.others.map((f) => f.logicalId)).toEqual(["Logs"]);
    expect(cause.stackReason).toBeUndefined();

    const message = formatRootCause("ep-a", "ROLLBACK_FAILED", cause);
    expect(message.split("\n")[0]).toBe(
      "Stack ep-a failed (ROLLBACK_FAILED): Service (AWS::ECS::Service) CREATE_FAILED: Invalid request provided: subnet-1 not found",
    );
    expect(message).toContain("Also failed:\n  - Logs (AWS::Logs::LogGroup) DELETE_FAILED: Log group is busy");
  });

  it("follows a failed nested stack to the resource that failed inside it", () => {
    const nestedId = "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-Network/2";
    const deeperId = "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-Network-Nat/3";
    const events = [
      stackEvent("CREATE_IN_PROGRESS"),
      resource("Network", "AWS::CloudFormation::Stack", "CREATE_FAILED", `Embedded stack ${nestedId} was not successfully created`, nestedId),
      stackEvent("ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Network]."),
    ];
    const nestedEvents = new Map<string, StackEvent[]>([
      [
        nestedId,
        [
          stackEvent("CREATE_IN_PROGRESS", undefined, nestedId, "ep-a-Network"),
          resource("Nat", "AWS::CloudFormation::Stack", "CREATE_FAILED", "Embedded stack failed", deeperId, nestedId),
        ],
      ],
      [deeperId, [resource("Gateway", "AWS::EC2::NatGateway", "CREATE_FAILED", "Elastic IP limit exceeded", "nat-1", deeperId)]],
    ]);
    expect(nestedStackIds(resourceFailures(events))).toEqual([nestedId]);
    const cause = findRootCause(events, { nestedEvents });
    expect(cause.primary && describeFailure(cause.primary)).toBe("Network/Nat/Gateway (AWS::EC2::NatGateway) CREATE_FAILED: Elastic IP limit exceeded");
  });

  it("keeps the nested stack's own failure when its events say nothing more", () => {
    const nestedId = "arn:nested";
    const events = [resource("Network", "AWS::CloudFormation::Stack", "CREATE_FAILED", "Embedded stack failed", nestedId)];
    const cause = findRootCause(events, { nestedEvents: new Map([[nestedId, []]]) });
    expect(cause.primary?.logicalId).toBe("Network");
  });

  it("falls back to the stack's status reason when no resource explains it", () => {
    const events = [stackEvent("UPDATE_IN_PROGRESS"), stackEvent("UPDATE_ROLLBACK_IN_PROGRESS", "Parameter validation failed")];
    expect(findRootCause(events, { stackStatusReason: "Export x is in use by ep-b" })).toEqual({ others: [], stackReason: "Export x is in use by ep-b" });
    expect(findRootCause(events).stackReason).toBe("Parameter validation failed");
    expect(formatRootCause("ep-a", "UPDATE_ROLLBACK_COMPLETE", findRootCause(events))).toBe(
      "Stack ep-a failed (UPDATE_ROLLBACK_COMPLETE): Parameter validation failed",
    );
    expect(formatRootCause("ep-a", "ROLLBACK_COMPLETE", findRootCause([]))).toBe("Stack ep-a failed (ROLLBACK_COMPLETE); CloudFormation gave no reason.");
  });

  it("tolerates events with empty logical ids and types, as emulators send", () => {
    const events = [
      partial({ StackName: "ep-a", LogicalResourceId: "", ResourceType: "", ResourceStatus: "CREATE_FAILED", ResourceStatusReason: "?" }),
      partial({}),
    ];
    expect(resourceFailures(events)).toEqual([]);
    expect(findRootCause(events)).toEqual({ others: [], stackReason: undefined });
  });
});
