/**
 * Where the endpoint's ECR repository lives. A new endpoint's is in its images stack (`<id>-images`),
 * made before the endpoint's stack. An endpoint created by the previous release holds its repository
 * in its own stack; this release updates it there, never removing the resource nor making an images
 * stack, so no image is lost.
 *
 * The previous release's endpoint is made as that release made it: its stack created from the
 * previous release's template, kept verbatim as a fixture (test/fixtures/create-ep-a.previous-release.yaml,
 * the template before images stacks existed), with the parameters it rendered (this release's
 * contract less the one parameter that release did not have), with no tasks; then an image is
 * pushed into its repository, as the previous release's pipeline or `npm run emulator:push` did.
 * A fixture, not a rendering of this release's template with the old layout forced: that
 * would have the new parameter and condition already, and so could not show that a stack lacking
 * them is recognised and kept.
 */
import { CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushImage, sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { parseEndpointConfig } from "../../src/params/load.js";
import { renderEndpointStack, toTagList } from "../../src/render/render.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  dir = mkdtempSync(join(tmpdir(), "mlops-repository-"));
  // No pipeline: the images are pushed by hand, as the emulator runs no builds.
  writeFileSync(join(dir, "ep-a.yaml"), readFileSync("params/ep-a.yaml", "utf8").replace(/\npipeline:[\s\S]*$/, "\n"));
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function stack(name: string) {
  try {
    return (await aws.cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch {
    return undefined;
  }
}

async function resourceTypes(name: string): Promise<string[]> {
  return ((await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: name }))).StackResources ?? []).map((r) => r.ResourceType ?? "");
}

async function imageTags(repository: string): Promise<string[]> {
  const images = await aws.ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
  return (images.imageDetails ?? []).flatMap((d) => d.imageTags ?? []).sort();
}

describe("an endpoint created by the previous release", () => {
  it("keeps its repository and images in its own stack through this release's update, and gets no images stack", async () => {
    const file = join(dir, "ep-a.yaml");
    const config = parseEndpointConfig(readFileSync(file, "utf8"), file);
    const certificate = await aws.acm.send(new RequestCertificateCommand({ DomainName: config.api.hostHeader, ValidationMethod: "DNS" }));
    // The previous release's first step: the stack with no tasks, its parameters as that release rendered them.
    const rendered = renderEndpointStack(config, { certificateArn: certificate.CertificateArn });
    const { ImageRepositoryName: added, ...parameters } = rendered.parameters;
    expect(added).toBe("");
    await aws.cfn.send(
      new CreateStackCommand({
        StackName: rendered.stackName,
        TemplateBody: readFileSync("test/fixtures/create-ep-a.previous-release.yaml", "utf8"),
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        Tags: toTagList(rendered.tags),
        Capabilities: ["CAPABILITY_IAM"],
      }),
    );
    expect((await stack("ep-a-prod"))?.StackStatus).toBe("CREATE_COMPLETE");
    expect(await resourceTypes("ep-a-prod")).toContain("AWS::ECR::Repository");
    await pushImage(aws.ecr, "ep-a-prod", "v1");

    const update = await runMlops(["update", file, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(update.code, failure(update)).toBe(0);
    const after = await stack("ep-a-prod");
    expect(after?.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe("v1");
    expect(after?.Parameters?.find((p) => p.ParameterKey === "ImageRepositoryName")?.ParameterValue).toBe("");
    expect(await resourceTypes("ep-a-prod")).toContain("AWS::ECR::Repository");
    expect(await imageTags("ep-a-prod")).toEqual(["v1"]);
    expect(await stack("ep-a-prod-images")).toBeUndefined();

    // create-endpoint run again on it converges the same way: the repository stays where it is.
    await pushImage(aws.ecr, "ep-a-prod", "v2");
    const create = await runMlops(["create-endpoint", file, "--no-pipeline", "--tag", "v2", "--yes"], { endpointUrl: emulator.url });
    expect(create.code, failure(create)).toBe(0);
    expect(create.stderr).not.toContain("ep-a-prod-images");
    expect(await resourceTypes("ep-a-prod")).toContain("AWS::ECR::Repository");
    expect(await imageTags("ep-a-prod")).toEqual(["v1", "v2"]);
    expect(await stack("ep-a-prod-images")).toBeUndefined();

    // Its teardown works as before: the images go after the confirmation, with the stack.
    const teardown = await runMlops(["teardown", file, "--yes"], { endpointUrl: emulator.url });
    expect(teardown.code, failure(teardown)).toBe(0);
    expect(await stack("ep-a-prod")).toBeUndefined();
    expect((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).toEqual([]);
  });
});

// After the previous release's endpoint is gone (its kept file systems and log group are adopted again).
describe("a new endpoint's repository", () => {
  it("is made first in its images stack, which the endpoint's stack pulls from; teardown leaves no stack", async () => {
    const file = join(dir, "ep-a.yaml");
    const create = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", file, "--no-pipeline", "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
    );
    expect(create.code, failure(create)).toBe(0);
    expect(create.stderr).toMatch(/Stack ep-a-prod-images: create 1 resource/);
    const images = await stack("ep-a-prod-images");
    expect(images?.StackStatus).toBe("CREATE_COMPLETE");
    expect(await resourceTypes("ep-a-prod-images")).toEqual(["AWS::ECR::Repository"]);
    const endpoint = await stack("ep-a-prod");
    expect(endpoint?.Parameters?.find((p) => p.ParameterKey === "ImageRepositoryName")?.ParameterValue).toBe("ep-a-prod");
    expect(await resourceTypes("ep-a-prod")).not.toContain("AWS::ECR::Repository");
    const uri = images?.Outputs?.find((o) => o.OutputKey === "RepositoryUri")?.OutputValue;
    expect(uri).toMatch(/\/ep-a-prod$/);
    expect(endpoint?.Outputs?.find((o) => o.OutputKey === "EcrRepositoryUri")?.OutputValue).toBe(uri);

    // Run again: the images stack is found unchanged and gets no change set.
    const again = await runMlops(["create-endpoint", file, "--no-pipeline", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(again.code, failure(again)).toBe(0);
    expect(again.stderr + again.stdout).toContain("Stack ep-a-prod-images is up to date: no changes");

    // update applies a changed images.keep to the images stack's repository.
    writeFileSync(file, `${readFileSync(file, "utf8")}images:\n  keep: 5\n`);
    const update = await runMlops(["update", file, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(update.code, failure(update)).toBe(0);
    expect(update.stderr).toContain("Stack ep-a-prod-images: update");
    expect((await stack("ep-a-prod-images"))?.Parameters?.find((p) => p.ParameterKey === "ImagesToKeep")?.ParameterValue).toBe("5");

    const teardown = await runMlops(["teardown", file, "--yes"], { endpointUrl: emulator.url });
    expect(teardown.code, failure(teardown)).toBe(0);
    expect(teardown.stderr).toMatch(/stack ep-a-prod-images \(its ECR repository, once empty\)/);
    expect(await stack("ep-a-prod")).toBeUndefined();
    expect(await stack("ep-a-prod-images")).toBeUndefined();
    expect((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).toEqual([]);
  });
});
