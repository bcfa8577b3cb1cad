/**
 * A pipeline that builds an ML image: a DLC base registry, a Docker Hub
 * secret, a large build machine and build arguments, deployed on the emulator.
 * The emulator never runs the build: this checks what mlops asks AWS for (the
 * project and the build role's policy); the buildspec's commands are tested in
 * test/templates/buildspec.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeStackResourcesCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEmulator, startEmulator, type RunningEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

let emulator: RunningEmulator;
let aws: ReturnType<typeof sdkClients>;
let iam: IAMClient;
let dir = "";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mlops/dockerhub-AbCdEf";
const DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference";

beforeAll(async () => {
  emulator = await startEmulator();
  await resetEmulator(emulator.url);
  aws = sdkClients(emulator.url);
  iam = new IAMClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  dir = mkdtempSync(join(tmpdir(), "mlops-ml-build-"));
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function paramsFile(pipeline: string): string {
  const base = readFileSync("params/ep-a.yaml", "utf8").replace(/\npipeline:[\s\S]*$/, "\n");
  const file = join(dir, `ep-a-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `${base}pipeline:\n  connectionArn: arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000\n  repository: example-org/ml-endpoints\n${pipeline}`,
  );
  return file;
}

async function project() {
  return (await aws.codeBuild.send(new BatchGetProjectsCommand({ names: ["ep-a-prod"] }))).projects?.[0];
}

async function buildRolePolicy(): Promise<{ Statement: Array<Record<string, unknown>> }> {
  const resources = (await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: "ep-a-prod-pipeline" }))).StackResources ?? [];
  const roleName = resources.find((r) => r.LogicalResourceId === "CodeBuildRole")?.PhysicalResourceId ?? "";
  const [policyName] = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const document = (await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument ?? "";
  return JSON.parse(decodeURIComponent(document)) as { Statement: Array<Record<string, unknown>> };
}

describe("a pipeline for an ML image", () => {
  it("deploys with a DLC registry, a Docker Hub secret, BUILD_GENERAL1_LARGE and build args; the project and the role carry exactly those", async () => {
    const file = paramsFile(
      [
        `  baseImageRegistries: [${DLC}]`,
        `  dockerHubSecret: ${SECRET}`,
        "  computeType: BUILD_GENERAL1_LARGE",
        "  buildArgs:",
        '    TORCH_VERSION: "2.4.0"',
        '    CUDA: "12.1"',
        "",
      ].join("\n"),
    );
    const run = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      runMlops(["create-endpoint", file, "--tag", "v1", "--yes"], { endpointUrl: emulator.url }),
    );
    expect(run.code, failure(run)).toBe(0);

    const p = await project();
    expect(p?.environment?.computeType).toBe("BUILD_GENERAL1_LARGE");
    expect(p?.environment?.privilegedMode).toBe(true);
    const variables = Object.fromEntries((p?.environment?.environmentVariables ?? []).map((v) => [v.name, { value: v.value, type: v.type }]));
    expect(variables["CACHE_REPOSITORY_URI"]).toEqual({
      value: expect.stringMatching(/\.dkr\.ecr\.us-east-1\.amazonaws\.com\/ep-a-prod-build-cache$/),
      type: "PLAINTEXT",
    });
    expect(variables["BASE_IMAGE_REGISTRIES"]).toEqual({ value: "763104351884.dkr.ecr.us-east-1.amazonaws.com", type: "PLAINTEXT" });
    expect(variables["BUILD_ARGS"]).toEqual({ value: "CUDA=12.1\nTORCH_VERSION=2.4.0", type: "PLAINTEXT" });
    expect(variables["DOCKERHUB_USERNAME"]).toEqual({ value: `${SECRET}:username`, type: "SECRETS_MANAGER" });
    expect(variables["DOCKERHUB_TOKEN"]).toEqual({ value: `${SECRET}:token`, type: "SECRETS_MANAGER" });

    const statements = (await buildRolePolicy()).Statement;
    const bySid = (sid: string) => statements.find((s) => s["Sid"] === sid);
    expect(bySid("PullBaseImages")).toMatchObject({
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: ["arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference", "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference/*"],
    });
    expect(bySid("ReadDockerHubSecret")).toMatchObject({ Action: "secretsmanager:GetSecretValue", Resource: SECRET });
    expect(bySid("FillPullThroughCache")).toBeUndefined();
    expect(bySid("PublicEcrLogin")).toBeUndefined();

    // A re-run with changed build settings applies them to the project and the role.
    const changed = paramsFile("  computeType: BUILD_GENERAL1_MEDIUM\n");
    const again = await runMlops(["create-endpoint", changed, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(again.code, failure(again)).toBe(0);
    // The plan lists what changes in the project, and the price of the build.
    expect(again.stderr).toContain(
      "CodeBuild project ep-a-prod: compute type BUILD_GENERAL1_LARGE -> BUILD_GENERAL1_MEDIUM (8 GiB, 4 vCPUs, 128 GB disk, $0.01/build minute in us-east-1)",
    );
    expect(again.stderr).toContain("CodeBuild project ep-a-prod: remove DOCKERHUB_TOKEN");
    expect(again.stderr).toContain("Build: BUILD_GENERAL1_MEDIUM (8 GiB, 4 vCPUs, 128 GB disk, $0.01/build minute in us-east-1)");
    const q = await project();
    expect(q?.environment?.computeType).toBe("BUILD_GENERAL1_MEDIUM");
    const names = (q?.environment?.environmentVariables ?? []).map((v) => v.name);
    expect(names).not.toContain("DOCKERHUB_TOKEN");
    expect(names).not.toContain("BUILD_ARGS");
    // The role's rights follow from the pipeline stack's parameters (CloudFormation updates its policies).
    const parameters = Object.fromEntries(
      ((await aws.cfn.send(new DescribeStacksCommand({ StackName: "ep-a-prod-pipeline" }))).Stacks?.[0]?.Parameters ?? []).map((p) => [
        p.ParameterKey,
        p.ParameterValue,
      ]),
    );
    expect(parameters).toMatchObject({ BaseImageRepositoryArns: "", DockerHubSecretArn: "", DockerHubSecretName: "", PublicEcrLogin: "false" });

    // update applies changed build settings too, even with nothing else to change.
    const larger = paramsFile('  computeType: BUILD_GENERAL1_LARGE\n  buildArgs: {CUDA: "12.4"}\n');
    const updated = await runMlops(["update", larger, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(updated.code, failure(updated)).toBe(0);
    expect(updated.stderr).toContain("CodeBuild project ep-a-prod: compute type BUILD_GENERAL1_MEDIUM -> BUILD_GENERAL1_LARGE");
    expect(updated.stderr).toContain("CodeBuild project ep-a-prod: set BUILD_ARGS");
    const r = await project();
    expect(r?.environment?.computeType).toBe("BUILD_GENERAL1_LARGE");
    expect(r?.environment?.environmentVariables?.find((v) => v.name === "BUILD_ARGS")).toEqual({ name: "BUILD_ARGS", value: "CUDA=12.4", type: "PLAINTEXT" });

    // Unchanged settings: update has nothing to do.
    const same = await runMlops(["update", larger, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(same.code, failure(same)).toBe(0);
    expect(same.stderr + same.stdout).toContain("nothing to change");

    // Teardown names the layer cache in its plan and deletes it with the pipeline stack.
    const down = await runMlops(["teardown", larger, "--yes"], { endpointUrl: emulator.url });
    expect(down.code, failure(down)).toBe(0);
    expect(down.stderr + down.stdout).toContain("the build's layer cache in ECR ep-a-prod-build-cache, with its images");
    const repositories = ((await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName);
    expect(repositories).not.toContain("ep-a-prod-build-cache");
  }, 360_000);
});
