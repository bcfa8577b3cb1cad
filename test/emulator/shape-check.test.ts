/**
 * emulator/shape_check.py, which the vitest global teardown runs over every
 * emulator's recorded traffic: it fails on an answer or request outside AWS's
 * API models (botocore's), naming the operation, the member and the emulator,
 * and passes on AWS's own shapes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkShapes } from "../setup/shape-check.js";

const dir = mkdtempSync(path.join(tmpdir(), "mlops-shape-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function recording(label: string, ...records: object[]): string {
  const file = path.join(dir, `${++files}.jsonl`);
  writeFileSync(file, [{ emulator: label }, ...records].map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

const XML = "text/xml";
function listStackResources(summary: string): object {
  return {
    service: "cloudformation",
    operation: "ListStackResources",
    protocol: "query",
    request: "Action=ListStackResources&Version=2010-05-15&StackName=ep-a-prod",
    status: 200,
    contentType: XML,
    response:
      `<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult>` +
      `<StackResourceSummaries><member>${summary}</member></StackResourceSummaries>` +
      `</ListStackResourcesResult></ListStackResourcesResponse>`,
  };
}
const SUMMARY =
  "<LogicalResourceId>Queue</LogicalResourceId><PhysicalResourceId>q</PhysicalResourceId>" +
  "<ResourceType>AWS::SQS::Queue</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>";
const STAMP = "<LastUpdatedTimestamp>2026-12-07T10:00:00.000Z</LastUpdatedTimestamp>";

describe("shape check", () => {
  it("passes AWS's shapes: a query answer with every required member, a JSON request the model knows", () => {
    const result = checkShapes([
      recording("test/e2e/x.test.ts", listStackResources(SUMMARY + STAMP), {
        service: "ecs",
        operation: "ListTasks",
        protocol: "json",
        request: JSON.stringify({ cluster: "c", serviceName: "s", desiredStatus: "RUNNING" }),
        status: 200,
        contentType: "application/x-amz-json-1.1",
        response: JSON.stringify({ taskArns: [] }),
      }),
    ]);
    expect(result.report).toContain("0 mismatch(es)");
    expect(result.ok).toBe(true);
  });

  it("fails on a wrong answer, naming operation, member and the emulator's test", () => {
    const result = checkShapes([recording("test/e2e/sequence.test.ts", listStackResources(SUMMARY))]);
    expect(result.ok).toBe(false);
    expect(result.report).toContain(
      "cloudformation ListStackResources: StackResourceSummaries[].LastUpdatedTimestamp: answer: required member missing (1x, emulator of test/e2e/sequence.test.ts",
    );
  });

  it("fails on an enum value the model lacks, in an answer or a request, and on unknown and missing parameters", () => {
    const result = checkShapes([
      recording(
        "test/e2e/operate.test.ts",
        {
          service: "codepipeline",
          operation: "GetPipelineState",
          protocol: "json",
          request: JSON.stringify({ name: "p", verbose: true }),
          status: 200,
          contentType: "application/x-amz-json-1.1",
          response: JSON.stringify({
            pipelineName: "p",
            stageStates: [
              {
                stageName: "Source",
                latestExecution: { pipelineExecutionId: "e", status: "Done" },
                actionStates: [{ actionName: "Source", currentRevision: { revisionId: "abc" } }],
              },
            ],
          }),
        },
        {
          service: "ecs",
          operation: "ListTasks",
          protocol: "json",
          request: JSON.stringify({ desiredStatus: "ALIVE" }),
          status: 400,
          contentType: "application/x-amz-json-1.1",
          response: "{}",
        },
        {
          service: "elasticloadbalancing",
          operation: "DescribeTargetHealth",
          protocol: "query",
          request: "Action=DescribeTargetHealth&Version=2015-12-01&TargetGroup=arn",
          status: 400,
          contentType: XML,
          response: "<ErrorResponse/>",
        },
      ),
    ]);
    expect(result.ok).toBe(false);
    const lines = result.report.split("\n");
    const has = (text: string) =>
      expect(
        lines.some((l) => l.startsWith(text)),
        `${text}\n${result.report}`,
      ).toBe(true);
    has("codepipeline GetPipelineState: stageStates[].latestExecution.status: answer: value 'Done' is not one of the enum StageExecutionStatus");
    has("codepipeline GetPipelineState: stageStates[].actionStates[].currentRevision.revisionChangeId: answer: required member missing");
    has("codepipeline GetPipelineState: stageStates[].actionStates[].currentRevision.created: answer: required member missing");
    has("codepipeline GetPipelineState: verbose: request: unknown field");
    has("ecs ListTasks: desiredStatus: request: value 'ALIVE' is not one of the enum DesiredStatus");
    has("elasticloadbalancing DescribeTargetHealth: TargetGroup: request parameter unknown to the input shape");
    has("elasticloadbalancing DescribeTargetHealth: TargetGroupArn: request: missing required field");
    expect(result.report).toContain("emulator of test/e2e/operate.test.ts");
  });
});
