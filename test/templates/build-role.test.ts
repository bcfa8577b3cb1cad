/**
 * What the pipeline's build role may do, evaluated on the template's policies
 * for the requests CodeBuild, the build's docker/aws commands and the
 * CloudFormation update the build starts make on AWS.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  "GetAtt:BuildCacheRepository.Arn": `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ep-a-stg-build-cache`,
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
    expect(
      allows({}, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/other-stg-TrafficShiftRole-1AB2CD3EF4GH`, { "iam:PassedToService": "ecs.amazonaws.com" }),
    ).toBe(false);
    expect(allows({}, "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/ep-a-stg-Admin`, { "iam:PassedToService": "ecs.amazonaws.com" })).toBe(false);
  });

  it("still passes the task roles to ECS tasks only", () => {
    expect(allows({}, "iam:PassRole", taskRole, { "iam:PassedToService": "ecs-tasks.amazonaws.com" })).toBe(true);
    expect(allows({}, "iam:PassRole", taskRole, { "iam:PassedToService": "lambda.amazonaws.com" })).toBe(false);
  });
});

/** The pipeline stack's parameters for a pipeline section, as bindings of the template. */
async function bindingsFor(pipeline: string): Promise<Bindings> {
  const { loadEndpointConfig } = await import("../../src/params/load.js");
  const { renderPipelineStack } = await import("../../src/render/render.js");
  const file = join(mkdtempSync(join(tmpdir(), "mlops-build-role-")), "ep.yaml");
  writeFileSync(
    file,
    [
      "project: ep-a",
      "environment: stg",
      "network: {vpcCidr: 10.0.0.0/16, publicSubnets: [10.0.0.0/24, 10.0.1.0/24], privateSubnets: [10.0.2.0/24, 10.0.3.0/24], availabilityZones: [us-east-1a, us-east-1b]}",
      "api: {hostHeader: ep-a.example.com}",
      "pipeline:",
      "  connectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000",
      "  repository: example-org/ml",
      ...pipeline.split("\n").map((l) => `  ${l}`),
    ].join("\n"),
  );
  const config = await loadEndpointConfig(file);
  return renderPipelineStack(config, { ecrRepositoryName: "ep-a-stg" }).parameters;
}

const DLC = "763104351884";
const dlcRepo = (name: string) => `arn:aws:ecr:us-east-1:${DLC}:repository/${name}`;
const ownRepo = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;
const PULLS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

describe("build role: base images", () => {
  it("pulls nothing outside its own repository when no registry is listed", async () => {
    const b = await bindingsFor("branch: main");
    for (const action of PULLS) {
      expect(allows(b, action, ownRepo("ep-a-stg"))).toBe(true);
      expect(allows(b, action, dlcRepo("pytorch-inference"))).toBe(false);
      expect(allows(b, action, ownRepo("other"))).toBe(false);
    }
    expect(allows(b, "ecr-public:GetAuthorizationToken", "*")).toBe(false);
    expect(allows(b, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:dockerhub-AbCdEf`)).toBe(false);
  });

  it("pulls exactly the DLC repository listed, and only pulls", async () => {
    const b = await bindingsFor(`baseImageRegistries: [${DLC}.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference]`);
    for (const action of PULLS) {
      expect(allows(b, action, dlcRepo("pytorch-inference"))).toBe(true);
      expect(allows(b, action, dlcRepo("pytorch-training"))).toBe(false);
      expect(allows(b, action, dlcRepo("pytorch-inference-graviton"))).toBe(false);
      expect(allows(b, action, `arn:aws:ecr:eu-west-1:${DLC}:repository/pytorch-inference`)).toBe(false);
    }
    for (const action of ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:DeleteRepository"]) {
      expect(allows(b, action, dlcRepo("pytorch-inference")), action).toBe(false);
    }
  });

  it("pulls a whole registry listed without a prefix", async () => {
    const b = await bindingsFor(`baseImageRegistries: [${DLC}.dkr.ecr.us-west-2.amazonaws.com]`);
    expect(allows(b, "ecr:BatchGetImage", `arn:aws:ecr:us-west-2:${DLC}:repository/huggingface-pytorch-inference`)).toBe(true);
    expect(allows(b, "ecr:BatchGetImage", dlcRepo("huggingface-pytorch-inference"))).toBe(false);
  });

  it("may fill a pull-through cache under its prefix only (import upstream, create the repository)", async () => {
    const b = await bindingsFor(`baseImageRegistries:\n  - registry: ${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/docker-hub\n    pullThroughCache: true`);
    for (const action of [...PULLS, "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]) {
      expect(allows(b, action, ownRepo("docker-hub/library/python")), action).toBe(true);
      expect(allows(b, action, ownRepo("other/library/python")), action).toBe(false);
    }
  });

  it("logs in to ECR Public only when it is listed (ECR Public needs both actions, on *)", async () => {
    const b = await bindingsFor("baseImageRegistries: [public.ecr.aws]");
    expect(allows(b, "ecr-public:GetAuthorizationToken", "*")).toBe(true);
    expect(allows(b, "sts:GetServiceBearerToken", "*")).toBe(true);
  });
});

describe("build role: Docker Hub secret", () => {
  const secretArn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlops/dockerhub-AbCdEf`;

  it("reads the secret given by ARN, and no other", async () => {
    const b = await bindingsFor(`dockerHubSecret: ${secretArn}`);
    expect(allows(b, "secretsmanager:GetSecretValue", secretArn)).toBe(true);
    expect(allows(b, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlops/other-AbCdEf`)).toBe(false);
    expect(allows(b, "secretsmanager:PutSecretValue", secretArn)).toBe(false);
  });

  it("reads the secret given by name (its ARN ends in six random characters), and no other", async () => {
    const b = await bindingsFor("dockerHubSecret: mlops/dockerhub");
    expect(allows(b, "secretsmanager:GetSecretValue", secretArn)).toBe(true);
    expect(allows(b, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlops/dockerhub-extra-AbCdEf`)).toBe(false);
    expect(allows(b, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mlops/dockerhub2-AbCdEf`)).toBe(false);
  });
});

describe("build role: layer cache", () => {
  it("reads and writes the cache repository beside the endpoint's, and no other", () => {
    const cache = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ep-a-stg-build-cache`;
    for (const action of [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
    ]) {
      expect(allows({}, action, cache), action).toBe(true);
      expect(allows({}, action, `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other-build-cache`), action).toBe(false);
    }
    expect(allows({}, "ecr:BatchDeleteImage", cache)).toBe(false);
  });
});

describe("build role: the service update", () => {
  it("updates the endpoint's own service on the base's cluster, which the base names like its stack, and no other", async () => {
    const { parseEndpointConfig } = await import("../../src/params/load.js");
    const { renderEndpointStack, renderPipelineStack } = await import("../../src/render/render.js");
    const network =
      "network: { vpcCidr: 10.0.0.0/16, publicSubnets: [10.0.0.0/24, 10.0.1.0/24], privateSubnets: [10.0.2.0/24, 10.0.3.0/24], availabilityZones: [us-east-1a, us-east-1b] }";
    const pipeline =
      "pipeline: { connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000', repository: o/r }";
    const base = parseEndpointConfig(`project: ep-a\nenvironment: stg\n${network}\napi: { hostHeader: a.example.com }\n`, "ep-a.yaml");
    const added = parseEndpointConfig(`project: ep-b\nenvironment: stg\nbase: ep-a\napi: { hostHeader: b.example.com }\n${pipeline}\n`, "ep-b.yaml");
    // The base's Cluster is named !Sub ${ProjectName}-${EnvironmentName}: with the base's parameters, its stack's name.
    const baseParameters = renderEndpointStack(base).parameters;
    const cluster = `${baseParameters["ProjectName"]}-${baseParameters["EnvironmentName"]}`;
    const params = renderPipelineStack(added, { ecrRepositoryName: "ep-b-stg" }).parameters;
    expect(params["BaseStackName"]).toBe(cluster);
    const b = { ProjectName: "ep-b", EnvironmentName: "stg", EndpointStackName: "ep-b-stg", BaseStackName: params["BaseStackName"]! };
    expect(allows(b, "ecs:UpdateService", `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${cluster}/ep-b-stg`)).toBe(true);
    expect(allows(b, "ecs:UpdateService", `arn:aws:ecs:us-east-1:${ACCOUNT}:service/other-stg/ep-b-stg`)).toBe(false);
    expect(allows(b, "ecs:UpdateService", `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${cluster}/ep-a-stg`)).toBe(false);
  });
});
