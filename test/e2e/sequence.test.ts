/**
 * The documented sequence end to end: the real `mlops` binary against the
 * emulator, then the resulting AWS state checked through the SDK.
 */
import { DescribeStackResourcesCommand, DescribeStacksCommand, ListExportsCommand } from "@aws-sdk/client-cloudformation";
import { BatchGetProjectsCommand } from "@aws-sdk/client-codebuild";
import { ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { DescribeFlowLogsCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { DescribeFileSystemsCommand, UntagResourceCommand } from "@aws-sdk/client-efs";
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListCertificatesCommand } from "@aws-sdk/client-acm";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListBucketsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushImage, pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
});

async function deployWithPush(args: string[], repository: string, tag: string): Promise<MlopsRun> {
  const controller = new AbortController();
  const pushing = pushWhenRepositoryExists(aws.ecr, repository, tag, controller.signal);
  const run = await runMlops(args, { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
  return run;
}

async function stack(name: string) {
  const result = await aws.cfn.send(new DescribeStacksCommand({ StackName: name }));
  return result.Stacks?.[0];
}

function parameter(s: Awaited<ReturnType<typeof stack>>, key: string): string | undefined {
  return s?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

function output(s: Awaited<ReturnType<typeof stack>>, key: string): string | undefined {
  return s?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

async function stackExists(name: string): Promise<boolean> {
  try {
    const s = await stack(name);
    return s !== undefined && s.StackStatus !== "DELETE_COMPLETE";
  } catch {
    return false;
  }
}

describe("create-endpoint, add-endpoint, update, status, teardown", () => {
  it("create-endpoint creates the base stack, the pipeline and runs the image", async () => {
    const run = await deployWithPush(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], "ep-a-prod", "v1");
    expect(run.code, failure(run)).toBe(0);
    const a = await stack("ep-a-prod");
    expect(a?.StackStatus).toMatch(/_COMPLETE$/);
    expect(parameter(a, "APITag")).toBe("v1");
    expect(parameter(a, "DesiredCount")).toBe("2");
    // The first rollout set the count (0 -> 2) together with the image.
    expect(parameter(a, "SendDesiredCount")).toBe("true");
    expect(output(a, "EndpointUrl")).toBe("https://ep-a.example.com");
    // The repository is the images stack's, made first; the endpoint's stack pulls from it and holds none itself.
    const images = await stack("ep-a-prod-images");
    expect(images?.StackStatus).toBe("CREATE_COMPLETE");
    expect(output(images, "RepositoryName")).toBe("ep-a-prod");
    expect(parameter(a, "ImageRepositoryName")).toBe("ep-a-prod");
    expect(output(a, "EcrRepositoryUri")).toBe(output(images, "RepositoryUri"));
    const own = await aws.cfn.send(new DescribeStackResourcesCommand({ StackName: "ep-a-prod" }));
    expect((own.StackResources ?? []).map((r) => r.ResourceType)).not.toContain("AWS::ECR::Repository");
    expect(run.stderr.indexOf("Creating stack ep-a-prod-images")).toBeLessThan(run.stderr.indexOf("Creating stack ep-a-prod with no tasks"));
    const exports = (await aws.cfn.send(new ListExportsCommand({}))).Exports ?? [];
    expect(exports.map((e) => e.Name)).toContain("ep-a-prod-HttpsListenerArn");
    const pipelines = (await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? [];
    expect(pipelines.map((p) => p.name)).toContain("ep-a-prod");
    const projects = (await aws.codeBuild.send(new BatchGetProjectsCommand({ names: ["ep-a-prod"] }))).projects ?? [];
    expect(projects[0]?.environment?.privilegedMode).toBe(true);
    expect(projects[0]?.timeoutInMinutes).toBe(120);
    expect(projects[0]?.environment?.image).toMatch(/^aws\/codebuild\/standard:(7|8)\.0$/);
    // The emulator's load balancer resolves nowhere: deployed, not "ready", since no request reached it.
    expect(run.stderr).toContain(
      "Endpoint deployed: https://ep-a.example.com (its tasks are healthy behind the load balancer; the request could not be made from here",
    );
    expect(run.stderr).not.toContain("Endpoint ready");
    // The whole create on AWS (create-time model) before, and the run's phases beside it after.
    expect(run.stderr).toMatch(/Create time: About \d+ min on AWS: infrastructure ~\d+ min, (then the first build ~\d+ min, )?then the rollout ~\d+ min/);
    expect(run.stderr).toMatch(
      /This run beside the AWS estimate: infrastructure \d+ s \(AWS ~\d+ min\), (build \d+ s \(AWS ~\d+ min\), )?rollout \d+ s \(AWS ~\d+ min\); total \d+ s \(AWS ~\d+ min\)\./,
    );
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|node >=22/);
    // The plan of a new base endpoint fits on a screen: resources counted by kind, not listed.
    const lines = run.stderr.split("\n");
    const start = lines.findIndex((l) => l.startsWith("==> Plan for ep-a-prod"));
    const end = lines.findIndex((l, i) => i > start && l.startsWith("==> "));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end - start, lines.slice(start, end).join("\n")).toBeLessThanOrEqual(30);
    const planned = /Stack ep-a-prod: create (\d+) resources/.exec(run.stderr)?.[1];
    expect(lines.slice(start, end).join("\n")).toMatch(/^ +IAM \d+: .*TaskRole/m);
    // The stack's start says the same count, once, without listing the resources again.
    expect(run.stderr).toMatch(new RegExp(`Stack ep-a-prod will create ${planned} resources: network \\d+`));
    expect(run.stderr).not.toMatch(/^ +Add +Vpc +AWS::EC2::VPC/m);
    // The plan names what the base costs a month (us-east-1 prices; 2 tasks of 1 vCPU/2 GB in params/ep-a.yaml).
    expect(run.stderr).toContain(
      "Cost: about $133.31/month fixed (NAT gateway $32.85, load balancer $16.43, 3 public IPv4 $10.95, 2 tasks 1 vCPU/2 GB $72.08, KMS key $1.00)",
    );
    expect(run.stderr).toMatch(/Cost with use: EFS \$0\.30\/GB-month, .*; prices us-east-1 as of \d{4}-\d{2}-\d{2}/);
    // Logging on by default: flow logs of the VPC, the session log group, both access-log buckets.
    const flowLogs = (await aws.ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? [];
    expect(flowLogs.map((f) => f.ResourceId)).toContain(output(a, "VpcId"));
    expect(output(a, "ExecLogGroupName")).toMatch(/^\/mlops\/ep-a-prod\/ecs-exec\/[0-9a-f-]+$/);
    const accessLogs = output(a, "LoadBalancerAccessLogsBucket");
    const pipelineLogs = output(await stack("ep-a-prod-pipeline"), "AccessLogsBucketName");
    const buckets = ((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(buckets).toEqual(expect.arrayContaining([accessLogs, pipelineLogs]));
    // Delivered logs, which teardown must remove before the stacks can delete their buckets.
    for (const bucket of [accessLogs, pipelineLogs]) {
      await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "AWSLogs/123456789012/log.gz", Body: "log" }));
    }
  });

  it("diff right after create-endpoint finds nothing to change (exit 0)", async () => {
    // The stack stops sending the task count once it was sent: dropping DesiredCount alone is no change.
    const run = await runMlops(["diff", "params/ep-a.yaml", "--tag", "v1"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/DesiredCount/);
  });

  it("running create-endpoint again converges without duplicating anything", async () => {
    const before = (await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems?.length;
    const run = await runMlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems?.length).toBe(before);
    const pipelines = (await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? [];
    expect(pipelines.filter((p) => p.name === "ep-a-prod")).toHaveLength(1);
  });

  it("add-endpoint joins the base with its own rule priority and EFS access", async () => {
    const run = await deployWithPush(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], "ep-b-prod", "v1");
    expect(run.code, failure(run)).toBe(0);
    // An added endpoint shares the base's NAT gateway and load balancer: its fixed cost is its tasks.
    expect(run.stderr).toContain("Cost: about $72.08/month fixed (2 tasks 1 vCPU/2 GB $72.08)");
    const a = await stack("ep-a-prod");
    const b = await stack("ep-b-prod");
    expect(b?.StackStatus).toMatch(/_COMPLETE$/);
    const rules = (await aws.elb.send(new DescribeRulesCommand({ ListenerArn: (await exportValue("ep-a-prod-HttpsListenerArn"))! }))).Rules ?? [];
    const priorities = rules.filter((r) => !r.IsDefault).map((r) => r.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    expect(parameter(b, "ListenerRulePriority")).not.toBe(parameter(a, "ListenerRulePriority"));
    const efsGroup = output(b, "EfsSecurityGroupId")!;
    const taskGroup = output(b, "TaskSecurityGroupId")!;
    const groups = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [efsGroup] }))).SecurityGroups ?? [];
    const admitted = groups[0]?.IpPermissions?.some((p) => p.FromPort === 2049 && p.UserIdGroupPairs?.some((g) => g.GroupId === taskGroup));
    expect(admitted).toBe(true);
  });

  it("update --tag refuses a tag missing from ECR and changes nothing", async () => {
    const run = await runMlops(["update", "params/ep-a.yaml", "--tag", "missing-tag", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("missing-tag");
    expect(parameter(await stack("ep-a-prod"), "APITag")).toBe("v1");
  });

  it("a new api.port on the deployed endpoint is refused with exit 2, naming the field, before any change", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-port-"));
    const file = join(dir, "ep-a.yaml");
    writeFileSync(file, readFileSync("params/ep-a.yaml", "utf8").replace("port: 8000", "port: 9000"));
    try {
      const before = await stack("ep-a-prod");
      const run = await runMlops(["create-endpoint", file, "--tag", "v1", "--yes"], { endpointUrl: emulator.url });
      expect(run.code, failure(run)).toBe(2);
      expect(run.stderr).toContain(`${file}: api.port: is 8000 on the deployed endpoint ep-a-prod; changing it to 9000`);
      const after = await stack("ep-a-prod");
      expect(after?.LastUpdatedTime).toEqual(before?.LastUpdatedTime);
      expect(parameter(after, "ApiPort")).toBe("8000");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("update --tag rolls out the new tag, and again is a no-op", async () => {
    await pushImage(aws.ecr, "ep-a-prod", "v2");
    const run = await runMlops(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const updated = await stack("ep-a-prod");
    expect(parameter(updated, "APITag")).toBe("v2");
    // The count did not change: the rollout leaves the service's count to autoscaling.
    expect(parameter(updated, "DesiredCount")).toBe("2");
    expect(parameter(updated, "SendDesiredCount")).toBe("false");
    // A new task definition revision is how an image rolls out: no warning.
    expect(run.stderr).not.toMatch(/^! .*TaskDefinition/m);
    const again = await runMlops(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], { endpointUrl: emulator.url });
    expect(again.code, failure(again)).toBe(0);
    expect(again.stderr).toMatch(/already runs v2|nothing to change/);
  });

  it("status lists both endpoints as JSON", async () => {
    const run = await runMlops(["status", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const status = JSON.parse(run.stdout) as {
      healthy: boolean;
      endpoints: { endpoint: string; role: string; imageTag: string; url: string; problems: string[] }[];
    };
    expect(status.endpoints.flatMap((e) => e.problems)).toEqual([]);
    expect(status.healthy).toBe(true);
    expect(status.endpoints.map((e) => [e.endpoint, e.role, e.imageTag])).toEqual([
      ["ep-a-prod", "base", "v2"],
      ["ep-b-prod", "added", "v1"],
    ]);
  });

  it("update without --tag deploys the image of git HEAD (tag-<sha>) instead of asking for the option", async () => {
    const repo = mkdtempSync(join(tmpdir(), "mlops-head-"));
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["-c", "user.name=mlops", "-c", "user.email=mlops@localhost", "commit", "--allow-empty", "-qm", "build"], { cwd: repo });
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo }).toString().trim();
    await pushImage(aws.ecr, "ep-a-prod", `tag-${sha}`);
    const run = await runMlops(["update", resolve("params/ep-a.yaml"), "--yes"], { endpointUrl: emulator.url, cwd: repo });
    expect(run.code, failure(run)).toBe(0);
    expect(parameter(await stack("ep-a-prod"), "APITag")).toBe(`tag-${sha}`);
  });

  it("update without --tag keeps the running image when git HEAD's build is not in ECR, inside a checkout or not, and says why", async () => {
    const running = parameter(await stack("ep-a-prod"), "APITag");
    const dir = mkdtempSync(join(tmpdir(), "mlops-keep-"));
    try {
      const file = join(dir, "ep-a.yaml");
      writeFileSync(file, readFileSync("params/ep-a.yaml", "utf8").replace("memory: 2GB", "memory: 4GB"));
      execFileSync("git", ["init", "-q"], { cwd: dir });
      execFileSync("git", ["-c", "user.name=mlops", "-c", "user.email=mlops@localhost", "commit", "--allow-empty", "-qm", "not built"], { cwd: dir });
      const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir }).toString().trim();
      const run = await runMlops(["update", file, "--yes"], { endpointUrl: emulator.url, cwd: dir });
      expect(run.code, failure(run)).toBe(0);
      expect(run.stderr).toContain(
        `Rollout: image ${running} (running now, kept: the image of git HEAD (tag-${sha}, built from git HEAD) is not in ECR; --tag picks another)`,
      );
      const updated = await stack("ep-a-prod");
      expect(parameter(updated, "APITag")).toBe(running);
      expect(parameter(updated, "TaskRAM")).toBe("4096");
      // Outside a checkout: the same, and with nothing left to change, a no-op saying why.
      const outside = await runMlops(["update", file, "--yes"], { endpointUrl: emulator.url, cwd: tmpdir() });
      expect(outside.code, failure(outside)).toBe(0);
      expect(outside.stderr).toContain(
        `already runs ${running} with this configuration: nothing to change (image: running now, kept: no --tag, and no git checkout here`,
      );
      const back = await runMlops(["update", "params/ep-a.yaml", "--tag", running!, "--yes"], { endpointUrl: emulator.url });
      expect(back.code, failure(back)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("status NAME shows one endpoint, by project or project-environment; an unknown name is bad input", async () => {
    const byProject = await runMlops(["status", "ep-b", "--json"], { endpointUrl: emulator.url });
    expect(byProject.code, failure(byProject)).toBe(0);
    expect((JSON.parse(byProject.stdout) as { endpoint: { endpoint: string; role: string } }).endpoint).toMatchObject({ endpoint: "ep-b-prod", role: "added" });
    const byId = await runMlops(["status", "ep-a-prod"], { endpointUrl: emulator.url });
    expect(byId.code, failure(byId)).toBe(0);
    expect(byId.stdout).toMatch(/^ep-a-prod \(base endpoint\)/m);
    expect(byId.stdout).not.toContain("ep-b-prod");
    const unknown = await runMlops(["status", "ep-z"], { endpointUrl: emulator.url });
    expect(unknown.code, failure(unknown)).toBe(2);
    expect(unknown.stderr).toContain("no endpoint named ep-z in us-east-1 (from AWS_REGION); endpoints there: ep-a-prod, ep-b-prod");
  });

  it("teardown of the base alone is refused while B imports its exports", async () => {
    const run = await runMlops(["teardown", "params/ep-a.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("ep-b-prod");
    expect(await stackExists("ep-a-prod")).toBe(true);
  });

  it("teardown --all removes everything but keeps EFS", async () => {
    const efsBefore = (await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? [];
    const b = await stack("ep-b-prod");
    const efsGroup = output(b, "EfsSecurityGroupId")!;
    const run = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    for (const name of ["ep-a-prod", "ep-b-prod", "ep-a-prod-pipeline", "ep-b-prod-pipeline", "ep-a-prod-images", "ep-b-prod-images"])
      expect(await stackExists(name), name).toBe(false);
    expect((await aws.codePipeline.send(new ListPipelinesCommand({}))).pipelines ?? []).toEqual([]);
    const projects = (await aws.codeBuild.send(new BatchGetProjectsCommand({ names: ["ep-a-prod", "ep-b-prod"] }))).projects ?? [];
    expect(projects).toEqual([]);
    const repositories = (await aws.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    expect(repositories.map((r) => r.repositoryName)).toEqual([]);
    const groups = await aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [efsGroup] }] }));
    expect(groups.SecurityGroups ?? []).toEqual([]);
    const efsAfter = (await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? [];
    expect(efsAfter.map((f) => f.FileSystemId).sort()).toEqual(efsBefore.map((f) => f.FileSystemId).sort());
    expect(run.stderr).toMatch(/Kept 4 EFS file system/);
    expect(run.stdout).toContain(
      "Deleted 6 stacks, 0 EFS file systems, 0 log groups, 0 certificates, 0 access-log buckets; kept 4 EFS file systems, 4 log groups, 2 certificates, 3 access-log buckets.",
    );
    expect(await logGroups()).toEqual(["/mlops/ep-a-prod", "/mlops/ep-b-prod"]);
    // Only the access logs are left in S3, kept without --delete-data: the load balancer's and the two artifact buckets'.
    expect(((await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name)).toEqual([
      expect.stringMatching(/accesslogsbucket/i),
      expect.stringMatching(/accesslogsbucket/i),
      expect.stringMatching(/accesslogsbucket/i),
    ]);
    expect((await aws.ec2.send(new DescribeFlowLogsCommand({}))).FlowLogs ?? []).toEqual([]);
  });

  it("status shows what the teardown kept, in the table and as JSON", async () => {
    const json = await runMlops(["status", "--json"], { endpointUrl: emulator.url });
    expect(json.code, failure(json)).toBe(0);
    const report = JSON.parse(json.stdout) as {
      endpoints: unknown[];
      kept: { fileSystems: { endpoint: string; volume: string; sizeBytes: number }[]; logGroups: { endpoint: string; name: string }[] };
    };
    expect(report.endpoints).toEqual([]);
    expect(report.kept.fileSystems.map((f) => `${f.endpoint}/${f.volume}`).sort()).toEqual([
      "ep-a-prod/assets",
      "ep-a-prod/weights",
      "ep-b-prod/assets",
      "ep-b-prod/weights",
    ]);
    expect(report.kept.fileSystems.every((f) => typeof f.sizeBytes === "number")).toBe(true);
    expect(report.kept.logGroups.map((g) => [g.endpoint, g.name])).toEqual([
      ["ep-a-prod", "/aws/codebuild/ep-a-prod"],
      ["ep-b-prod", "/aws/codebuild/ep-b-prod"],
      ["ep-a-prod", "/mlops/ep-a-prod"],
      ["ep-b-prod", "/mlops/ep-b-prod"],
    ]);
    const table = await runMlops(["status"], { endpointUrl: emulator.url });
    expect(table.code, failure(table)).toBe(0);
    expect(table.stdout).toContain("Kept by teardowns");
    expect(table.stdout).toMatch(/^ep-b-prod\s+EFS file system \(weights\)\s+fs-\w+\s+\d+ B$/m);
    expect(table.stdout).toMatch(/^ep-a-prod\s+log group\s+\/mlops\/ep-a-prod/m);
    // Requested by create-endpoint and add-endpoint, tagged with their endpoint.
    expect(table.stdout).toMatch(/^ep-b-prod\s+ACM certificate \(ep-b\.example\.com\)\s+arn:aws:acm:/m);
    const again = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(again.code, failure(again)).toBe(0);
    expect(again.stderr).toContain("Nothing to tear down.");
    expect(again.stderr).toMatch(/Kept from earlier teardowns: 4 EFS file systems \(\d+ B\), 4 log groups, 2 certificates/);
  });

  it("re-creating the base mounts its kept file systems instead of new ones", async () => {
    const kept = ((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).filter((f) =>
      f.Tags?.some((t) => t.Key === "mlops:endpoint" && t.Value === "ep-a-prod"),
    );
    expect(kept.map((f) => f.Tags?.find((t) => t.Key === "mlops:volume-root")?.Value)).toEqual(["/data", "/data"]);
    // The weights file system as an earlier version left it: no volume-root tag, its data at its root.
    const weightsId = kept.find((f) => f.Tags?.some((t) => t.Key === "mlops:volume" && t.Value === "weights"))!.FileSystemId!;
    await aws.efs.send(new UntagResourceCommand({ ResourceId: weightsId, TagKeys: ["mlops:volume-root"] }));
    const run = await deployWithPush(["create-endpoint", "params/ep-a.yaml", "--tag", "v3", "--yes", "--no-pipeline"], "ep-a-prod", "v3");
    expect(run.code, failure(run)).toBe(0);
    const a = await stack("ep-a-prod");
    expect([parameter(a, "AssetsFileSystemId"), parameter(a, "WeightsFileSystemId")].sort()).toEqual(kept.map((f) => f.FileSystemId).sort());
    // Each volume shows the directory its data is in: nothing kept is hidden.
    expect([parameter(a, "AssetsVolumeRoot"), parameter(a, "WeightsVolumeRoot")]).toEqual(["/data", "/"]);
    expect(parameter(a, "LogGroupExists")).toBe("true");
    const all = (await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? [];
    expect(all.filter((f) => f.Tags?.some((t) => t.Key === "mlops:endpoint" && t.Value === "ep-a-prod"))).toHaveLength(2);
    const gone = await runMlops(["teardown", "params/ep-a.yaml", "--yes", "--delete-data"], { endpointUrl: emulator.url });
    expect(gone.code, failure(gone)).toBe(0);
    const left = ((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).filter((f) =>
      f.Tags?.some((t) => t.Key === "mlops:endpoint" && t.Value === "ep-a-prod"),
    );
    expect(left).toEqual([]);
    expect(await logGroups()).toEqual(["/mlops/ep-b-prod"]);
    // The certificate mlops requested for ep-a went with its data; ep-b's stays until its own teardown with --delete-data.
    const domains = ((await aws.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? []).map((c) => c.DomainName);
    expect(domains).not.toContain("ep-a.example.com");
    expect(domains).toContain("ep-b.example.com");
  });

  it("teardown --all --delete-data removes the data kept from endpoints whose stacks are gone", async () => {
    // ep-b-prod's stack is gone but its file systems and log group were kept.
    // One endpoint's teardown names its own command to delete what it kept, not --all's (which deletes every endpoint's).
    const single = await runMlops(["teardown", "params/ep-b.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(single.code, failure(single)).toBe(0);
    expect(single.stderr).toContain("`npx mlops teardown params/ep-b.yaml --delete-data` deletes them");
    await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    const declined = await runMlops(["teardown", "--all", "--delete-data"], { endpointUrl: emulator.url });
    expect(declined.code, failure(declined)).toBe(2);
    expect((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems?.length).toBeGreaterThan(0);
    const run = await runMlops(["teardown", "--all", "--delete-data", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/Kept by earlier teardowns, deleted now with ALL THEIR DATA \(--delete-data\): \d EFS file systems/);
    expect((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).toEqual([]);
    expect(await logGroups()).toEqual([]);
    expect((await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/codebuild/" }))).logGroups ?? []).toEqual([]);
    expect(run.stdout).toMatch(
      /^Deleted 0 stacks, \d EFS file systems, \d log groups?, \d certificates?, \d access-log buckets?; kept 0 EFS file systems, 0 log groups, 0 certificates, 0 access-log buckets\.$/m,
    );
    const status = JSON.parse((await runMlops(["status", "--json"], { endpointUrl: emulator.url })).stdout) as {
      kept: { fileSystems: unknown[]; logGroups: unknown[]; certificates: unknown[] };
    };
    expect(status.kept.fileSystems).toEqual([]);
    expect(status.kept.logGroups).toEqual([]);
    expect(status.kept.certificates).toEqual([]);
  });

  it("teardown <params> --delete-data deletes a gone endpoint's log group even when nothing else is left", async () => {
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: "/mlops/ep-b-prod" }));
    const run = await runMlops(["teardown", "params/ep-b.yaml", "--delete-data", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("Deleted log group /mlops/ep-b-prod");
    expect(await logGroups()).toEqual([]);
  });
});

async function logGroups(): Promise<string[]> {
  const groups = (await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/mlops/" }))).logGroups ?? [];
  return groups.map((g) => g.logGroupName ?? "").sort();
}

async function exportValue(name: string): Promise<string | undefined> {
  const exports = (await aws.cfn.send(new ListExportsCommand({}))).Exports ?? [];
  return exports.find((e) => e.Name === name)?.Value;
}
