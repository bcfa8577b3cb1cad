/**
 * Runs the buildspec's commands the way CodeBuild does (one shell per build,
 * phases in order, exported variables kept from command to command) against
 * fake `aws` and `docker` programs that log their arguments.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeBuildProject } from "../../src/deploy/steps/pipeline.js";
import { loadEndpointConfig } from "../../src/params/load.js";
import { buildRolloutWaitMinutes, buildTimeoutMinutes, IDLE_STACK_WAIT_MINUTES } from "../../src/deploy/engine/build-time.js";
import { readRepoFile, run } from "./helpers.js";

interface Buildspec {
  env?: { shell?: string; variables?: Record<string, string> };
  phases: Record<string, { commands: string[] }>;
}

const spec = yaml.load(readRepoFile("buildspec/endpoint.yaml")) as Buildspec;
const commands = ["install", "pre_build", "build", "post_build"].flatMap((phase) => spec.phases[phase]?.commands ?? []);

const SHA = "0123456789abcdef0123456789abcdef01234567";
const REPO_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-stg";

// FAKE_STATUSES and FAKE_UPDATE list what successive status polls and update-stack calls answer
// (space-separated, WORD*N for N of them, the last one repeating), so a test can script a stack that is busy, then idle.
const FAKE_AWS = `#!/usr/bin/env bash
printf 'aws %s\\n' "$*" >> "$FAKE_LOG"
# The nth word of $2 (1-based), or its last word when there are fewer; counts calls in the file $1.
# A word WORD*N stands for N of them.
nth() {
  local n word count words
  n=$(( $(cat "$1" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$1"
  read -ra words <<< "$2"
  for word in "\${words[@]}"; do
    count=1
    if [[ "$word" == *'*'* ]]; then count=\${word##*'*'}; word=\${word%'*'*}; fi
    if (( n <= count )); then break; fi
    n=$(( n - count ))
  done
  echo "$word"
}
case "$1 $2" in
  "ecr get-login-password" | "ecr-public get-login-password") echo fake-password ;;
  "ecr describe-images")
    if [ "\${FAKE_IMAGE_EXISTS:-0}" = 1 ]; then echo "tag-x"; else
      echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: not found" >&2; exit 254; fi ;;
  "cloudformation describe-stacks")
    case "$*" in
      *ParameterKey*)
        printf 'ProjectName\\tep-a\\nEnvironmentName\\tstg\\nAPITag\\t%s\\nVpcSubnetIpBlocks\\t10.0.0.0/24,10.0.1.0/24\\nDesiredCount\\t%s\\nSendDesiredCount\\ttrue\\n' \
          "\${FAKE_TAG:-tag-previous}" "\${FAKE_DESIRED:-2}" ;;
      *StackStatusReason*) printf 'UPDATE_ROLLBACK_COMPLETE\\tcircuit breaker\\n' ;;
      *StackStatus*) nth "$FAKE_LOG.polls" "\${FAKE_STATUSES:-UPDATE_COMPLETE}" ;;
      *) echo "unexpected: aws $*" >&2; exit 2 ;;
    esac ;;
  "cloudformation update-stack")
    case "$(nth "$FAKE_LOG.updates" "\${FAKE_UPDATE:-ok}")" in
      busy) echo "An error occurred (ValidationError) when calling the UpdateStack operation: Stack:arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-stg/1 is in UPDATE_IN_PROGRESS state and can not be updated." >&2; exit 254 ;;
      none) echo "An error occurred (ValidationError) when calling the UpdateStack operation: No updates are to be performed." >&2; exit 254 ;;
      fail) echo "An error occurred (AccessDenied) when calling the UpdateStack operation: denied" >&2; exit 254 ;;
      *) echo '{"StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/ep-a-stg/1"}' ;;
    esac ;;
  # The lease (its behaviour is tested against the emulator in test/e2e/lease.test.ts): free at first, then
  # the generation this build put; FAKE_TAKEN_OVER=1 adds a higher one (another holder took over).
  "ssm get-parameters-by-path")
    if [ -f "$FAKE_LOG.lease" ]; then cat "$FAKE_LOG.lease"; fi
    if [ -f "$FAKE_LOG.lease" ] && [ "\${FAKE_TAKEN_OVER:-0}" = 1 ]; then
      printf '/mlops/lease/ep-a-stg/0000000002\\t{"holder":"bob@host (pid 9)","command":"update ep-a-stg","expiresAt":9999999999}\\n'
    fi ;;
  # FAKE_PUT scripts put-parameter's answers as FAKE_UPDATE does update-stack's (busy: TooManyUpdates).
  "ssm put-parameter")
    case "$(nth "$FAKE_LOG.puts" "\${FAKE_PUT:-ok}")" in
      busy) echo "An error occurred (TooManyUpdates) when calling the PutParameter operation: There are concurrent updates for a resource that supports one update at a time." >&2; exit 254 ;;
    esac
    name="" value=""
    while (( $# )); do
      case "$1" in --name) name=$2; shift ;; --value) value=$2; shift ;; esac
      shift
    done
    printf '%s\\t%s\\n' "$name" "$value" > "$FAKE_LOG.lease"
    echo '{}' ;;
  "ssm delete-parameter") rm -f "$FAKE_LOG.lease"; echo '{}' ;;
  *) echo "unexpected: aws $*" >&2; exit 2 ;;
esac
`;

// Polls wait 10 s in a real build; here they only leave a trace and move the fake clock on.
const FAKE_SLEEP = `#!/usr/bin/env bash
printf 'sleep %s\\n' "$*" >> "$FAKE_LOG"
echo $(( $(cat "$FAKE_LOG.clock" 2>/dev/null || echo 0) + $1 )) > "$FAKE_LOG.clock"
`;

// The time the fake sleeps have passed, from a fixed start: the real date, given that time.
const FAKE_DATE = `#!/usr/bin/env bash
now=$(( 1800000000 + $(cat "$FAKE_LOG.clock" 2>/dev/null || echo 0) ))
PATH=\${PATH#*:} exec date -d "@$now" "$@"
`;

const FAKE_DOCKER = `#!/usr/bin/env bash
printf 'docker %s\\n' "$*" >> "$FAKE_LOG"
if [ "$1" = login ]; then printf 'docker login stdin %s\\n' "$(cat)" >> "$FAKE_LOG"; fi
if [ "$1 $2" = "buildx build" ] && [ "\${FAKE_BUILD_FAILS:-0}" = 1 ]; then exit 1; fi
exit 0
`;

// git in a source checkout: ls-files lists the .gitattributes files present; git-lfs is
// installed unless FAKE_NO_LFS=1 (then apt-get "installs" it by creating a marker).
const FAKE_GIT = `#!/usr/bin/env bash
printf 'git %s\\n' "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "ls-files --") for f in .gitattributes */.gitattributes; do [ -f "$f" ] && echo "$f"; done; exit 0 ;;
  "lfs version") if [ "\${FAKE_NO_LFS:-0}" = 1 ] && [ ! -f "$FAKE_LOG.lfs-installed" ]; then echo "git: 'lfs' is not a git command" >&2; exit 1; fi; echo "git-lfs/3.4.0" ;;
  "lfs ls-files") printf 'abc123 * models/weights.bin\\ndef456 * data/vocab.txt\\n' ;;
  "lfs install" | "lfs pull") ;;
  *) echo "unexpected: git $*" >&2; exit 2 ;;
esac
`;

const FAKE_APT_GET = `#!/usr/bin/env bash
printf 'apt-get %s\\n' "$*" >> "$FAKE_LOG"
if [ "$1" = install ]; then touch "$FAKE_LOG.lfs-installed"; fi
`;

let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mlops-buildspec-"));
  for (const [name, body] of [
    ["aws", FAKE_AWS],
    ["docker", FAKE_DOCKER],
    ["sleep", FAKE_SLEEP],
    ["date", FAKE_DATE],
    ["git", FAKE_GIT],
    ["apt-get", FAKE_APT_GET],
  ] as const) {
    writeFileSync(join(dir, name), body);
    chmodSync(join(dir, name), 0o755);
  }
  // CodeBuild runs the phases' commands one after the other in one shell.
  const runner = commands.map((c, i) => `# command ${i}\n${c}\n`).join("");
  writeFileSync(join(dir, "commands.sh"), runner);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Build {
  code: number;
  stderr: string;
  stdout: string;
  calls: string[];
}

async function build(env: Record<string, string | undefined>, cwd = dir): Promise<Build> {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  const base: Record<string, string> = {
    PATH: `${dir}:${process.env["PATH"] ?? ""}`,
    HOME: dir,
    FAKE_LOG: log,
    AWS_DEFAULT_REGION: "us-east-1",
    CODEBUILD_RESOLVED_SOURCE_VERSION: SHA,
    CODEBUILD_BUILD_SUCCEEDING: "1",
    ECR_REPOSITORY_URI: REPO_URI,
    STACK_NAME: "ep-a-stg",
    LEASE_SCOPE: "ep-a-stg",
    // The buildspec's defaults; project variables override them.
    ...(spec.env?.variables ?? {}),
  };
  const merged: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const result = await run(spec.env?.shell ?? "bash", [join(dir, "commands.sh")], { cwd, env: merged });
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
  return { ...result, calls };
}

const updates = (b: Build) => b.calls.filter((c) => c.startsWith("aws cloudformation update-stack"));
const lastUpdate = (b: Build) => b.calls.map((c) => c.startsWith("aws cloudformation update-stack")).lastIndexOf(true);
const dockerBuilds = (b: Build) => b.calls.filter((c) => c.startsWith("docker build"));
const pushes = (b: Build) => b.calls.filter((c) => c.startsWith("docker push"));
const STATUS_POLL = "aws cloudformation describe-stacks --stack-name ep-a-stg --query Stacks[0].StackStatus --output text";
const polls = (b: Build) => b.calls.filter((c) => c === STATUS_POLL);
const sleeps = (b: Build) => b.calls.filter((c) => c.startsWith("sleep"));
/** The status polls of the build's wait for its own update. */
const updatePolls = (b: Build) => (lastUpdate(b) < 0 ? [] : b.calls.slice(lastUpdate(b)).filter((c) => c === STATUS_POLL));
const renewals = (b: Build) => b.calls.filter((c) => c.startsWith("aws ssm put-parameter") && c.includes("--overwrite"));

describe("buildspec/endpoint.yaml commands", () => {
  it("are valid bash", async () => {
    for (const command of commands) {
      const result = await run("bash", ["-n"], { input: command });
      expect(result.stderr, command).toBe("");
      expect(result.code).toBe(0);
    }
  });

  it("build, push tag-<sha> and update only APITag of the stack, never its task count", async () => {
    const b = await build({});
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.calls).toContain("aws ecr get-login-password --region us-east-1");
    expect(b.calls).toContain("docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com");
    expect(b.calls).toContain(
      `aws ecr describe-images --repository-name ep-a-stg --image-ids imageTag=tag-${SHA} --query imageDetails[0].imageTags --output text`,
    );
    expect(dockerBuilds(b)).toEqual([`docker build --file Dockerfile --tag ${REPO_URI}:tag-${SHA} --label org.opencontainers.image.revision=${SHA} .`]);
    expect(pushes(b)).toEqual([`docker push ${REPO_URI}:tag-${SHA}`]);
    expect(updates(b)).toEqual([
      "aws cloudformation update-stack --stack-name ep-a-stg --use-previous-template --capabilities CAPABILITY_IAM --parameters " +
        [
          "ParameterKey=ProjectName,UsePreviousValue=true",
          "ParameterKey=EnvironmentName,UsePreviousValue=true",
          `ParameterKey=APITag,ParameterValue=tag-${SHA}`,
          "ParameterKey=VpcSubnetIpBlocks,UsePreviousValue=true",
          "ParameterKey=DesiredCount,UsePreviousValue=true",
          // An autoscaled count survives the rollout: the template leaves DesiredCount out.
          "ParameterKey=SendDesiredCount,ParameterValue=false",
        ].join(" "),
    ]);
    expect(updatePolls(b)).toHaveLength(1);
    // The update comes after the push.
    expect(b.calls.findIndex((c) => c.startsWith("docker push"))).toBeLessThan(b.calls.findIndex((c) => c.startsWith("aws cloudformation update-stack")));
  });

  it("use DOCKERFILE and DOCKER_CONTEXT from the project", async () => {
    const b = await build({ DOCKERFILE: "docker/gpu.Dockerfile", DOCKER_CONTEXT: "services/api" });
    expect(b.code).toBe(0);
    expect(dockerBuilds(b)).toEqual([
      `docker build --file docker/gpu.Dockerfile --tag ${REPO_URI}:tag-${SHA} --label org.opencontainers.image.revision=${SHA} services/api`,
    ]);
  });

  it("do not build or push an image whose tag already exists, but still update the stack", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1" });
    expect(b.code).toBe(0);
    expect(dockerBuilds(b)).toEqual([]);
    expect(pushes(b)).toEqual([]);
    expect(updates(b)).toHaveLength(1);
    expect(updatePolls(b)).toHaveLength(1);
  });

  it("treat 'No updates are to be performed' as success", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_UPDATE: "none" });
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("already runs");
    expect(updatePolls(b)).toEqual([]);
  });

  it("fail when the update is refused", async () => {
    const b = await build({ FAKE_UPDATE: "fail" });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("AccessDenied");
    expect(updatePolls(b)).toEqual([]);
  });

  it("fail when the stack update does not complete, after its rollback, still holding the lease until then", async () => {
    const b = await build({ FAKE_STATUSES: "UPDATE_COMPLETE UPDATE_IN_PROGRESS UPDATE_ROLLBACK_IN_PROGRESS UPDATE_ROLLBACK_COMPLETE" });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("UPDATE_ROLLBACK_COMPLETE");
    expect(updatePolls(b)).toHaveLength(3);
    expect(b.calls.findIndex((c) => c.startsWith("aws ssm delete-parameter"))).toBeGreaterThan(b.calls.lastIndexOf(STATUS_POLL));
  });

  it("fail before any AWS call without STACK_NAME or ECR_REPOSITORY_URI", async () => {
    for (const missing of ["STACK_NAME", "ECR_REPOSITORY_URI"]) {
      const b = await build({ [missing]: undefined });
      expect(b.code, missing).not.toBe(0);
      expect(b.stderr).toContain(missing);
      expect(b.calls).toEqual([]);
    }
  });

  it("fail without a full commit sha (the pipeline must use a full clone)", async () => {
    const b = await build({ CODEBUILD_RESOLVED_SOURCE_VERSION: "main" });
    expect(b.code).not.toBe(0);
    expect(b.calls).toEqual([]);
  });

  it("wait for a busy stack to settle before updating it", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: "UPDATE_IN_PROGRESS UPDATE_COMPLETE_CLEANUP_IN_PROGRESS UPDATE_COMPLETE" });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("Stack ep-a-stg is busy (UPDATE_IN_PROGRESS): another update (e.g. mlops) is running; waiting for it to finish");
    // Three polls until idle, one of the update.
    expect(polls(b)).toHaveLength(4);
    expect(sleeps(b)).toEqual(["sleep 10", "sleep 10"]);
    expect(updates(b)).toHaveLength(1);
    // Polls, then the update, once the stack reads UPDATE_COMPLETE.
    expect(lastUpdate(b)).toBeGreaterThan(b.calls.indexOf("sleep 10", b.calls.indexOf("sleep 10") + 1));
    expect(updatePolls(b)).toHaveLength(1);
  });

  it("update a stack left in UPDATE_ROLLBACK_COMPLETE without waiting", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: "UPDATE_ROLLBACK_COMPLETE UPDATE_COMPLETE" });
    expect(b.code).toBe(0);
    expect(sleeps(b)).toEqual([]);
    expect(updates(b)).toHaveLength(1);
  });

  it("retry an update that fails with '... is in UPDATE_IN_PROGRESS state', after waiting again", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: "UPDATE_COMPLETE UPDATE_IN_PROGRESS UPDATE_COMPLETE", FAKE_UPDATE: "busy ok" });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain("Another update of ep-a-stg started first (e.g. mlops); waiting, then retrying (attempt 2 of 5)");
    expect(updates(b)).toHaveLength(2);
    expect(polls(b)).toHaveLength(4);
    expect(sleeps(b)).toEqual(["sleep 10"]);
    expect(updatePolls(b)).toHaveLength(1);
    expect(b.stdout).toContain(`ep-a-stg runs tag-${SHA}`);
  });

  it("treat 'No updates are to be performed' after a lost race as success", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_UPDATE: "busy none" });
    expect(b.code).toBe(0);
    expect(updates(b)).toHaveLength(2);
    expect(b.stdout).toContain("already runs");
  });

  it("give up clearly after 5 lost races", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_UPDATE: "busy" });
    expect(b.code).not.toBe(0);
    expect(updates(b)).toHaveLength(5);
    expect(b.stderr).toContain("is in UPDATE_IN_PROGRESS state and can not be updated");
    expect(b.stderr).toContain("Stack ep-a-stg kept being updated by another operation; gave up after 5 attempts");
    expect(updatePolls(b)).toEqual([]);
  });

  it("give up clearly when the stack stays busy for 30 minutes", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: "UPDATE_IN_PROGRESS" });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("Stack ep-a-stg is still UPDATE_IN_PROGRESS after 30 minutes of waiting; giving up");
    expect(sleeps(b)).toHaveLength(180);
    expect(new Set(sleeps(b))).toEqual(new Set(["sleep 10"]));
    expect(updates(b)).toEqual([]);
  });

  it("fail at once on a stack that cannot be updated", async () => {
    for (const status of ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "REVIEW_IN_PROGRESS"]) {
      const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: status });
      expect(b.code, status).not.toBe(0);
      expect(b.stderr).toContain(`Stack ep-a-stg is in ${status} and cannot be updated`);
      expect(sleeps(b)).toEqual([]);
      expect(updates(b)).toEqual([]);
    }
  });

  it("leave a stack that runs no tasks (DesiredCount 0) alone: mlops rolls out its first image with the count", async () => {
    const b = await build({ FAKE_DESIRED: "0", FAKE_TAG: "no-image-yet" });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(pushes(b)).toEqual([`docker push ${REPO_URI}:tag-${SHA}`]);
    expect(updates(b)).toEqual([]);
    expect(updatePolls(b)).toEqual([]);
    expect(b.stdout).toContain("Stack ep-a-stg runs no tasks yet (DesiredCount 0): leaving it alone.");
    expect(b.stdout).toContain(`mlops update PARAMS_FILE --tag tag-${SHA}`);
  });

  it("share one 30-minute idle budget across lost races", async () => {
    // Busy for 100 polls, a lost race, then busy for good: 180 polls in all, not 180 per attempt.
    const statuses = [...Array(100).fill("UPDATE_IN_PROGRESS"), "UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"].join(" ");
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: statuses, FAKE_UPDATE: "busy" });
    expect(b.code).not.toBe(0);
    expect(updates(b)).toHaveLength(1);
    expect(sleeps(b)).toHaveLength(180);
    expect(b.stderr).toContain("after 30 minutes of waiting; giving up");
  });

  it("do not touch the stack when the build failed", async () => {
    const b = await build({ CODEBUILD_BUILD_SUCCEEDING: "0" });
    expect(b.code).not.toBe(0);
    expect(updates(b)).toEqual([]);
  });
});

describe("the wait for the build's own rollout", () => {
  const START = 1800000000;
  /** The expiresAt of each renewal, in order. */
  const renewedUntil = (b: Build) => renewals(b).map((c) => Number(/"expiresAt":(\d+)/.exec(c)?.[1]));
  const busyFor = (polls: number) => `UPDATE_COMPLETE UPDATE_IN_PROGRESS*${polls} UPDATE_COMPLETE`;

  it("outlasts the AWS CLI waiter's 60 minutes: a longer rollout is polled to its end, the lease renewed all along", async () => {
    // 130 polls of 30 s of UPDATE_IN_PROGRESS, where `aws cloudformation wait stack-update-complete` gives up after 120.
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: busyFor(130), ROLLOUT_WAIT_MINUTES: "240" });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(`ep-a-stg runs tag-${SHA}`);
    expect(b.stdout).toContain("Following the rollout of ep-a-stg for up to 240 minutes, holding the lease on ep-a-stg");
    expect(b.stdout).toContain("Stack ep-a-stg: UPDATE_IN_PROGRESS after 0 min");
    expect(b.stdout).toContain("Stack ep-a-stg: UPDATE_COMPLETE after 65 min");
    expect(updatePolls(b)).toHaveLength(131);
    expect(sleeps(b)).toHaveLength(130);
    expect(new Set(sleeps(b))).toEqual(new Set(["sleep 30"]));
    // Renewed at the start of the wait, then every 10 minutes, each for 95 minutes from then, only its own generation.
    const until = renewedUntil(b);
    expect(until).toHaveLength(Math.floor((130 * 30) / 600) + 1);
    expect(until).toEqual(until.map((_, i) => START + i * 600 + 95 * 60));
    expect(renewals(b).every((c) => c.includes("--name /mlops/lease/ep-a-stg/0000000001 "))).toBe(true);
    expect(renewals(b)[0]).toContain('"holder":"CodeBuild build');
    // The lease never lapsed: it was still claimed when the build gave it back, after the last poll.
    const released = b.calls.findIndex((c) => c.startsWith("aws ssm delete-parameter"));
    expect(released).toBeGreaterThan(b.calls.lastIndexOf(STATUS_POLL));
    expect(until.at(-1)).toBeGreaterThan(START + 130 * 30);
  });

  it("renews at LEASE_RENEW_SECONDS for LEASE_CLAIM_SECONDS, polling every UPDATE_POLL_SECONDS", async () => {
    const b = await build({
      FAKE_IMAGE_EXISTS: "1",
      FAKE_STATUSES: busyFor(12),
      UPDATE_POLL_SECONDS: "5",
      LEASE_CLAIM_SECONDS: "60",
      LEASE_RENEW_SECONDS: "20",
    });
    expect(b.code).toBe(0);
    expect(new Set(sleeps(b))).toEqual(new Set(["sleep 5"]));
    // 12 sleeps of 5 s: renewals at 0, 20, 40 and 60 s.
    expect(renewedUntil(b)).toEqual([START + 60, START + 80, START + 100, START + 120]);
  });

  it("gives up at the rollout's deadline (ROLLOUT_WAIT_MINUTES), 60 minutes without one", async () => {
    // Polls of 5 minutes keep the count small.
    const long = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: busyFor(100000), ROLLOUT_WAIT_MINUTES: "150", UPDATE_POLL_SECONDS: "300" });
    expect(long.code).not.toBe(0);
    expect(long.stderr).toContain("Stack ep-a-stg is still UPDATE_IN_PROGRESS after 150 minutes, longer than its rollout can take; stopped waiting");
    expect(sleeps(long)).toHaveLength(30);
    const unset = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: busyFor(100000), ROLLOUT_WAIT_MINUTES: undefined, UPDATE_POLL_SECONDS: "300" });
    expect(unset.stderr).toContain("after 60 minutes");
    expect(sleeps(unset)).toHaveLength(12);
  });

  it("stops renewing a lease another holder took over, says so, and fails once the update is over", async () => {
    const b = await build({ FAKE_IMAGE_EXISTS: "1", FAKE_STATUSES: busyFor(3), FAKE_TAKEN_OVER: "1" });
    expect(b.code).not.toBe(0);
    expect(renewals(b)).toEqual([]);
    expect(b.stderr).toContain('The lease on ep-a-stg was taken over by {"holder":"bob@host (pid 9)"');
    expect(b.stderr).toContain("its lease on ep-a-stg was taken over by");
    expect(updatePolls(b)).toHaveLength(4);
  });
});

describe("the build's time", () => {
  const script = commands.join("\n");
  const number = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(script)?.[1]);

  it("the idle wait and the image build are what the computed timeout reserves beside the rollout", () => {
    expect((number("max_idle_polls") * number("poll_seconds")) / 60).toBe(IDLE_STACK_WAIT_MINUTES);
  });

  it("is set on the project mlops creates, with the rollout's wait as ROLLOUT_WAIT_MINUTES", async () => {
    const loaded = await loadEndpointConfig("params/ep-a.yaml");
    const pipeline = {
      connectionArn: "arn:aws:codeconnections:us-east-1:123456789012:connection/x",
      repository: "o/r",
      branch: "main",
      dockerContext: ".",
      dockerfile: "Dockerfile",
      baseImageRegistries: [],
      computeType: "BUILD_GENERAL1_MEDIUM" as const,
      buildArgs: {},
    };
    const longest = { ...loaded, pipeline, rollout: { ...loaded.rollout, strategy: "canary" as const, bakeMinutes: 1440, canaryBakeMinutes: 540 } };
    const project = codeBuildProject(longest, { ecrRepositoryName: "ep-a-stg", ecrRepositoryUri: REPO_URI }, "arn:aws:iam::123456789012:role/build", []);
    expect(project.timeoutInMinutes).toBe(buildTimeoutMinutes(longest));
    expect(project.timeoutInMinutes).toBeGreaterThan(33 * 60);
    expect(project.timeoutInMinutes).toBeLessThanOrEqual(2160);
    const wait = project.environment.environmentVariables.find((v) => v.name === "ROLLOUT_WAIT_MINUTES");
    expect(wait?.value).toBe(String(buildRolloutWaitMinutes(longest)));
    expect(Number(wait?.value)).toBeGreaterThan(33 * 60);
  });
});

describe("the build's lease", () => {
  // Taking the lease: the calls before the stack update (renewals while the update is followed come after it).
  const beforeUpdate = (b: Build) => {
    const first = b.calls.findIndex((c) => c.startsWith("aws cloudformation update-stack"));
    return first < 0 ? b.calls : b.calls.slice(0, first);
  };
  const puts = (b: Build) => beforeUpdate(b).filter((c) => c.startsWith("aws ssm put-parameter"));
  const listings = (b: Build) => beforeUpdate(b).filter((c) => c.startsWith("aws ssm get-parameters-by-path"));

  // PutParameter answers TooManyUpdates when two writers collide:
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
  it("retries a PutParameter answered TooManyUpdates, listing the lease again first, then updates the stack", async () => {
    const b = await build({ FAKE_PUT: "busy busy ok" });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(puts(b)).toHaveLength(3);
    expect(listings(b)).toHaveLength(3);
    expect(b.calls.filter((c) => c === "sleep 2")).toHaveLength(2);
    expect(updates(b)).toHaveLength(1);
  });

  it("gives up after 60 s of collisions, with AWS's answer, and leaves the stack alone", async () => {
    const b = await build({ FAKE_PUT: "busy" });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/TooManyUpdates/);
    expect(puts(b)).toHaveLength(31);
    expect(updates(b)).toEqual([]);
  });

  it("names the build in its claim (CODEBUILD_BUILD_ID), so mlops can take over the lease of a build that ended without releasing it", async () => {
    const b = await build({ CODEBUILD_BUILD_ID: "ep-a-stg:0b5e7c1a-1234" });
    expect(b.code).toBe(0);
    expect(puts(b)).toHaveLength(1);
    const value = /--value (\{.*\})$/.exec(puts(b)[0]!)?.[1] ?? "";
    expect(JSON.parse(value)).toMatchObject({ holder: "CodeBuild build ep-a-stg:0b5e7c1a-1234", buildId: "ep-a-stg:0b5e7c1a-1234" });
  });
});

describe("base image registries, Docker Hub, build arguments and Git LFS", () => {
  const DLC_HOST = "763104351884.dkr.ecr.us-west-2.amazonaws.com";
  const logins = (b: Build) => b.calls.filter((c) => c.startsWith("docker login") && !c.startsWith("docker login stdin"));

  it("log in to each listed registry with a token of its region, before docker build", async () => {
    const b = await build({ BASE_IMAGE_REGISTRIES: `${DLC_HOST} public.ecr.aws 111122223333.dkr.ecr.eu-west-1.amazonaws.com` });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.calls).toContain("aws ecr get-login-password --region us-west-2");
    expect(b.calls).toContain("aws ecr-public get-login-password --region us-east-1");
    expect(b.calls).toContain("aws ecr get-login-password --region eu-west-1");
    expect(logins(b)).toEqual([
      "docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
      `docker login --username AWS --password-stdin ${DLC_HOST}`,
      "docker login --username AWS --password-stdin public.ecr.aws",
      "docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com",
    ]);
    expect(b.stdout).toContain(`Logged in to ${DLC_HOST}`);
    const lastLogin = b.calls.map((c) => c.startsWith("docker login")).lastIndexOf(true);
    expect(lastLogin).toBeLessThan(b.calls.findIndex((c) => c.startsWith("docker build")));
  });

  it("refuse a registry that is neither ECR nor public.ecr.aws, before building", async () => {
    const b = await build({ BASE_IMAGE_REGISTRIES: "registry-1.docker.io" });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("registry-1.docker.io is neither an ECR registry nor public.ecr.aws");
    expect(dockerBuilds(b)).toEqual([]);
  });

  it("log in to Docker Hub with the secret's user, the token on stdin only, before docker build", async () => {
    const b = await build({ DOCKERHUB_USERNAME: "mlbot", DOCKERHUB_TOKEN: "dckr_pat_secret" });
    expect(b.code).toBe(0);
    expect(logins(b)).toContain("docker login --username mlbot --password-stdin");
    expect(b.calls).toContain("docker login stdin dckr_pat_secret");
    expect(b.calls.filter((c) => c.includes("dckr_pat_secret"))).toEqual(["docker login stdin dckr_pat_secret"]);
    expect(b.stdout).not.toContain("dckr_pat_secret");
    expect(b.stdout).toContain("Logged in to Docker Hub as mlbot");
    expect(b.calls.findIndex((c) => c === "docker login --username mlbot --password-stdin")).toBeLessThan(
      b.calls.findIndex((c) => c.startsWith("docker build")),
    );
  });

  it("pull anonymously from Docker Hub without a secret, and say so", async () => {
    const b = await build({});
    expect(logins(b)).toEqual(["docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com"]);
    expect(b.stdout).toContain("No Docker Hub credential");
  });

  it("pass each build argument as --build-arg, values with spaces intact", async () => {
    const b = await build({ BUILD_ARGS: "BASE_IMAGE=763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.3.0-gpu-py311\nEXTRAS=cuda and tools" });
    expect(b.code).toBe(0);
    expect(dockerBuilds(b)).toEqual([
      `docker build --file Dockerfile --tag ${REPO_URI}:tag-${SHA} --label org.opencontainers.image.revision=${SHA} ` +
        "--build-arg BASE_IMAGE=763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.3.0-gpu-py311 --build-arg EXTRAS=cuda and tools .",
    ]);
  });

  describe("Git LFS", () => {
    let source = "";
    beforeAll(() => {
      source = mkdtempSync(join(tmpdir(), "mlops-lfs-"));
      writeFileSync(join(source, ".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n");
    });
    afterAll(() => rmSync(source, { recursive: true, force: true }));

    it("fetch the LFS objects of a repository that uses LFS, before docker build, and say so", async () => {
      const b = await build({}, source);
      expect(b.code).toBe(0);
      expect(b.calls).toContain("git lfs pull");
      expect(b.calls.findIndex((c) => c === "git lfs pull")).toBeLessThan(b.calls.findIndex((c) => c.startsWith("docker build")));
      expect(b.calls.filter((c) => c.startsWith("apt-get"))).toEqual([]);
      expect(b.stdout).toContain("Git LFS: fetched 2 file(s)");
    });

    it("install git-lfs when the build image lacks it", async () => {
      const b = await build({ FAKE_NO_LFS: "1" }, source);
      expect(b.code).toBe(0);
      expect(b.calls).toContain("apt-get install -y -qq git-lfs");
      expect(b.calls).toContain("git lfs pull");
      expect(b.stdout).toContain("Git LFS: installing git-lfs");
    });

    it("leave a repository without LFS alone, and say so", async () => {
      const b = await build({});
      expect(b.calls.filter((c) => c.startsWith("git lfs"))).toEqual([]);
      expect(b.stdout).toContain("Git LFS: not used by this repository");
    });
  });
});

describe("layer cache in ECR", () => {
  const CACHE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-stg-build-cache";

  it("build with BuildKit, reading and writing the registry cache in the form ECR stores, and push the image", async () => {
    const b = await build({ CACHE_REPOSITORY_URI: CACHE });
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.calls).toContain("docker buildx create --name mlops --driver docker-container --use");
    expect(b.calls.filter((c) => c.startsWith("docker buildx build"))).toEqual([
      `docker buildx build --file Dockerfile --tag ${REPO_URI}:tag-${SHA} --label org.opencontainers.image.revision=${SHA} ` +
        `--cache-from type=registry,ref=${CACHE}:buildcache ` +
        `--cache-to type=registry,ref=${CACHE}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true --push .`,
    ]);
    expect(b.calls.filter((c) => c.startsWith("docker build "))).toEqual([]);
    expect(pushes(b)).toEqual([]);
    expect(b.stdout).toContain(`Layer cache: ${CACHE}:buildcache`);
    expect(updates(b)).toHaveLength(1);
  });

  it("fail the build when BuildKit fails and no other build pushed the tag", async () => {
    const b = await build({ CACHE_REPOSITORY_URI: CACHE, FAKE_BUILD_FAILS: "1" });
    expect(b.code).not.toBe(0);
    expect(updates(b)).toEqual([]);
  });
});
