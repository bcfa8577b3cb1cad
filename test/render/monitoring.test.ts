/** The parameter file's image retention and monitoring switches reach the stacks' parameters. */
import { describe, expect, it } from "vitest";
import { parseEndpointConfig } from "../../src/params/load.js";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import { renderEndpointStack, renderPipelineStack } from "../../src/render/render.js";

const BASE = `
project: ep-a
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]
  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]
  availabilityZones: [us-east-1a, us-east-1b]
api: { hostHeader: ep-a.example.com }
pipeline:
  connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000
  repository: owner/repo
`;

describe("monitoring and image retention parameters", () => {
  it("are all on, and 30 images kept, by default", () => {
    const config = parseEndpointConfig(BASE, "ep-a.yaml");
    const endpoint = renderEndpointStack(config).parameters;
    expect(endpoint).toMatchObject({ VpcFlowLogs: "true", LoadBalancerAccessLogs: "true", ContainerInsights: "true", ImagesToKeep: "30" });
    const pipeline = renderPipelineStack(config, { ecrRepositoryName: "ep-a-prod" }).parameters;
    expect(pipeline).toMatchObject({ ArtifactAccessLogs: "true", LogRetentionDays: "30", BuildLogGroupExists: "false" });
  });

  it("follow the file when turned off, and a kept build log group is used again", () => {
    const text = `${BASE}images: { keep: 5 }
logs: { retentionDays: 7 }
monitoring: { vpcFlowLogs: false, loadBalancerAccessLogs: false, containerInsights: false, artifactAccessLogs: false }
`;
    const config = parseEndpointConfig(text, "ep-a.yaml");
    expect(renderEndpointStack(config).parameters).toMatchObject({
      VpcFlowLogs: "false",
      LoadBalancerAccessLogs: "false",
      ContainerInsights: "false",
      ImagesToKeep: "5",
    });
    const pipeline = renderPipelineStack(config, { ecrRepositoryName: "ep-a-prod", buildLogGroupExists: true });
    expect(pipeline.parameters).toMatchObject({ ArtifactAccessLogs: "false", LogRetentionDays: "7", BuildLogGroupExists: "true" });
    const declared = Object.keys(parseTemplate(pipeline.templateBody).Parameters as object);
    expect(declared.sort()).toEqual(Object.keys(pipeline.parameters).sort());
  });

  it("of the base's resources are not sent for an added endpoint", () => {
    const config = parseEndpointConfig("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com }\nimages: { keep: 3 }\n", "ep-b.yaml");
    const parameters = renderEndpointStack(config).parameters;
    expect(parameters["ImagesToKeep"]).toBe("3");
    for (const key of ["VpcFlowLogs", "LoadBalancerAccessLogs", "ContainerInsights"]) expect(parameters).not.toHaveProperty(key);
  });
});

describe("the build log group", () => {
  it("that the pipeline stack creates is the one the CodeBuild project logs to", async () => {
    const { buildLogGroupName } = await import("../../src/deploy/steps/log-groups.js");
    const template = parseTemplate(renderPipelineStack(parseEndpointConfig(BASE, "ep-a.yaml"), { ecrRepositoryName: "ep-a-prod" }).templateBody) as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const name = template.Resources["BuildLogGroup"]?.Properties["LogGroupName"] as { "Fn::Sub": string };
    expect(name["Fn::Sub"].replace("${ProjectName}", "ep-a").replace("${EnvironmentName}", "prod")).toBe(buildLogGroupName("ep-a-prod"));
  });
});
