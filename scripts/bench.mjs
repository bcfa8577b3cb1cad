#!/usr/bin/env node
// Measures mlops where users wait on it, side by side with what it replaces,
// in one run on this machine: each pair runs alternately, BENCH_RUNS times
// (default and minimum 5), and the median is compared. A ratio holds on a
// noisy machine; an absolute time does not.
//
//   mlops --version            vs  node -e 0                      goal <= 1.5x
//   mlops render               vs  aws --version                  goal <= 0.3x
//   mlops status (2 endpoints) vs  aws cloudformation describe-stacks   goal <= 0.4x
//   mlops status, 20 endpoints vs  mlops status, 1 endpoint        goal <= 1.5x
//   the whole sequence         vs  the tutorial's 15 `aws` calls  goal <= 0.35x
//   mlops status, 100 endpoints vs mlops status, 1 endpoint, each request
//     answered BENCH_LATENCY_MS (default 50) late, as AWS is     goal <= 2x
//   (with it: add-endpoint and teardown of one endpoint on a base of 1, 20 and 100)
//
// BENCH_ONLY=startup runs the start-up figures only; BENCH_ONLY=scale the scale figures only;
// BENCH_ONLY=overlap the create with a slow build and slow stacks only (below).
//
// The create's critical path (also in the full run): create-endpoint through the pipeline on an
// emulator whose builds last BENCH_BUILD_SECONDS (default 20) and whose stack creations last
// BENCH_STACK_SECONDS (default 10) (corrections build-duration and stack-duration), its wall time
// beside max(stack, build) + rollout and their sum + rollout, and the emulator's request log
// (`--record`, emulator/recorder.py) read for the order: the first build starts before the
// endpoint's stack is created.
//
// Every AWS request goes through a counting proxy in front of the emulator;
// the counts are printed per command. Cloud time (stack stabilization, ECS
// rollouts) cannot be measured on the emulator, which completes stacks inside
// the API call: the real-AWS rollout time is computed by the rollout model
// and printed at the end. Needs `aws` (AWS CLI) on PATH and the emulator's
// Python dependencies. BENCH_JSON=1 also prints the figures as JSON.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { ACMClient, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { CodePipelineClient, ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mlops.js", import.meta.url));
const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const work = mkdtempSync(join(tmpdir(), "mlops-bench-"));
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const baseEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  CI: "true",
  NO_COLOR: "1",
};
delete baseEnv.AWS_PROFILE;
delete baseEnv.MLOPS_ENDPOINT_URL;
delete baseEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
// The benchmark's own SDK clients only (mlops keeps the warning out of its own output).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const emulators = [];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const say = (text) => process.stderr.write(`${text}\n`);

/** Runs a program and resolves with its wall time in ms; rejects when it fails. */
function run(command, args, env = baseEnv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve({ ms, stdout, stderr });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr}`));
    });
  });
}
const mlops = (args, env) => run(process.execPath, [bin, ...args], env);
const aws = (url, args, env) => run("aws", ["--endpoint-url", url, "--output", "json", ...args], env);

function startEmulator(extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["emulator/server.py", "--port", "0", ...extra], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
    emulators.push(child);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve({ url: match[1], stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited ${code}`)));
  });
}

/** The API operation of a request: JSON and query protocols name it; REST ones (S3, EFS) are named by method. */
function operationOf(req, body) {
  const target = req.headers["x-amz-target"];
  if (target) return String(target).split(".").pop();
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString())?.[1];
  if (action) return action;
  const service = /^\/\d{4}-\d{2}-\d{2}\/file-systems/.test(req.url ?? "") ? "EFS" : "S3";
  return `${service} ${req.method}`;
}

/** A proxy in front of the emulator that counts requests under the current label, by operation. */
function startCountingProxy() {
  const counts = {};
  const labelled = {};
  let label = "unlabelled";
  let target;
  let delayMs = 0;
  // "record": keep each answer; "replay": answer a request seen before from the record (after the delay) without the emulator.
  let mode = "forward";
  const recorded = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const bucket = (counts[label] ??= { total: 0, operations: {}, upstreamMs: 0 });
      bucket.total++;
      const operation = operationOf(req, body);
      bucket.operations[operation] = (bucket.operations[operation] ?? 0) + 1;
      const upstream = new URL(target);
      // The Region is only in the signature's credential scope: every Region's requests go to the one endpoint.
      const region = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
      const key = `${region} ${req.method} ${req.url} ${body.toString("base64")}`;
      const replayed = mode === "replay" ? recorded.get(key) : undefined;
      const send = () => {
        if (replayed) {
          res.writeHead(replayed.status, replayed.headers).end(replayed.body);
          return;
        }
        // From the moment the request leaves for the emulator: the added latency is not the emulator's.
        const sent = process.hrtime.bigint();
        const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          const parts = [];
          if (mode === "record") answer.on("data", (c) => parts.push(c));
          answer.pipe(res);
          answer.on("end", () => {
            bucket.upstreamMs += Number(process.hrtime.bigint() - sent) / 1e6;
            if (mode === "record") recorded.set(key, { status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) });
          });
        });
        forward.on("error", () => res.writeHead(502).end());
        forward.end(body);
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        counts,
        to: (url) => (target = url),
        label: (name) => ((label = name), (labelled[name] = (labelled[name] ?? 0) + 1)),
        runsOf: (name) => labelled[name] ?? 1,
        delay: (ms) => (delayMs = ms),
        mode: (m) => ((mode = m), m === "forward" && recorded.clear()),
        close: () => (server.closeAllConnections(), server.close()),
      }),
    ),
  );
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` },
  layers: [],
});

/** Pushes an image manifest as soon as the repository exists (the endpoint's stack creates it); returns a stopper. */
function pushWhenReady(url, repositoryName, imageTag) {
  const ecr = new ECRClient({ region: "us-east-1", endpoint: url, credentials });
  let done = false;
  const tick = setInterval(() => {
    if (done) return;
    ecr.send(new PutImageCommand({ repositoryName, imageTag, imageManifest: manifest })).then(
      () => ((done = true), clearInterval(tick)),
      () => {},
    );
  }, 50);
  return () => clearInterval(tick);
}

/** Writes a parameter file for endpoint `name` (base when `base` is absent) in `region`, with a fixed listener priority. */
function paramsFile(dir, name, region, { base, priority, certificateArn } = {}) {
  const lines = [
    `project: ${name}`,
    "environment: prod",
    `api:`,
    `  hostHeader: ${name}.example.com`,
    ...(priority ? [`  listenerPriority: ${priority}`] : []),
    ...(certificateArn ? [`  certificateArn: ${certificateArn}`] : []),
  ];
  if (base) lines.push(`base: ${base}`);
  else
    lines.push(
      "network:",
      "  vpcCidr: 10.0.0.0/16",
      "  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]",
      "  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]",
      `  availabilityZones: [${region}a, ${region}b]`,
    );
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Renders an endpoint and creates its stack straight through CloudFormation: a cheap way to have many endpoints. */
async function createStackDirectly(url, region, file) {
  const out = join(work, "rendered", region);
  const rendered = await mlops(["render", file, "--out", out], { ...baseEnv, AWS_REGION: region, AWS_DEFAULT_REGION: region });
  const stackName = /Wrote .*\/([^/]+)\/template\.yaml/.exec(rendered.stderr + rendered.stdout)?.[1];
  const dir = join(out, stackName);
  const cfn = new CloudFormationClient({ region, endpoint: url, credentials });
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(join(dir, "template.yaml"), "utf8"),
      Parameters: JSON.parse(readFileSync(join(dir, "parameters.json"), "utf8")),
      Tags: JSON.parse(readFileSync(join(dir, "tags.json"), "utf8")),
      Capabilities: ["CAPABILITY_IAM"],
    }),
  );
  const status = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus;
  if (status !== "CREATE_COMPLETE") throw new Error(`stack ${stackName} in ${region}: ${status}`);
}

const figures = [];
/** Records a comparison: `ratio = ours / theirs` against a goal. */
function compare(name, ours, theirs, goal, theirsName) {
  const ratio = ours / theirs;
  figures.push({
    name,
    oursMs: Math.round(ours),
    theirsMs: Math.round(theirs),
    against: theirsName,
    ratio: Number(ratio.toFixed(2)),
    goal,
    met: ratio <= goal,
  });
}

/** Runs `a` and `b` alternately `count` times (default `runs`); medians of both. */
async function alternate(a, b, count = runs) {
  const times = { a: [], b: [] };
  for (let i = 0; i < count; i++) {
    times.a.push(await a(i));
    times.b.push(await b(i));
  }
  return { a: median(times.a), b: median(times.b), all: times };
}

/** Prints every figure with its goal, the per-command times and request counts, and the rollout model. */
async function report() {
  const lines = [];
  lines.push(
    `mlops benchmark: ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${runs} runs per figure (${3 * runs} for start-up and render), alternating`,
  );
  lines.push("");
  const width = Math.max(...figures.map((f) => f.name.length));
  const against = Math.max(...figures.map((f) => f.against.length));
  lines.push(`${"figure".padEnd(width)}  ${"ms".padStart(6)}  ${"against".padEnd(against)}  ${"ms".padStart(6)}  ratio  goal    met`);
  for (const f of figures)
    lines.push(
      `${f.name.padEnd(width)}  ${String(f.oursMs).padStart(6)}  ${f.against.padEnd(against)}  ${String(f.theirsMs).padStart(6)}  ${f.ratio.toFixed(2).padStart(5)}  <=${String(f.goal).padEnd(4)}  ${f.met ? "yes" : "NO"}`,
    );
  lines.push("");
  lines.push("Each command of the sequence (median ms):");
  for (const [name, values] of Object.entries(perCommand)) lines.push(`  ${name.padEnd(20)} ${String(Math.round(median(values))).padStart(6)}`);
  lines.push("");
  lines.push("AWS requests per command (through the counting proxy, per run; emulator: time spent answering them):");
  for (const [name, bucket] of Object.entries(proxy.counts)) {
    // Per run of that label: most run `runs` times, the scale's add-endpoint and teardown fewer.
    const per = proxy.runsOf(name);
    const ops = Object.entries(bucket.operations)
      .map(([op, n]) => `${op} ${Math.round(n / per)}`)
      .join(", ");
    lines.push(
      `  ${name.padEnd(36)} ${String(Math.round(bucket.total / per)).padStart(4)}  emulator ${String(Math.round(bucket.upstreamMs / per)).padStart(5)} ms   ${ops}`,
    );
  }
  lines.push("");
  if (scaling[1].length > 0)
    lines.push(
      `status wall time by endpoints (median ms): 1: ${Math.round(median(scaling[1]))}, 5: ${Math.round(median(scaling[5]))}, 20: ${Math.round(median(scaling[20]))}`,
    );
  if (scale.status[1].length > 0) {
    lines.push(`At ${latencyMs} ms per request (median ms; requests per run):`);
    for (const n of scaleSizes) {
      const requests = (name) => Math.round((proxy.counts[name]?.total ?? 0) / proxy.runsOf(name));
      lines.push(
        `  ${String(n).padStart(3)} endpoint(s): status ${Math.round(median(scale.status[n]))} ms (replayed ${Math.round(median(scale.replayed[n]))} ms), ${requests(`status, ${n} endpoint(s) at ${latencyMs} ms`)} req; ` +
          `add-endpoint ${Math.round(median(scale.add[n]))} ms, ${requests(`add, ${n} endpoint(s) at ${latencyMs} ms`)} req; ` +
          `teardown ${Math.round(median(scale.teardown[n]))} ms, ${requests(`teardown, ${n} endpoint(s) at ${latencyMs} ms`)} req`,
      );
    }
  }
  if (process.env.BENCH_ONLY !== "scale") {
    const model = await import("../dist/rollout-time.js");
    lines.push("");
    lines.push(...model.rolloutComparisonLines());
    lines.push("", "The four strategies with mlops's defaults (2 tasks):", ...model.strategyComparisonLines().map((l) => `  ${l}`));
  }
  if (overlap.length) lines.push("", ...overlapLines());
  process.stdout.write(`${lines.join("\n")}\n`);
  if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify({ figures, counts: proxy.counts })}\n`);
}

const perCommand = {};
const scaling = { 1: [], 5: [], 20: [] };
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const scaleSizes = [1, 20, 100];
const scale = {
  status: { 1: [], 20: [], 100: [] },
  replayed: { 1: [], 20: [], 100: [] },
  add: { 1: [], 20: [], 100: [] },
  teardown: { 1: [], 20: [], 100: [] },
};

/**
 * Status, add-endpoint and teardown on bases of 1, 20 and 100 endpoints (one region each, stacks made
 * straight through CloudFormation), every request answered `latencyMs` late. add-endpoint adds one
 * endpoint (on a base of 100, whose load balancer is then at its rule quota: on a new shard) and
 * teardown removes it again, so every round starts from the same state.
 */
async function scaleFigures() {
  say(`scale: creating bases of ${scaleSizes.join(", ")} endpoints on the emulator`);
  const emulator = await startEmulator();
  proxy.to(emulator.url);
  const regions = { 1: "us-east-2", 20: "eu-west-2", 100: "eu-central-1" };
  const dir = join(work, "scale");
  mkdirSync(dir, { recursive: true });
  for (const n of scaleSizes) {
    const region = regions[n];
    const acm = new ACMClient({ region, endpoint: emulator.url, credentials });
    const certificateArn = (await acm.send(new RequestCertificateCommand({ DomainName: `base-${region}.example.com`, ValidationMethod: "DNS" })))
      .CertificateArn;
    await createStackDirectly(emulator.url, region, paramsFile(dir, `base-${region}`, region, { certificateArn }));
    for (let i = 1; i < n; i++)
      await createStackDirectly(emulator.url, region, paramsFile(dir, `ep${i}-${region}`, region, { base: `base-${region}`, priority: 100 + i }));
  }
  proxy.delay(latencyMs);
  const env = (region) => ({ ...baseEnv, AWS_REGION: region, AWS_DEFAULT_REGION: region, MLOPS_ENDPOINT_URL: proxy.url });
  say(`scale: ${runs} rounds at ${latencyMs} ms per request`);
  for (let i = 0; i < runs; i++) {
    for (const n of scaleSizes) {
      proxy.label(`status, ${n} endpoint(s) at ${latencyMs} ms`);
      scale.status[n].push((await mlops(["status"], env(regions[n]))).ms);
    }
  }
  // The same status runs answered from a record of the emulator's answers: each answer takes the latency and nothing
  // more, however many stacks it describes, as AWS answers; what is left is mlops's own cost of more endpoints.
  proxy.mode("record");
  for (const n of scaleSizes) {
    proxy.label(`record, ${n} endpoint(s)`);
    await mlops(["status"], env(regions[n]));
  }
  proxy.mode("replay");
  for (let i = 0; i < runs; i++) {
    for (const n of scaleSizes) {
      proxy.label(`status replayed, ${n} endpoint(s) at ${latencyMs} ms`);
      scale.replayed[n].push((await mlops(["status"], env(regions[n]))).ms);
    }
  }
  proxy.mode("forward");
  const rounds = Math.min(runs, 3);
  for (let i = 0; i < rounds; i++) {
    for (const n of scaleSizes) {
      const region = regions[n];
      const file = paramsFile(dir, `extra-${region}`, region, { base: `base-${region}` });
      const ecr = new ECRClient({ region, endpoint: emulator.url, credentials });
      const tick = setInterval(
        () =>
          ecr.send(new PutImageCommand({ repositoryName: `extra-${region}-prod`, imageTag: "v1", imageManifest: manifest })).then(
            () => clearInterval(tick),
            () => {},
          ),
        50,
      );
      proxy.label(`add, ${n} endpoint(s) at ${latencyMs} ms`);
      try {
        scale.add[n].push((await mlops(["add-endpoint", file, "--no-pipeline", "--tag", "v1", "--yes"], env(region))).ms);
      } finally {
        clearInterval(tick);
      }
      proxy.label(`teardown, ${n} endpoint(s) at ${latencyMs} ms`);
      scale.teardown[n].push((await mlops(["teardown", file, "--yes"], env(region))).ms);
    }
  }
  proxy.delay(0);
  emulator.stop();
  compare(`mlops status, 100 endpoints, ${latencyMs} ms per request`, median(scale.status[100]), median(scale.status[1]), 2, "mlops status, 1 endpoint");
  compare(
    `mlops status, 100 endpoints, answers replayed at ${latencyMs} ms`,
    median(scale.replayed[100]),
    median(scale.replayed[1]),
    2,
    "the same, 1 endpoint",
  );
}
const overlap = [];
/**
 * create-endpoint through the pipeline with a build of `buildSeconds` and stack creations of
 * `stackSeconds`, on its own emulator recording its requests. Returns the wall time, the run's own
 * phase line, and the request log's order of the build's start and the endpoint stack's creation.
 */
async function overlapFigure(buildSeconds, stackSeconds) {
  const record = join(work, `overlap-${overlap.length}.jsonl`);
  const emu = await startEmulator([
    "--build-seconds",
    String(buildSeconds),
    "--stack-seconds",
    String(stackSeconds),
    "--record",
    record,
    "--record-label",
    "bench",
  ]);
  const env = { ...baseEnv, MLOPS_ENDPOINT_URL: emu.url };
  const config = { region: "us-east-1", endpoint: emu.url, credentials };
  const pipelines = new CodePipelineClient(config);
  let pushing = true;
  // Plays the build's docker push: the image of the commit the first execution builds, once the repository exists.
  const pusher = (async () => {
    let stop = () => {};
    while (pushing) {
      const execution = (await pipelines.send(new ListPipelineExecutionsCommand({ pipelineName: "ep-a-prod" })).catch(() => undefined))
        ?.pipelineExecutionSummaries?.[0];
      const commit = execution?.sourceRevisions?.[0]?.revisionId;
      if (commit) {
        stop = pushWhenReady(emu.url, "ep-a-prod", `tag-${commit}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return () => stop();
  })();
  try {
    const { ms, stderr } = await mlops(["create-endpoint", "params/ep-a.yaml", "--yes"], env);
    pushing = false;
    (await pusher)();
    const lines = readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => JSON.parse(l));
    const buildStart = lines.findIndex((l) => /^(CreatePipeline|StartPipelineExecution|StartBuild)$/.test(l.operation) && l.status === 200);
    // DescribeStacks about the stack, by name or by id (an ARN with stack/NAME/), answering CREATE_COMPLETE.
    const created = (l, name) => {
      if (l.operation !== "DescribeStacks") return false;
      const asked = new URLSearchParams(l.request).get("StackName") ?? "";
      return (asked === name || asked.includes(`:stack/${name}/`)) && l.response.includes("<StackStatus>CREATE_COMPLETE</StackStatus>");
    };
    const stackDone = lines.findIndex((l) => created(l, "ep-a-prod"));
    const time = /Time: .*/.exec(stderr)?.[0] ?? "";
    const seconds = (phase) => Number(new RegExp(`${phase} (\\d+) s`).exec(time)?.[1] ?? 0);
    overlap.push({
      buildSeconds,
      stackSeconds,
      ms,
      time,
      order: stderr.includes("Order: side by side") ? "side by side" : "one after the other",
      rolloutSeconds: seconds("rollout") + seconds("validation") + seconds("dns"),
      buildStart,
      stackDone,
      requests: lines.length,
    });
  } finally {
    pushing = false;
    emu.stop();
  }
}

function overlapLines() {
  const lines = [];
  for (const o of overlap) {
    const r = o.rolloutSeconds;
    lines.push(
      `create-endpoint through the pipeline, build ${o.buildSeconds} s, each stack creation ${o.stackSeconds} s (${o.order}): ${(o.ms / 1000).toFixed(1)} s wall; ` +
        // The build's side creates a stack too (the pipeline stack, beside the images stack) before the build starts.
        `by design: max(stack, stack + build) + rollout = ${Math.max(o.stackSeconds, o.stackSeconds + o.buildSeconds) + r} s, ` +
        `one after the other (stack, pipeline stack, build, rollout) = ${2 * o.stackSeconds + o.buildSeconds + r} s (rollout and validation ${r} s)`,
    );
    lines.push(`  ${o.time}`);
    lines.push(
      `  request log (${o.requests} distinct requests): first build started at #${o.buildStart}, stack ep-a-prod CREATE_COMPLETE first answered at #${o.stackDone}: ` +
        `${o.buildStart >= 0 && o.buildStart < o.stackDone ? "the build started before the stack was created" : "the build started after the stack was created"}`,
    );
  }
  return lines;
}

const proxy = await startCountingProxy();
try {
  const buildSeconds = Number(process.env.BENCH_BUILD_SECONDS ?? 20);
  const stackSeconds = Number(process.env.BENCH_STACK_SECONDS ?? 10);
  // BENCH_ONLY=overlap: only the create with a slow build and slow stacks.
  if (process.env.BENCH_ONLY === "overlap") {
    say(`The create's critical path: build ${buildSeconds} s, stack creations ${stackSeconds} s`);
    await overlapFigure(buildSeconds, stackSeconds);
    process.stdout.write(`${overlapLines().join("\n")}\n`);
    proxy.close();
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  }
  // BENCH_ONLY=scale: only the figures at scale.
  if (process.env.BENCH_ONLY === "scale") {
    await scaleFigures();
    await report();
    proxy.close();
    for (const child of emulators) if (child.exitCode === null) child.kill("SIGTERM");
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  }
  // 1. Start-up and render: no AWS.
  say(`Start-up and render (${3 * runs} runs each, alternating)`);
  mkdirSync(join(work, "render"), { recursive: true });
  // Warm the file cache for both sides; the start-up figures are cheap, so they take three times the runs.
  for (let i = 0; i < 3; i++) await Promise.all([mlops(["--version"]), run(process.execPath, ["-e", "0"])]);
  const quick = 3 * runs;
  const startup = await alternate(
    async () => (await mlops(["--version"])).ms,
    async () => (await run(process.execPath, ["-e", "0"])).ms,
    quick,
  );
  compare("mlops --version", startup.a, startup.b, 1.5, "node -e 0");
  const help = await alternate(
    async () => (await mlops(["--help"])).ms,
    async () => (await run(process.execPath, ["-e", "0"])).ms,
    quick,
  );
  compare("mlops --help", help.a, help.b, 1.5, "node -e 0");
  const render = await alternate(
    async () => (await mlops(["render", "params/ep-a.yaml", "--out", join(work, "render")])).ms,
    async () => (await run("aws", ["--version"])).ms,
    quick,
  );
  compare("mlops render params/ep-a.yaml", render.a, render.b, 0.3, "aws --version");

  // BENCH_ONLY=startup: only the figures above (no emulator, no aws calls).
  if (process.env.BENCH_ONLY === "startup") {
    await report();
    proxy.close();
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  }
  // 2. status with 2 endpoints against describe-stacks; then 1, 5 and 20 endpoints, one region each.
  say("status: creating endpoints on the emulator");
  const emulator = await startEmulator();
  proxy.to(emulator.url);
  const statusEnv = (region) => ({ ...baseEnv, AWS_REGION: region, AWS_DEFAULT_REGION: region, MLOPS_ENDPOINT_URL: proxy.url });
  const sizes = { "us-east-1": 2, "us-west-1": 1, "us-west-2": 5, "eu-west-1": 20 };
  const paramsDir = join(work, "params");
  mkdirSync(paramsDir, { recursive: true });
  for (const [region, count] of Object.entries(sizes)) {
    await createStackDirectly(emulator.url, region, paramsFile(paramsDir, `base-${region}`, region));
    for (let i = 1; i < count; i++)
      await createStackDirectly(emulator.url, region, paramsFile(paramsDir, `ep${i}-${region}`, region, { base: `base-${region}`, priority: 100 + i }));
  }
  say(`status: ${runs} runs each, alternating`);
  const status = await alternate(
    async () => (proxy.label("status, 2 endpoints"), (await mlops(["status"], statusEnv("us-east-1"))).ms),
    async () => (proxy.label("aws cloudformation describe-stacks"), (await aws(proxy.url, ["cloudformation", "describe-stacks"])).ms),
  );
  compare("mlops status (2 endpoints)", status.a, status.b, 0.4, "aws cloudformation describe-stacks");
  for (let i = 0; i < runs; i++) {
    for (const [region, count] of Object.entries(sizes)) {
      if (!(count in scaling)) continue;
      proxy.label(`status, ${count} endpoint(s)`);
      scaling[count].push((await mlops(["status"], statusEnv(region))).ms);
    }
  }
  compare("mlops status, 20 endpoints", median(scaling[20]), median(scaling[1]), 1.5, "mlops status, 1 endpoint");
  emulator.stop();

  // 3. The whole sequence, each side on a fresh emulator per round.
  say(`The whole sequence: ${runs} rounds, alternating mlops and the tutorial's aws calls`);
  const rendered = join(work, "tutorial");
  await mlops(["render", "params/ep-a.yaml", "--out", rendered]);
  await mlops(["render", "params/ep-b.yaml", "--out", rendered]);
  // The tutorial's update: APITag set, DesiredCount up (the same values create-endpoint deploys).
  const update = JSON.parse(readFileSync(join(rendered, "ep-a-prod", "parameters.json"), "utf8")).map((p) =>
    p.ParameterKey === "APITag" ? { ...p, ParameterValue: "v2" } : p.ParameterKey === "DesiredCount" ? { ...p, ParameterValue: "2" } : p,
  );
  writeFileSync(join(rendered, "ep-a-prod", "update.json"), JSON.stringify(update));
  // By hand, B takes "the latest priority + 1" (render alone cannot see which priorities are taken).
  const priorityOf = (stack) =>
    JSON.parse(readFileSync(join(rendered, stack, "parameters.json"), "utf8")).find((p) => p.ParameterKey === "ListenerRulePriority")?.ParameterValue;
  const addedParameters = JSON.parse(readFileSync(join(rendered, "ep-b-prod", "parameters.json"), "utf8")).map((p) =>
    p.ParameterKey === "ListenerRulePriority" ? { ...p, ParameterValue: String(Number(priorityOf("ep-a-prod")) + 1) } : p,
  );
  writeFileSync(join(rendered, "ep-b-prod", "parameters.json"), JSON.stringify(addedParameters));
  const sequence = await alternate(
    async () => {
      const emu = await startEmulator();
      proxy.to(emu.url);
      const env = { ...baseEnv, MLOPS_ENDPOINT_URL: proxy.url };
      let total = 0;
      const step = async (name, args, push) => {
        const stop = push ? pushWhenReady(emu.url, ...push) : () => {};
        proxy.label(name);
        const { ms } = await mlops(args, env);
        stop();
        (perCommand[name] ??= []).push(ms);
        total += ms;
      };
      try {
        await step("create-endpoint A", ["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], ["ep-a-prod", "v1"]);
        await step("add-endpoint B", ["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], ["ep-b-prod", "v1"]);
        await new ECRClient({ region: "us-east-1", endpoint: emu.url, credentials }).send(
          new PutImageCommand({ repositoryName: "ep-a-prod", imageTag: "v2", imageManifest: manifest }),
        );
        await step("update A --tag v2", ["update", "params/ep-a.yaml", "--tag", "v2", "--yes"]);
        await step("status", ["status"]);
        await step("teardown --all", ["teardown", "--all", "--yes"]);
      } finally {
        emu.stop();
      }
      return total;
    },
    async () => {
      const emu = await startEmulator();
      proxy.to(emu.url);
      proxy.label("tutorial: 15 aws calls");
      const cli = (...args) => aws(proxy.url, args);
      const file = (stack, name) => `file://${join(rendered, stack, name)}`;
      const create = (stack) =>
        cli(
          "cloudformation",
          "create-stack",
          "--stack-name",
          stack,
          "--template-body",
          file(stack, "template.yaml"),
          "--parameters",
          file(stack, "parameters.json"),
          "--tags",
          file(stack, "tags.json"),
          "--capabilities",
          "CAPABILITY_IAM",
        );
      const start = process.hrtime.bigint();
      try {
        await create("ep-a-prod");
        await cli("cloudformation", "wait", "stack-create-complete", "--stack-name", "ep-a-prod");
        await create("ep-b-prod");
        await cli("cloudformation", "wait", "stack-create-complete", "--stack-name", "ep-b-prod");
        const exports = JSON.parse((await cli("cloudformation", "list-exports")).stdout).Exports;
        const efsGroup = exports.find((e) => e.Name.endsWith("-EfsSecurityGroup"))?.Value;
        const resources = JSON.parse((await cli("cloudformation", "describe-stack-resources", "--stack-name", "ep-b-prod")).stdout).StackResources;
        const taskGroup = resources.find((r) => r.LogicalResourceId === "TaskSecurityGroup")?.PhysicalResourceId;
        await cli("ec2", "authorize-security-group-ingress", "--group-id", efsGroup, "--protocol", "tcp", "--port", "2049", "--source-group", taskGroup);
        await cli(
          "cloudformation",
          "update-stack",
          "--stack-name",
          "ep-a-prod",
          "--template-body",
          file("ep-a-prod", "template.yaml"),
          "--parameters",
          file("ep-a-prod", "update.json"),
          "--capabilities",
          "CAPABILITY_IAM",
        );
        await cli("cloudformation", "wait", "stack-update-complete", "--stack-name", "ep-a-prod");
        await cli("cloudformation", "describe-stacks");
        await cli("ecs", "list-clusters");
        await cli("cloudformation", "delete-stack", "--stack-name", "ep-b-prod");
        await cli("cloudformation", "wait", "stack-delete-complete", "--stack-name", "ep-b-prod");
        await cli("cloudformation", "delete-stack", "--stack-name", "ep-a-prod");
        await cli("cloudformation", "wait", "stack-delete-complete", "--stack-name", "ep-a-prod");
      } finally {
        emu.stop();
      }
      return Number(process.hrtime.bigint() - start) / 1e6;
    },
  );
  compare("whole sequence (create A, add B, update, status, teardown)", sequence.a, sequence.b, 0.35, "the tutorial's 15 aws calls");

  // 4. At scale: status, add-endpoint and teardown on bases of 1, 20 and 100 endpoints.
  await scaleFigures();

  // 5. The create's critical path with a slow build and slow stacks.
  say(`The create's critical path: build ${buildSeconds} s, stack creations ${stackSeconds} s`);
  await overlapFigure(buildSeconds, stackSeconds);

  await report();
} finally {
  proxy.close();
  for (const child of emulators) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
