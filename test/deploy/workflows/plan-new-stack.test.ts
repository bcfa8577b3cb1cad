/**
 * A stack the plan creates, as the plan prints it: the rendered base template's resources
 * counted by kind with the IAM and security-group resources named, in a few lines; every
 * resource only with --verbose.
 */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { groupOf, groupResources, resourceCountsLine, resourceSummaryLines } from "../../../src/render/resource-groups.js";
import { templateResources } from "../../../src/deploy/engine/template-diff.js";
import { printStackPlan, type StackPlan } from "../../../src/deploy/workflows/plan.js";
import { MemoryOutput } from "../../fakes/output.js";

async function baseResources() {
  const config = await loadEndpointConfig("params/ep-a.yaml");
  const rendered = renderEndpointStack(config, { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/plan" });
  return templateResources({ templateBody: rendered.templateBody, parameters: rendered.parameters });
}

function newStack(resources: StackPlan["resources"]): StackPlan {
  return { stackName: "ep-a-prod", action: "create", resources, changes: [], parameters: [] };
}

describe("the plan of a new stack", () => {
  it("counts the base's resources by kind in a few lines, naming every IAM and security-group resource", async () => {
    const resources = await baseResources();
    const out = new MemoryOutput();
    printStackPlan(newStack(resources), out);
    expect(out.lines.length).toBeLessThanOrEqual(5);
    expect(out.lines[0]).toBe(`info: Stack ep-a-prod: create ${resources.length} resources (--verbose lists each one)`);
    expect(out.lines[1]).toMatch(/^info: {3}network \d+, load balancer \d+, storage \d+, /);
    const iam = resources.filter((r) => r.type.startsWith("AWS::IAM::")).map((r) => r.logicalId);
    const groups = resources.filter((r) => r.type.startsWith("AWS::EC2::SecurityGroup")).map((r) => r.logicalId);
    expect(iam).toContain("TaskRole");
    expect(out.lines).toContain(`info:   IAM ${iam.length}: ${iam.join(", ")}`);
    expect(out.lines).toContain(`info:   security groups ${groups.length}: ${groups.join(", ")}`);
    // Every resource is counted once.
    const counts = out.lines[1]!.replace(/^info: {3}/, "")
      .split(", ")
      .map((part) => Number(part.split(" ").pop()));
    const named = out.lines.slice(2).map((line) => Number(/ (\d+): /.exec(line)?.[1]));
    expect([...counts, ...named].reduce((sum, n) => sum + n, 0)).toBe(resources.length);
  });

  it("lists each resource with --verbose", async () => {
    const resources = await baseResources();
    const out = new MemoryOutput();
    printStackPlan(newStack(resources), out, { verbose: true });
    expect(out.lines[0]).toBe(`info: Stack ep-a-prod: create ${resources.length} resources:`);
    for (const r of resources) expect(out.lines.some((l) => new RegExp(`^info: {3}${r.logicalId} +${r.type}$`).test(l))).toBe(true);
  });

  it("groups by the type's service; a service without a group is named after itself", () => {
    expect(groupOf("AWS::EC2::SecurityGroupIngress")).toEqual({ name: "security groups", named: true });
    expect(groupOf("AWS::EC2::FlowLog").name).toBe("logs");
    expect(groupOf("AWS::EC2::NatGateway").name).toBe("network");
    expect(groupOf("AWS::Route53::RecordSet")).toEqual({ name: "Route53", named: false });
    const resources = [
      { logicalId: "Role", type: "AWS::IAM::Role" },
      { logicalId: "Vpc", type: "AWS::EC2::VPC" },
      { logicalId: "Record", type: "AWS::Route53::RecordSet" },
      { logicalId: "Bucket", type: "AWS::S3::Bucket" },
    ];
    expect(groupResources(resources).map((g) => g.name)).toEqual(["network", "storage", "Route53", "IAM"]);
    expect(resourceSummaryLines(resources)).toEqual(["network 1, storage 1, Route53 1", "IAM 1: Role"]);
    expect(resourceCountsLine(resources)).toBe("network 1, storage 1, Route53 1, IAM 1");
    expect(resourceSummaryLines([])).toEqual([]);
  });
});
