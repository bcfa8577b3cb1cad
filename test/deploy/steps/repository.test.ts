/**
 * Which stack holds an endpoint's ECR repository: a stack deployed before images stacks existed
 * (no `ImageRepositoryName`, or an empty one) holds its own, and every render of it keeps it there;
 * a new endpoint's is its images stack's.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, Stack } from "../../../src/aws/interfaces.js";
import { asImagesStack, asManagedStack, repositoryLayout } from "../../../src/deploy/engine/discovery.js";
import { ensureImageRepository } from "../../../src/deploy/steps/repository.js";
import { parseEndpointConfig } from "../../../src/params/load.js";
import { keptFactsOf, decodeEndpoint } from "../../../src/render/contract.js";
import { renderEndpointStack, renderImagesStack, toTagList } from "../../../src/render/render.js";
import { parseTemplate } from "../../../src/render/cfn-yaml.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

const config = parseEndpointConfig(
  `project: ep-b
base: ep-a
api: { hostHeader: ep-b.example.com }
`,
  "ep-b.yaml",
);

function deployed(parameters: Record<string, string>, outputs: Record<string, string> = {}): Stack {
  return {
    StackName: "ep-b-prod",
    StackStatus: "UPDATE_COMPLETE",
    CreationTime: new Date(0),
    Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  };
}

/** A context whose AWS clients fail on any use: the step must make no call. */
function noCalls() {
  const aws = new Proxy({ region: "us-east-1" } as unknown as AwsClients, {
    get: (target, key) => (key === "region" ? "us-east-1" : () => Promise.reject(new Error(`unexpected AWS call ${String(key)}`))),
  });
  return { aws, out: new MemoryOutput(), clock: new FakeClock(), assumeYes: true };
}

describe("the repository layout", () => {
  it("is the images stack's for a new endpoint and for a stack that names it", () => {
    expect(repositoryLayout(undefined)).toBe("images");
    expect(repositoryLayout(deployed({ ProjectName: "ep-b", ImageRepositoryName: "ep-b-prod" }))).toBe("images");
  });

  it("is the stack's own for a stack of the previous release (no parameter) and for one deployed with it empty", () => {
    expect(repositoryLayout(deployed({ ProjectName: "ep-b" }))).toBe("own");
    expect(repositoryLayout(deployed({ ProjectName: "ep-b", ImageRepositoryName: "" }))).toBe("own");
  });

  it("carries over into every later render: an own repository stays in the template, an images stack's stays out", () => {
    const resources = (parameters: Record<string, string>) => {
      const rendered = renderEndpointStack(config, keptFactsOf(decodeEndpoint(parameters)));
      return { value: rendered.parameters.ImageRepositoryName, template: parseTemplate(rendered.templateBody) as { Resources: Record<string, unknown> } };
    };
    const old = resources({ ProjectName: "ep-b" });
    expect(old.value).toBe("");
    expect(old.template.Resources).toHaveProperty("Repository");
    expect(resources({ ProjectName: "ep-b", ImageRepositoryName: "ep-b-prod" }).value).toBe("ep-b-prod");
  });

  it("makes no images stack, and no call, for an endpoint whose own stack holds the repository", async () => {
    const existing = deployed(
      { ProjectName: "ep-b" },
      { EcrRepositoryName: "ep-b-prod", EcrRepositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-b-prod" },
    );
    expect(await ensureImageRepository(config, { existing }, noCalls())).toEqual({
      name: "ep-b-prod",
      uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-b-prod",
    });
  });

  it("sends no change set for an images stack the plan found unchanged", async () => {
    const imagesStack: Stack = {
      ...deployed({}, { RepositoryName: "ep-b-prod", RepositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-b-prod" }),
      StackName: "ep-b-prod-images",
      StackStatus: "CREATE_COMPLETE",
    };
    const ctx = noCalls();
    const repository = await ensureImageRepository(config, { imagesStack, images: { action: "unchanged" } }, ctx);
    expect(repository).toEqual({ name: "ep-b-prod", uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-b-prod", stackName: "ep-b-prod-images" });
  });
});

describe("the images stack in discovery", () => {
  it("is found by its tags as the endpoint's images stack, and never as an endpoint (status lists no row for it)", () => {
    const rendered = renderImagesStack(config);
    const found: Stack = { StackName: rendered.stackName, StackStatus: "CREATE_COMPLETE", CreationTime: new Date(0), Tags: toTagList(rendered.tags) };
    expect(asManagedStack(found)).toBeUndefined();
    expect(asImagesStack(found)).toMatchObject({ stackName: "ep-b-prod-images", endpointId: "ep-b-prod", baseStackName: "ep-a-prod" });
    const endpoint = renderEndpointStack(config);
    expect(asImagesStack({ ...found, StackName: endpoint.stackName, Tags: toTagList(endpoint.tags) })).toBeUndefined();
  });
});
