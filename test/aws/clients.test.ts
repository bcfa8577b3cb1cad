/**
 * The real SDK adapters: client construction and region resolution offline,
 * then a stack's whole life through `deployStack` against the emulator that
 * the global setup starts (MLOPS_TEST_ENDPOINT; skipped when there is none).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAwsClients, type ClientName } from "../../src/aws/clients.js";
import { systemClock } from "../../src/deploy/engine/clock.js";
import { deleteStack, deployStack, findStack, type StackDeps } from "../../src/deploy/engine/stack.js";
import { AwsError, CredentialsError, InputError } from "../../src/errors.js";
import { MemoryOutput } from "../fakes/output.js";

const ENV_KEYS = [
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_EC2_METADATA_DISABLED",
];
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  // No test may read the developer's own AWS set-up, nor ask an instance metadata service.
  const dir = mkdtempSync(join(tmpdir(), "mlops-aws-"));
  process.env.AWS_CONFIG_FILE = join(dir, "config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  for (const key of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN"]) delete process.env[key];
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
});

afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.restoreAllMocks();
});

describe("createAwsClients", () => {
  it("builds a client for every interface, in the region given, each naming its call and IAM action", async () => {
    // A local endpoint that denies every request in the caller's protocol, and keeps how each was signed.
    const signed: string[] = [];
    const server = createServer((request, response) => {
      request.resume();
      const authorization = String(request.headers.authorization ?? "");
      // SigV4: Credential=KEY/DATE/REGION/SERVICE/aws4_request
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(authorization);
      signed.push(scope ? `${scope[2]} ${scope[1]}` : "unsigned");
      const json = String(request.headers["content-type"] ?? "").includes("json");
      const service = scope?.[2];
      const body = json
        ? JSON.stringify({ __type: "AccessDeniedException", message: "denied", Message: "denied" })
        : service === "ec2"
          ? "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>denied</Message></Error></Errors></Response>"
          : service === "s3"
            ? "<Error><Code>AccessDenied</Code><Message>denied</Message></Error>"
            : "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error></ErrorResponse>";
      response.writeHead(403, { "content-type": json ? "application/x-amz-json-1.1" : "text/xml", "x-amzn-errortype": "AccessDeniedException" });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const aws = await createAwsClients({ region: "eu-west-1", endpointUrl: `http://127.0.0.1:${port}`, retry: { budgetMs: 0, requestTimeoutMs: 5000 } });
      expect(aws.region).toBe("eu-west-1");
      // One call per client, typed against every client name: a new client without a row here does not compile.
      const calls: Record<ClientName, [service: string, operation: string, iamAction: string, call: () => Promise<unknown>]> = {
        cloudFormation: ["CloudFormation", "DescribeStacks", "cloudformation:DescribeStacks", () => aws.cloudFormation.describeStacks({})],
        ec2: ["EC2", "DescribeSecurityGroups", "ec2:DescribeSecurityGroups", () => aws.ec2.describeSecurityGroups({})],
        ecs: ["ECS", "DescribeServices", "ecs:DescribeServices", () => aws.ecs.describeServices({ services: ["s"] })],
        cloudWatch: ["CloudWatch", "DescribeAlarms", "cloudwatch:DescribeAlarms", () => aws.cloudWatch.describeAlarms({})],
        elb: ["Elastic Load Balancing", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers", () => aws.elb.describeLoadBalancers({})],
        ecr: ["ECR", "DescribeRepositories", "ecr:DescribeRepositories", () => aws.ecr.describeRepositories({})],
        acm: ["ACM", "ListCertificates", "acm:ListCertificates", () => aws.acm.listCertificates({})],
        logs: ["CloudWatch Logs", "DescribeLogStreams", "logs:DescribeLogStreams", () => aws.logs.describeLogStreams({ logGroupName: "g" })],
        s3: ["S3", "ListObjectVersions", "s3:ListObjectVersions", () => aws.s3.listObjectVersions({ Bucket: "b" })],
        codeBuild: ["CodeBuild", "BatchGetBuilds", "codebuild:BatchGetBuilds", () => aws.codeBuild.batchGetBuilds({ ids: ["b:1"] })],
        codePipeline: ["CodePipeline", "GetPipelineState", "codepipeline:GetPipelineState", () => aws.codePipeline.getPipelineState({ name: "p" })],
        connections: [
          "CodeStar Connections",
          "GetConnection",
          "codestar-connections:GetConnection",
          () => aws.connections.getConnection({ ConnectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/x" }),
        ],
        efs: ["EFS", "DescribeFileSystems", "elasticfilesystem:DescribeFileSystems", () => aws.efs.describeFileSystems({})],
        sts: ["STS", "GetCallerIdentity", "", () => aws.sts.getCallerIdentity({})],
        ssm: ["SSM", "GetParametersByPath", "ssm:GetParametersByPath", () => aws.ssm.getParametersByPath({ Path: "/p" })],
        route53: ["Route 53", "ListHostedZonesByName", "route53:ListHostedZonesByName", () => aws.route53.listHostedZonesByName({})],
        iam: ["IAM", "ListRolePolicies", "iam:ListRolePolicies", () => aws.iam.listRolePolicies({ RoleName: "r" })],
      };
      const names = Object.keys(aws).filter((key) => !["region", "regionSource", "profile", "endpointUrl"].includes(key));
      expect(names.sort()).toEqual(Object.keys(calls).sort());
      for (const [name, [service, operation, iamAction, call]] of Object.entries(calls)) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, name).toBeInstanceOf(name === "sts" ? CredentialsError : AwsError);
        expect((error as AwsError).message, name).toMatch(name === "sts" ? `(${service} ${operation}): ` : new RegExp(`^${service} ${operation}: `));
        // A denied GetCallerIdentity means the credentials themselves are refused: that hint is about credentials.
        if (iamAction)
          expect((error as AwsError).hint, name).toBe(
            `The identity in use is not allowed ${iamAction}; ask an administrator to allow it, or use another --profile.`,
          );
      }
      // Each client signs for its own service, in the region given (at a custom endpoint, IAM and Route 53 too).
      expect(signed).toEqual([
        "cloudformation eu-west-1",
        "ec2 eu-west-1",
        "ecs eu-west-1",
        "monitoring eu-west-1",
        "elasticloadbalancing eu-west-1",
        "ecr eu-west-1",
        "acm eu-west-1",
        "logs eu-west-1",
        "s3 eu-west-1",
        "codebuild eu-west-1",
        "codepipeline eu-west-1",
        "codestar-connections eu-west-1",
        "elasticfilesystem eu-west-1",
        "sts eu-west-1",
        "ssm eu-west-1",
        "route53 eu-west-1",
        "iam eu-west-1",
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads AWS_REGION, then AWS_DEFAULT_REGION, then the profile's config", async () => {
    // Written first: the SDK caches a config file once any client has read it.
    writeFileSync(process.env.AWS_CONFIG_FILE as string, "[profile ml-dev]\nregion = ap-south-1\n");
    process.env.AWS_DEFAULT_REGION = "us-west-2";
    expect(await createAwsClients({})).toMatchObject({ region: "us-west-2", regionSource: "AWS_DEFAULT_REGION" });
    process.env.AWS_REGION = "eu-central-1";
    expect(await createAwsClients({})).toMatchObject({ region: "eu-central-1", regionSource: "AWS_REGION" });
    expect(await createAwsClients({ region: "sa-east-1" })).toMatchObject({ region: "sa-east-1", regionSource: "--region" });
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    // Messages name where the region came from, so a user who expected another one sees why.
    expect(await createAwsClients({ profile: "ml-dev" })).toMatchObject({ region: "ap-south-1", regionSource: "profile ml-dev in the AWS config file" });
  });

  it("asks for --region when none can be found", async () => {
    const error = await createAwsClients({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).message).toBe("--region: No AWS region is set.");
    expect((error as InputError).hint).toContain("--region");
  });

  it("keeps the SDK's Node version warning away from users", async () => {
    const emitted = vi.spyOn(process, "emitWarning");
    await createAwsClients({ region: "eu-west-1" });
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe("true");
    expect(emitted.mock.calls.filter((call) => String(call[0]).includes("NodeVersionSupportWarning"))).toEqual([]);
  });

  it("names the endpoint it cannot reach", async () => {
    const aws = await createAwsClients({ region: "us-east-1", endpointUrl: "http://127.0.0.1:9", retry: { budgetMs: 0, requestTimeoutMs: 1000 } });
    const error = await aws.cloudFormation.describeStacks({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).message).toMatch(/^CloudFormation DescribeStacks: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED/);
  });

  it("reports missing credentials in one line with what to do", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const aws = await createAwsClients({ region: "us-east-1", profile: "nobody", endpointUrl: "http://127.0.0.1:9" });
    const error = await aws.sts.getCallerIdentity({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).message).not.toContain("\n");
    expect((error as CredentialsError).hint).toContain("aws sso login --profile nobody");
  });
});

const endpoint = process.env.MLOPS_TEST_ENDPOINT;

describe.skipIf(!endpoint)("the real adapters against the emulator", () => {
  const run = Date.now();
  // Unique per run: the emulator may keep a log group after its stack is deleted.
  const template = (variant: number) =>
    JSON.stringify({
      Parameters: { Retention: { Type: "Number", Default: "7" } },
      // The variant changes a tag, not the name: a new LogGroupName would replace the log group (create-only).
      Resources: {
        Logs: {
          Type: "AWS::Logs::LogGroup",
          Properties: {
            LogGroupName: `mlops-adapter-test-${run}-logs`,
            RetentionInDays: { Ref: "Retention" },
            Tags: [{ Key: "variant", Value: String(variant) }],
          },
        },
      },
      Outputs: { LogGroupName: { Value: { Ref: "Logs" }, Export: { Name: `mlops-adapter-test-${run}-logs` } } },
    });

  it("creates, leaves unchanged, updates and deletes a stack", async () => {
    const aws = await createAwsClients({ region: "us-east-1", endpointUrl: endpoint });
    const out = new MemoryOutput();
    const deps: StackDeps = { cfn: aws.cloudFormation, out, clock: systemClock, assumeYes: true, pollIntervalMs: 50 };
    const stackName = `mlops-adapter-test-${run}`;
    const spec = (retention: string, body = template(7)) => ({
      stackName,
      templateBody: body,
      parameters: { Retention: retention },
      tags: { "mlops:test": "adapters" },
    });

    const missing = await aws.cloudFormation.describeStacks({ StackName: stackName }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AwsError);
    expect((missing as AwsError).code).toBe("ValidationError");
    expect((missing as AwsError).message).toBe(`CloudFormation DescribeStacks: Stack with id ${stackName} does not exist`);
    expect(await findStack(aws.cloudFormation, stackName)).toBeUndefined();

    const created = await deployStack(spec("7"), deps);
    expect(created.kind).toBe("created");
    expect(created.stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(created.outputs).toEqual({ LogGroupName: `mlops-adapter-test-${run}-logs` });

    const unchanged = await deployStack(spec("7"), deps);
    expect(unchanged.kind).toBe("unchanged");

    const updated = await deployStack(spec("14"), deps);
    expect(updated.kind).toBe("updated");
    expect(updated.stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(updated.stack.Parameters).toContainEqual({ ParameterKey: "Retention", ParameterValue: "14" });

    const changedTemplate = await deployStack(spec("14", template(30)), deps);
    expect(changedTemplate.kind).toBe("updated");

    // A stack importing the export keeps it from being deleted; the error names the importer.
    const importer = `${stackName}-importer`;
    const importing = JSON.stringify({
      Resources: {
        Logs: {
          Type: "AWS::Logs::LogGroup",
          Properties: { LogGroupName: { "Fn::Join": ["-", [{ "Fn::ImportValue": `mlops-adapter-test-${run}-logs` }, "b"]] } },
        },
      },
    });
    expect((await deployStack({ stackName: importer, templateBody: importing, parameters: {}, tags: {} }, deps)).kind).toBe("created");
    const refused = await deleteStack(stackName, deps).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AwsError);
    expect((refused as AwsError).message).toBe(
      `Stack ${stackName} cannot be deleted: other stacks import its exports: mlops-adapter-test-${run}-logs (used by ${importer}).`,
    );
    expect(await deleteStack(importer, deps)).toEqual({ kind: "deleted" });

    expect(await deleteStack(stackName, deps)).toEqual({ kind: "deleted" });
    expect(await findStack(aws.cloudFormation, stackName)).toBeUndefined();
    expect(await deleteStack(stackName, deps)).toEqual({ kind: "absent" });
    expect(out.lines.filter((l) => l.startsWith("success:"))).toEqual([
      `success: Stack ${stackName} created (CREATE_COMPLETE) in 0:00`,
      `success: Stack ${stackName} is up to date: no changes`,
      `success: Stack ${stackName} updated (UPDATE_COMPLETE) in 0:00`,
      `success: Stack ${stackName} updated (UPDATE_COMPLETE) in 0:00`,
      `success: Stack ${importer} created (CREATE_COMPLETE) in 0:00`,
      `success: Stack ${importer} deleted`,
      `success: Stack ${stackName} deleted`,
    ]);
  });
});
