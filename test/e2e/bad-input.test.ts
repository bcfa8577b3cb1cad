/**
 * Bad input gets exit code 2, a message naming the file or flag, and no AWS
 * call: every run here points mlops at a server that counts requests.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMlops } from "../helpers/mlops.js";
import { startCountingServer } from "../helpers/servers.js";

let counter: Awaited<ReturnType<typeof startCountingServer>>;

beforeAll(async () => {
  counter = await startCountingServer();
});
afterAll(async () => {
  await counter.close();
});

const commandLines: { name: string; args: string[]; expect: RegExp; cwd?: string }[] = [
  {
    name: "unknown command",
    args: ["deploy", "params/ep-a.yaml"],
    expect:
      /unknown command 'deploy'\n[^]*mlops has no deploy command: did you mean create-endpoint \(a new base endpoint\), add-endpoint \(a new one on a base\) or update \(a deployed one\)\?/,
  },
  { name: "unknown command another tool has", args: ["destroy", "--all"], expect: /unknown command 'destroy'\n[^]*did you mean teardown\?/ },
  { name: "unknown flag", args: ["create-endpoint", "params/ep-a.yaml", "--tagg", "v1"], expect: /unknown option '--tagg'/ },
  { name: "missing parameter file argument", args: ["create-endpoint"], expect: /missing required argument 'params'/ },
  { name: "missing parameter file", args: ["create-endpoint", "params/nope.yaml"], expect: /params\/nope\.yaml/ },
  { name: "invalid docker tag", args: ["create-endpoint", "params/ep-a.yaml", "--tag", "bad tag"], expect: /--tag/ },
  {
    name: "create-endpoint --tag latest",
    args: ["create-endpoint", "params/ep-a.yaml", "--tag", "latest"],
    expect: /--tag.*"latest" cannot be deployed: the ECR repositories have immutable tags/,
  },
  { name: "add-endpoint --tag latest", args: ["add-endpoint", "params/ep-b.yaml", "--tag", "latest"], expect: /--tag.*"latest" cannot be deployed/ },
  { name: "update --tag latest", args: ["update", "params/ep-a.yaml", "--tag", "latest"], expect: /--tag.*first image pushed under it/ },
  // --tag alone means the tag of git HEAD; outside a checkout it says so instead of "required option".
  {
    name: "update --tag (no value) outside a git checkout",
    args: ["update", resolve("params/ep-a.yaml"), "--tag"],
    expect: /--tag: --tag without a value means git HEAD's image, and the current directory is not a git checkout/,
    cwd: tmpdir(),
  },
  { name: "render format", args: ["render", "params/ep-a.yaml", "--format", "xml"], expect: /--format/ },
  { name: "negative timeout", args: ["create-endpoint", "params/ep-a.yaml", "--image-timeout", "-5"], expect: /--image-timeout/ },
  { name: "teardown with nothing named", args: ["teardown", "--yes"], expect: /parameter file, or --all/ },
  { name: "teardown with both", args: ["teardown", "params/ep-a.yaml", "--all", "--yes"], expect: /not both/ },
  { name: "added endpoint given to create-endpoint", args: ["create-endpoint", "params/ep-b.yaml"], expect: /use add-endpoint/ },
  { name: "base endpoint given to add-endpoint", args: ["add-endpoint", "params/ep-a.yaml"], expect: /use create-endpoint/ },
  {
    name: "tutorial format with partial pipeline flags",
    args: [
      "create-endpoint",
      "params/create-ep-a.json",
      "--connection-arn",
      "arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000",
    ],
    expect: /--repository/,
  },
];

describe("bad command lines", () => {
  for (const c of commandLines) {
    it(`${c.name}: exit 2, clear message, no AWS call`, async () => {
      const before = counter.count();
      const run = await runMlops(c.args, { endpointUrl: counter.url, cwd: c.cwd });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(c.expect);
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(counter.count()).toBe(before);
    });
  }
});

describe("rollout values that only --strategy puts to use", () => {
  // A rolling file's canary and linear settings are not sent to AWS; `--strategy canary` sends them, and
  // CloudFormation refuses a canary whose bake times exceed 33 hours (AWS::ECS::Service CanaryConfiguration).
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mlops-strategy-"));
    file = join(dir, "ep-a.yaml");
    const lines = [
      "project: ep-a",
      "network:",
      "  vpcCidr: 10.0.0.0/16",
      "  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]",
      "  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]",
    ];
    lines.push(
      "  availabilityZones: [us-east-1a, us-east-1b]",
      "api:",
      "  hostHeader: ep-a.example.com",
      "rollout:",
      "  bakeMinutes: 1440",
      "  canaryBakeMinutes: 1440",
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const verb of [
    ["update", "--tag", "v2"],
    ["rollback", "--to", "v1"],
  ]) {
    it(`${verb[0]} --strategy canary: exit 2, names the fields and the limit, no AWS call`, async () => {
      const before = counter.count();
      const run = await runMlops([verb[0]!, file, ...verb.slice(1), "--strategy", "canary", "--yes"], { endpointUrl: counter.url });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${file}: rollout.canaryBakeMinutes: rollout.bakeMinutes (1440) + rollout.canaryBakeMinutes (1440) is 2880 minutes`);
      expect(run.stderr).toMatch(/canary rollout \(--strategy canary\) longer than 33 hours \(1980 minutes\)/);
      expect(counter.count()).toBe(before);
    });
  }
});

const corpusDir = new URL("../params/corpus/", import.meta.url);
const corpus = readdirSync(corpusDir).filter((f) => !f.endsWith(".md") && f !== "expected.json");
const expected = JSON.parse(readFileSync(new URL("expected.json", corpusDir), "utf8")) as Record<string, { overrides?: Record<string, string> }>;
const flagOf: Record<string, string> = {
  region: "--region",
  base: "--base",
  connectionArn: "--connection-arn",
  repository: "--repository",
  branch: "--branch",
};

/** The command-line flags that give a case's overrides; a region from an environment variable is given there instead. */
function flagsFor(file: string): string[] {
  const overrides = expected[file]?.overrides ?? {};
  return Object.entries(overrides)
    .filter(([key]) => key !== "regionSource" && !(key === "region" && overrides.regionSource))
    .flatMap(([key, value]) => [flagOf[key] ?? `--${key}`, value]);
}

/** The environment a case needs: AWS_REGION unless the case names the variable its region comes from. */
function envFor(file: string): Record<string, string> {
  const { region, regionSource } = expected[file]?.overrides ?? {};
  return region && regionSource ? { AWS_REGION: "", [regionSource]: region } : {};
}

describe("broken parameter files through the binary", () => {
  it("has a corpus of at least 30 broken files", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of corpus) {
    it(`${file}: exit 2, names the file, no AWS call`, async () => {
      const before = counter.count();
      const path = `test/params/corpus/${file}`;
      // Validation runs before the verb checks the kind of endpoint, so one verb serves every case.
      const run = await runMlops(["create-endpoint", path, "--yes", ...flagsFor(file)], { endpointUrl: counter.url, env: envFor(file) });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(path);
      for (const issue of (expected[file] as { issues?: { fragment: string }[] }).issues ?? []) expect(run.stderr).toContain(issue.fragment);
      expect(counter.count()).toBe(before);
    });
  }
});

describe("logs --build of an endpoint without a pipeline", () => {
  it("says the file has no pipeline (not --no-pipeline): exit 2, no AWS call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlops-nopipe-"));
    try {
      const file = join(dir, "ep-n.yaml");
      const lines = [
        "project: ep-n",
        "network:",
        "  vpcCidr: 10.0.0.0/16",
        "  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]",
        "  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]",
      ];
      writeFileSync(file, `${[...lines, "  availabilityZones: [us-east-1a, us-east-1b]", "api:", "  hostHeader: ep-n.example.com"].join("\n")}\n`);
      const before = counter.count();
      const run = await runMlops(["logs", file, "--build"], { endpointUrl: counter.url });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${file}: pipeline: absent: ep-n-prod has no pipeline, so no build and no build log`);
      expect(run.stderr).not.toContain("--no-pipeline");
      // What adds a pipeline to an endpoint that exists: update creates the pipeline stack of a file that has one.
      expect(run.stderr).toContain(`add a pipeline: section to ${file}`);
      expect(run.stderr).toContain(`then npx mlops update ${file} creates the pipeline`);
      expect(run.stderr).not.toContain("create-endpoint");
      expect(counter.count()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a region AWS may have opened after this release", () => {
  it("is used with MLOPS_ALLOW_UNKNOWN_REGION=1: calls are made", async () => {
    const before = counter.count();
    const run = await runMlops(["status", "--region", "us-east-9", "--retry-budget", "1"], {
      endpointUrl: counter.url,
      env: { MLOPS_ALLOW_UNKNOWN_REGION: "1" },
    });
    expect(run.stderr).not.toMatch(/not an AWS region/);
    expect(counter.count()).toBeGreaterThan(before);
  });
});

describe("messages that name the cause and the next step", () => {
  const cases: { name: string; args: string[]; env?: Record<string, string>; endpointUrl?: string; expect: RegExp }[] = [
    {
      name: "--endpoint-url without a scheme",
      args: ["status"],
      endpointUrl: "127.0.0.1:4566",
      expect: /--endpoint-url: "127\.0\.0\.1:4566" has no scheme \(http:\/\/ or https:\/\/\)\n.*e\.g\. --endpoint-url http:\/\/127\.0\.0\.1:4566/,
    },
    {
      name: "a region that is not one",
      args: ["status"],
      env: { AWS_REGION: "not a region!" },
      expect: /AWS_REGION: "not a region!" is not an AWS region name/,
    },
    // A well-formed name no partition lists resolves to no host: each call would retry it for the whole budget.
    {
      name: "a region AWS does not have (--region)",
      args: ["status", "--region", "us-east-9"],
      expect:
        /--region: "us-east-9" is not an AWS region this version of mlops knows; did you mean us-east-1\? If AWS opened it after this release, set MLOPS_ALLOW_UNKNOWN_REGION=1/,
    },
    {
      name: "a region AWS does not have (AWS_DEFAULT_REGION)",
      args: ["status"],
      env: { AWS_REGION: "", AWS_DEFAULT_REGION: "eu-wset-1" },
      expect: /AWS_DEFAULT_REGION: "eu-wset-1" is not an AWS region this version of mlops knows; did you mean eu-west-1\?/,
    },
    {
      name: "a mistyped region given to init",
      args: ["init", "/tmp/mlops-never-written.yaml", "--name", "ep-z", "--host", "ep-z.example.com", "--region", "apsoutheast-2"],
      expect: /--region: "apsoutheast-2" is not an AWS region name; did you mean ap-southeast-2\?/,
    },
    {
      name: "an endless parameter file (/dev/zero)",
      args: ["render", "/dev/zero", "--out", "/tmp"],
      expect: /\/dev\/zero: file is larger than 1 MiB; a parameter file is a few kilobytes/,
    },
    {
      name: "render --out onto a file",
      args: ["render", "params/ep-a.yaml", "--out", "package.json"],
      expect: /--out: cannot write into .*package\.json\/ep-a-prod: a file is in the way where a folder should be\n.*Pass --out with a folder you can write to/,
    },
    {
      name: "render --out into a folder that cannot be written",
      args: ["render", "params/ep-a.yaml", "--out", "/sys/mlops-out"],
      expect: /--out: cannot write into \/sys\/mlops-out\/ep-a-prod: (permission denied|the file system is read-only)/,
    },
    {
      name: "a retry budget that is not seconds",
      args: ["status", "--retry-budget", "a minute"],
      expect: /--retry-budget: "a minute" is not a number of seconds/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: exit 2, no AWS call, no "bug in mlops"`, async () => {
      const before = counter.count();
      const run = await runMlops(c.args, { endpointUrl: c.endpointUrl ?? counter.url, env: c.env });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(c.expect);
      expect(run.stderr).not.toMatch(/bug in mlops|Invalid string length|Unknown/);
      expect(counter.count()).toBe(before);
    });
  }
});
