/**
 * What the pipeline's build role may do, evaluated on the template's policies
 * for the requests CodeBuild, the build's docker/aws commands and the
 * CloudFormation update the build starts make on AWS.
 */
import { describe, expect, it } from "vitest";
import { P } from "./helpers.js";
import { evaluate, roleStatements, type Bindings } from "./iam-eval.js";

const ACCOUNT = "123456789012";
const BINDINGS: Bindings = {
  "AWS::Partition": "aws",
  "AWS::Region": "us-east-1",
  "AWS::AccountId": ACCOUNT,
  ProjectName: "ep-a",
  EnvironmentName: "stg",
  EndpointStackName: "ep-a-stg",
  BaseStackName: "ep-a-stg",
  EcrRepositoryName: "ep-a-stg",
  ConnectionArn: `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/abc`,
  "GetAtt:ArtifactBucket.Arn": "arn:aws:s3:::artifacts",
};

const allows = (b: Bindings, action: string, resource: string, context?: Record<string, string>) =>
  evaluate(roleStatements(P, "CodeBuildRole", { ...BINDINGS, ...b }), { action, resource, ...(context ? { context } : {}) }) === "allow";

describe("build role: passing roles", () => {
  // CloudFormation names a role it creates without RoleName STACK-LOGICALID-RANDOM
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html), with no path.
  const trafficShiftRole = `arn:aws:iam::${ACCOUNT}:role/ep-a-stg-TrafficShiftRole-1AB2CD3EF4GH`;
  const taskRole = `arn:aws:iam::${ACCOUNT}:role/mlops/ep-a-stg/ep-a-stg-TaskRole-X1`;

  it("may pass the endpoint's TrafficShiftRole to ECS, which the service's AdvancedConfiguration names on every update", () => {
    expect(allows({}, "iam:PassRole", trafficShiftRole, { "iam:PassedToService": "ecs.amazonaws.com" })).toBe(true);
  });

  it("may pass it to no other service, and no other role to ECS", () => {
    expect(allows({}, "iam:PassRole", trafficShiftRole, { "iam:PassedToService": "ecs-tasks.amazonaws.com" })).toBe(false);
    expect(allows({}, "iam:PassRole", trafficShiftRole, { "iam:PassedToService": "cloudformation.amazonaws.com" })).toBe(false);
    expect(allows({}, "iam:PassRole", taskRole, { "iam:PassedToService": "ecs.amazonaws.com" })).toBe(false);
    expect(allows({}, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/other-stg-TrafficShiftRole-1AB2CD3EF4GH`, { "iam:PassedToService": "ecs.amazonaws.com" })).toBe(false);
    expect(allows({}, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/ep-a-stg-Admin`, { "iam:PassedToService": "ecs.amazonaws.com" })).toBe(false);
  });

  it("still passes the task roles to ECS tasks only", () => {
    expect(allows({}, "iam:PassRole", taskRole, { "iam:PassedToService": "ecs-tasks.amazonaws.com" })).toBe(true);
    expect(allows({}, "iam:PassRole", taskRole, { "iam:PassedToService": "lambda.amazonaws.com" })).toBe(false);
  });
});
