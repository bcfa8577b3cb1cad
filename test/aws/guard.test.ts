import { describe, expect, it } from "vitest";
import { ChangeLog, guardClients, isMutatingCall } from "../../src/aws/guard.js";
import type { AwsClients } from "../../src/aws/interfaces.js";
import { InterruptedError } from "../../src/errors.js";

function clients(calls: string[]): AwsClients {
  const record = (name: string) => async (input: unknown) => {
    calls.push(name);
    return name === "describeStacks" ? { Stacks: [{ StackName: "ep-a-prod", StackStatus: (input as { status?: string }).status ?? "UPDATE_COMPLETE" }] } : {};
  };
  return {
    region: "us-east-1",
    cloudFormation: { describeStacks: record("describeStacks"), executeChangeSet: record("executeChangeSet") },
    ec2: { authorizeSecurityGroupIngress: record("authorizeSecurityGroupIngress") },
  } as unknown as AwsClients;
}

describe("the Ctrl-C guard", () => {
  it("classifies calls by their verb", () => {
    for (const m of [
      "createChangeSet",
      "executeChangeSet",
      "deleteStack",
      "authorizeSecurityGroupIngress",
      "putImage",
      "requestCertificate",
      "addListenerCertificates",
      "batchDeleteImage",
      "startPipelineExecution",
    ])
      expect(isMutatingCall(m)).toBe(true);
    for (const m of ["describeStacks", "getTemplate", "listImages", "batchGetProjects", "filterLogEvents"]) expect(isMutatingCall(m)).toBe(false);
  });

  it("starts no call once the signal aborted, and says which stack operation may still run", async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const log = new ChangeLog();
    const aws = guardClients(clients(calls), controller.signal, log);
    await aws.cloudFormation.executeChangeSet({ StackName: "ep-a-prod", ChangeSetName: "x" });
    await aws.cloudFormation.describeStacks({ StackName: "ep-a-prod", status: "UPDATE_IN_PROGRESS" } as never);
    expect(log.mayStillRun()).toEqual(["the update of stack ep-a-prod (CloudFormation continues it)"]);
    controller.abort();
    await expect(aws.ec2.authorizeSecurityGroupIngress({ GroupId: "sg-1" })).rejects.toBeInstanceOf(InterruptedError);
    await expect(aws.cloudFormation.describeStacks({})).rejects.toBeInstanceOf(InterruptedError);
    expect(calls).toEqual(["executeChangeSet", "describeStacks"]);
  });

  it("leaves out a stack operation on a stack the workflow names itself, by name or by ARN, and no other stack's", async () => {
    const log = new ChangeLog();
    const aws = guardClients(clients([]), new AbortController().signal, log);
    const arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-prod/0f1e2d3c";
    await aws.cloudFormation.executeChangeSet({ StackName: arn, ChangeSetName: "x" });
    await aws.cloudFormation.executeChangeSet({ StackName: "ep-a-prod-x", ChangeSetName: "y" });
    const named = ["the creation of stack ep-a-prod (CloudFormation carries on)"];
    expect(log.mayStillRun()).toEqual([
      `the update of stack ${arn} (CloudFormation continues it)`,
      "the update of stack ep-a-prod-x (CloudFormation continues it)",
    ]);
    expect(log.mayStillRun(named)).toEqual(["the update of stack ep-a-prod-x (CloudFormation continues it)"]);
    expect(log.mayStillRun(["the creation of stack ep-a-prod-xy (CloudFormation carries on)"])).toHaveLength(2);
  });

  it("forgets a stack operation once the stack is seen settled", async () => {
    const log = new ChangeLog();
    const aws = guardClients(clients([]), new AbortController().signal, log);
    await aws.cloudFormation.executeChangeSet({ StackName: "ep-a-prod", ChangeSetName: "x" });
    await aws.cloudFormation.describeStacks({ StackName: "ep-a-prod" });
    expect(log.mayStillRun()).toEqual([]);
  });

  it("names a one-off task it started, with the command that stops it, until the task is seen STOPPED", async () => {
    const log = new ChangeLog();
    const arn = "arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/abc";
    let status = "RUNNING";
    const aws = guardClients(
      {
        region: "us-east-1",
        ecs: {
          runTask: async () => ({ tasks: [{ taskArn: arn, lastStatus: "PROVISIONING" }] }),
          describeTasks: async () => ({ tasks: [{ taskArn: arn, lastStatus: status }] }),
        },
      } as unknown as AwsClients,
      new AbortController().signal,
      log,
    );
    await aws.ecs.runTask({ cluster: "ep-a-prod", taskDefinition: "td" });
    await aws.ecs.describeTasks({ cluster: "ep-a-prod", tasks: [arn] });
    expect(log.mayStillRun()).toEqual([
      `the one-off ECS task ${arn} (it runs to its end; to stop it now: aws ecs stop-task --cluster ep-a-prod --task ${arn})`,
    ]);
    status = "STOPPED";
    await aws.ecs.describeTasks({ cluster: "ep-a-prod", tasks: [arn] });
    expect(log.mayStillRun()).toEqual([]);
  });
});

describe("the Ctrl-C summary", () => {
  /** A client whose every call waits for an answer that comes only when `answer` is called, or fails when the signal aborts (as the SDK does). */
  function hanging(signal: AbortSignal) {
    const pending: (() => void)[] = [];
    const call = () =>
      new Promise((resolve, reject) => {
        pending.push(() => resolve({}));
        signal.addEventListener("abort", () => reject(new InterruptedError("Interrupted during the call.")), { once: true });
      });
    return { call, answerAll: () => pending.splice(0).forEach((answer) => answer()) };
  }

  it("names a change request that was sent and aborted unanswered (AWS may have received it)", async () => {
    const controller = new AbortController();
    const log = new ChangeLog();
    const { call } = hanging(controller.signal);
    const aws = guardClients({ region: "us-east-1", cloudFormation: { createChangeSet: call } } as unknown as AwsClients, controller.signal, log);
    const sent = aws.cloudFormation.createChangeSet({ StackName: "ep-a-prod", ChangeSetName: "x" }).catch((e: unknown) => e);
    controller.abort();
    expect(await sent).toBeInstanceOf(InterruptedError);
    expect(log.mayStillRun()).toEqual([
      expect.stringMatching(/^cloudFormation\.createChangeSet ep-a-prod \(sent before Ctrl-C and not answered: AWS may have received it\)$/),
    ]);
  });

  it("leaves the lease's own calls out, and says when the lease was not given back", async () => {
    const controller = new AbortController();
    const log = new ChangeLog();
    const { call, answerAll } = hanging(controller.signal);
    const expiresAt = 1_768_478_520;
    const ssm = {
      putParameter: async () => ({ Version: 1 }),
      getParametersByPath: async () => ({ Parameters: [] }),
      deleteParameter: () => call(),
    };
    const aws = guardClients({ region: "us-east-1", ssm } as unknown as AwsClients, controller.signal, log);
    const name = "/mlops/lease/ep-a-prod/0000000001";
    await aws.ssm.putParameter({ Name: name, Value: JSON.stringify({ holder: "alice", command: "update", since: "t", expiresAt }), Overwrite: false });
    expect(log.leasesLeft()).toEqual([{ scope: "ep-a-prod", name, expiresAt }]);
    controller.abort();
    // The give-back after Ctrl-C, still waiting for its answer when the summary is written.
    void aws.ssm.deleteParameter({ Name: name }).catch(() => undefined);
    expect(log.mayStillRun()).toEqual([]);
    expect(log.leasesLeft()).toEqual([{ scope: "ep-a-prod", name, expiresAt }]);
    answerAll();
    await new Promise((r) => setTimeout(r, 0));
    expect(log.leasesLeft()).toEqual([]);
  });
});
