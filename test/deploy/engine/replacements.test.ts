/**
 * Which replacements delete data or cut traffic: the stack step names them
 * and refuses them without --yes.
 */
import { describe, expect, it } from "vitest";
import type { Change } from "../../../src/aws/interfaces.js";
import { costlyReplacements, describeReplacement } from "../../../src/deploy/engine/replacements.js";

const change = (
  LogicalResourceId: string,
  ResourceType: string,
  Replacement: "True" | "False" | "Conditional",
  Action: "Modify" | "Add" | "Remove" = "Modify",
): Change => ({
  Type: "Resource",
  ResourceChange: { Action, LogicalResourceId, ResourceType, Replacement },
});

describe("costlyReplacements", () => {
  it("keeps replaced file systems, log groups, repositories, buckets, load balancers, listeners, target groups and services", () => {
    const found = costlyReplacements([
      change("Assets", "AWS::EFS::FileSystem", "True"),
      change("Logs", "AWS::Logs::LogGroup", "Conditional"),
      change("Repo", "AWS::ECR::Repository", "True"),
      change("Bucket", "AWS::S3::Bucket", "True"),
      change("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", "True"),
      change("Https", "AWS::ElasticLoadBalancingV2::Listener", "True"),
      change("Tg", "AWS::ElasticLoadBalancingV2::TargetGroup", "Conditional"),
      change("Service", "AWS::ECS::Service", "True"),
    ]);
    expect(found.map((f) => `${f.logicalId}:${f.cost}:${f.replacement}`)).toEqual([
      "Assets:deletes data:True",
      "Logs:deletes data:Conditional",
      "Repo:deletes data:True",
      "Bucket:deletes data:True",
      "Alb:cuts traffic:True",
      "Https:cuts traffic:True",
      "Tg:cuts traffic:Conditional",
      "Service:cuts traffic:True",
    ]);
    expect(describeReplacement(found[0]!)).toBe("Assets (AWS::EFS::FileSystem) is replaced: the old one and its data are deleted");
    expect(describeReplacement(found[6]!)).toBe(
      "Tg (AWS::ElasticLoadBalancingV2::TargetGroup) may be replaced: the endpoint stops answering until the new one is ready",
    );
  });

  it("ignores in-place changes, additions, removals (flagged elsewhere) and harmless replacements", () => {
    expect(
      costlyReplacements([
        change("Assets", "AWS::EFS::FileSystem", "False"),
        change("NewLogs", "AWS::Logs::LogGroup", "True", "Add"),
        change("TaskDef", "AWS::ECS::TaskDefinition", "True"),
        change("Vpc", "AWS::EC2::VPC", "True"),
      ]),
    ).toEqual([]);
  });
});
