/**
 * `mlops init` as a user runs it: off a terminal with flags (zones and VPC
 * block proposed from the emulator's account, whose VPCs are made through the
 * SDK first), and at a terminal (a pseudo-terminal answering its questions).
 * Every file written is read back by mlops's own loader and rendered.
 */
import { CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { CreateVpcCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../src/params/load.js";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";

const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
const driver = fileURLToPath(new URL("../helpers/pty_run.py", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

/** `mlops ARGS` against the test's emulator, running in the background: its stderr so far, a wait for a line, its exit. */
function spawnMlops(args: string[]) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_PROFILE: undefined,
    CI: "true",
    NO_COLOR: "1",
    MLOPS_ENDPOINT_URL: emulator.url,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.filter((w) => w.pattern.test(stderr))) w.resolve();
  });
  child.stdout.resume();
  const done = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return {
    stderr: () => stderr,
    interrupt: () => child.kill("SIGINT"),
    done,
    waitFor: (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`mlops ended before ${pattern}:\n${stderr}`)));
      }),
  };
}

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  // Two VPCs besides the default one (172.31.0.0/16): the proposal must avoid all three.
  for (const block of ["10.0.0.0/16", "10.1.0.0/16"]) await aws.ec2.send(new CreateVpcCommand({ CidrBlock: block }));
  dir = mkdtempSync(join(tmpdir(), "mlops-init-"));
});
afterAll(async () => {
  await emulator?.stop();
});

describe("mlops init off a terminal", () => {
  it("names every missing flag, exit 2, and asks AWS nothing", async () => {
    const run = await runMlops(["init", join(dir, "none.yaml")], { endpointUrl: "http://127.0.0.1:9", env: { AWS_REGION: "" } });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain("--name: required off a terminal");
    expect(run.stderr).toContain("--host: required off a terminal");
    expect(run.stderr).toContain("--region: required off a terminal");
    expect(run.stderr).not.toMatch(/ECONNREFUSED|retrying/);
  });

  it("proposes zones open to the account and a VPC block no VPC overlaps; the file loads and renders", async () => {
    const file = join(dir, "ep-c.yaml");
    const run = await runMlops(["init", file, "--name", "ep-c", "--host", "EP-C.example.com", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const blocks = ((await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.CidrBlock);
    expect(blocks).toEqual(expect.arrayContaining(["172.31.0.0/16", "10.0.0.0/16", "10.1.0.0/16"]));
    expect(JSON.parse(run.stdout)).toEqual({
      file,
      endpoint: "ep-c-prod",
      kind: "base",
      images: "push",
      region: "us-east-1",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      vpcCidr: "10.2.0.0/16",
    });
    const config = await loadEndpointConfig(file, { region: "us-east-1" });
    expect(config.kind).toBe("base");
    expect(readFileSync(file, "utf8")).toMatch(/^# yaml-language-server: \$schema=\S+params\.schema\.json$/m);
    expect(readFileSync(file, "utf8")).toContain("publicSubnets: [10.2.0.0/24, 10.2.1.0/24]");
    expect(readFileSync(file, "utf8")).toContain("hostHeader: ep-c.example.com");
    const render = await runMlops(["render", file, "--out", join(dir, "out")]);
    expect(render.code, failure(render)).toBe(0);
  });

  it("never overwrites a file without --force", async () => {
    const file = join(dir, "kept.yaml");
    writeFileSync(file, "# mine\n");
    const run = await runMlops(["init", file, "--name", "ep-k", "--host", "ep-k.example.com", "--azs", "us-east-1a,us-east-1b", "--vpc-cidr", "10.9.0.0/16"]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toContain(`${file}: already exists; init never overwrites a file`);
    expect(readFileSync(file, "utf8")).toBe("# mine\n");
    const forced = await runMlops([
      "init",
      file,
      "--name",
      "ep-k",
      "--host",
      "ep-k.example.com",
      "--azs",
      "us-east-1a,us-east-1b",
      "--vpc-cidr",
      "10.9.0.0/16",
      "--force",
    ]);
    expect(forced.code, failure(forced)).toBe(0);
    expect((await loadEndpointConfig(file)).project).toBe("ep-k");
  });

  it("writes an added endpoint with --base: no network, no AWS call", async () => {
    const file = join(dir, "ep-d.yaml");
    const run = await runMlops(["init", file, "--base", "ep-c", "--name", "ep-d", "--host", "ep-d.example.com"], { endpointUrl: "http://127.0.0.1:9" });
    expect(run.code, failure(run)).toBe(0);
    const config = await loadEndpointConfig(file);
    expect(config.kind).toBe("added");
    expect(readFileSync(file, "utf8")).not.toContain("network:");
    expect(run.stdout).toContain(`Next: review it, then npx mlops add-endpoint ${file}`);
  });

  it("--base takes the base endpoint as status lists it (project-environment) and writes its project", async () => {
    const file = join(dir, "ep-e.yaml");
    const run = await runMlops(["init", file, "--base", "ep-c-prod", "--name", "ep-e", "--host", "ep-e.example.com"], { endpointUrl: "http://127.0.0.1:9" });
    expect(run.code, failure(run)).toBe(0);
    expect((await loadEndpointConfig(file)).baseProject).toBe("ep-c");
    expect(run.stdout).toContain(`Wrote ${file}: added endpoint ep-e-prod on ep-c-prod.`);
  });

  it("the printed Next commands take the new file to a running endpoint: create-endpoint waits for the first image, pushed by hand", async () => {
    const file = join(dir, "first.yaml");
    const run = await runMlops(
      ["init", file, "--name", "first", "--host", "first.example.com", "--region", "us-east-1", "--azs", "us-east-1a,us-east-1b", "--vpc-cidr", "10.42.0.0/16"],
      { endpointUrl: emulator.url },
    );
    expect(run.code, failure(run)).toBe(0);
    // Run from the checkout (node bin/mlops.js), not an installed bin: the printed commands start with npx, as the README's do.
    expect(run.stdout).toContain(`Next: review it, then npx mlops create-endpoint ${file} --region us-east-1`);
    const push = `MLOPS_ENDPOINT_URL=${emulator.url} npm run emulator:push -- first-prod v1`;
    expect(run.stdout).toContain(`push it to the emulator: ${push}`);
    expect(readFileSync(file, "utf8")).toContain("# pipeline:");

    // The create the Next line names; the push command it prints while waiting is run as a user would, from another terminal.
    const create = spawnMlops(["create-endpoint", file, "--region", "us-east-1", "--yes"]);
    const resume = `npx mlops create-endpoint ${file} --tag v1 --region us-east-1`;
    await create.waitFor(/then finish with: .*\n/);
    expect(create.stderr()).toContain("Rollout: image v1, pushed by hand (no pipeline builds it)");
    expect(create.stderr()).toMatch(/Creating stack first-prod with no tasks/);
    expect(create.stderr()).toContain(`To stop waiting: Ctrl-C (what exists stays, no task runs). Push the image first (the commands above`);
    expect(create.stderr()).toContain(`then finish with: ${resume}`);
    // No pipeline will bring it: the wait says only how to push it.
    expect(create.stderr()).toContain("Push it from your image's folder (where its Dockerfile is); this step continues as soon as it appears:");
    expect(create.stderr().slice(create.stderr().indexOf("Waiting for image"))).not.toMatch(/pipeline/i);

    // The user stops waiting: one next step, push then the one resume command, and no second way to resume.
    const waited = create.stderr().length;
    create.interrupt();
    expect(await create.done).toBe(130);
    const stopped = create.stderr().slice(waited);
    expect(stopped).toContain(`Push the image first (the commands above`);
    expect(stopped).toContain(`then finish with: ${resume}`);
    expect(stopped).not.toContain("run the same command again");

    // The resume command as printed (npx mlops is this checkout's mlops): it waits for the image, which is then pushed.
    const resumed = spawnMlops([...resume.split(" ").slice(2), "--yes"]);
    await resumed.waitFor(/Waiting for image/);
    execFileSync("sh", ["-c", push], { cwd: root, stdio: "pipe" });
    const code = await resumed.done;
    expect(code, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toContain("Image first-prod:v1 is in ECR");
    expect(resumed.stderr()).toMatch(/Endpoint deployed: https:\/\/first\.example\.com/);
  }, 180_000);

  it("with --connection-arn and --repository the file has a pipeline, and Next says the pipeline builds the image", async () => {
    const file = join(dir, "piped.yaml");
    const connection = "arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000";
    const run = await runMlops([
      "init",
      file,
      "--name",
      "piped",
      "--host",
      "piped.example.com",
      "--azs",
      "us-east-1a,us-east-1b",
      "--vpc-cidr",
      "10.43.0.0/16",
      "--connection-arn",
      connection,
      "--repository",
      "example-org/piped",
    ]);
    expect(run.code, failure(run)).toBe(0);
    expect((await loadEndpointConfig(file, { region: "us-east-1" })).pipeline).toMatchObject({
      connectionArn: connection,
      repository: "example-org/piped",
      branch: "main",
    });
    expect(run.stdout).toContain("builds the image from example-org/piped@main");
    const half = await runMlops([
      "init",
      join(dir, "half.yaml"),
      "--name",
      "half",
      "--host",
      "half.example.com",
      "--azs",
      "us-east-1a,us-east-1b",
      "--vpc-cidr",
      "10.44.0.0/16",
      "--repository",
      "example-org/half",
    ]);
    expect(half.code, failure(half)).toBe(2);
    expect(half.stderr).toContain("--connection-arn: required off a terminal");
  });

  it("zones not open to the account and bad flags are bad input", async () => {
    const run = await runMlops(["init", join(dir, "bad.yaml"), "--name", "ep-b", "--host", "ep-b.example.com", "--azs", "us-east-1a,us-east-1z"], {
      endpointUrl: emulator.url,
    });
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toMatch(/--azs: us-east-1z not open to this account in us-east-1; open zones: us-east-1a, us-east-1b/);
    const cidr = await runMlops([
      "init",
      join(dir, "bad.yaml"),
      "--name",
      "ep-b",
      "--host",
      "ep-b.example.com",
      "--azs",
      "us-east-1a,us-east-1b",
      "--vpc-cidr",
      "10.0.0.0/27",
    ]);
    expect(cidr.code, failure(cidr)).toBe(2);
    expect(cidr.stderr).toContain('--vpc-cidr: "10.0.0.0/27" is /27; a VPC for mlops is /16 to /26');
  });
});

/** The environment of a command at a terminal. */
function terminalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== "CI") env[key] = value;
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    MLOPS_ENDPOINT_URL: emulator.url,
    TERM: "xterm",
    NO_COLOR: "1",
  });
}

describe("mlops init at a terminal", () => {
  it("Ctrl-C at a question writes nothing and exits 130", () => {
    const file = join(dir, "interrupted.yaml");
    const spec = { argv: [process.execPath, bin, "init", file], env: terminalEnv(), timeout_s: 30, prompt: "Endpoint name (project): ", answer: "\x03" };
    const result = JSON.parse(execFileSync("python3", [driver], { input: JSON.stringify(spec) }).toString()) as {
      code: number;
      output: string;
      answered: boolean;
    };
    expect(result.answered).toBe(true);
    expect(result.code, result.output).toBe(130);
    expect(existsSync(file)).toBe(false);
  });

  it("names the base endpoints already in the region, which a new endpoint can join instead of paying for a network of its own", async () => {
    // A stack tagged as mlops tags a base endpoint's, holding its project as a parameter.
    await aws.cfn.send(
      new CreateStackCommand({
        StackName: "shared-prod",
        TemplateBody: JSON.stringify({
          Parameters: { ProjectName: { Type: "String" } },
          Resources: { Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" } },
        }),
        Parameters: [{ ParameterKey: "ProjectName", ParameterValue: "shared" }],
        Tags: [
          { Key: "mlops:managed-by", Value: "mlops" },
          { Key: "mlops:endpoint", Value: "shared-prod" },
          { Key: "mlops:role", Value: "base" },
        ],
      }),
    );
    const spec = {
      argv: [process.execPath, bin, "init", join(dir, "second.yaml")],
      env: terminalEnv(),
      timeout_s: 60,
      dialogue: [
        { prompt: "Endpoint name (project): ", answer: "second" },
        { prompt: "Host name the endpoint answers on", answer: "second.example.com" },
        { prompt: "AWS region [us-east-1]: ", answer: "" },
        { prompt: "Two availability zones", answer: "\x03" },
      ],
    };
    const result = JSON.parse(execFileSync("python3", [driver], { input: JSON.stringify(spec) }).toString()) as { code: number; output: string };
    // Other tests of this file may have left a base endpoint too.
    expect(result.output).toMatch(
      /Base endpoints already in us-east-1: (\S+, )*shared-prod(, \S+)*\. This writes a new base \(its own VPC, NAT gateway and load balancer\); to add second to one instead, sharing them: npx mlops init --base [a-z]/,
    );
  });

  it("asks for the name, host and region, proposes zones and a free block, and re-asks after a wrong answer", () => {
    const file = join(dir, "asked.yaml");
    const spec = {
      argv: [process.execPath, bin, "init", file],
      env: terminalEnv(),
      timeout_s: 60,
      dialogue: [
        { prompt: "Endpoint name (project): ", answer: "Ep-E" },
        { prompt: "Endpoint name (project): ", answer: "ep-e" },
        { prompt: "Host name the endpoint answers on", answer: "ep-e.example.com" },
        { prompt: "AWS region [us-east-1]: ", answer: "" },
        { prompt: "Two availability zones [us-east-1a,us-east-1b]: ", answer: "us-east-1b,us-east-1c" },
        { prompt: "VPC address block [10.2.0.0/16]: ", answer: "" },
        { prompt: "How do images arrive: pipeline or push [push]: ", answer: "pipeline" },
        { prompt: "CodeStar connection ARN", answer: "arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000" },
        { prompt: "GitHub repository (owner/name): ", answer: "example-org/ep-e" },
        { prompt: "Branch to build [main]: ", answer: "" },
      ],
    };
    const result = JSON.parse(execFileSync("python3", [driver], { input: JSON.stringify(spec) }).toString()) as {
      code: number;
      output: string;
      replies: number;
    };
    expect(result.code, result.output).toBe(0);
    expect(result.replies).toBe(10);
    expect(result.output).toContain('"Ep-E" has uppercase letters');
    expect(result.output).toMatch(/Availability zones open to this account in us-east-1: us-east-1a, us-east-1b, us-east-1c/);
    expect(result.output).toContain("VPC blocks already in us-east-1:");
    const text = readFileSync(file, "utf8");
    expect(text).toContain("project: ep-e");
    expect(text).toContain("availabilityZones: [us-east-1b, us-east-1c]");
    expect(text).toContain("vpcCidr: 10.2.0.0/16");
    expect(text).toMatch(/^pipeline:\n {2}connectionArn: \S+\n {2}repository: example-org\/ep-e\n {2}branch: main$/m);
    expect(result.output).toContain(`Wrote ${file}`);
  });
});
