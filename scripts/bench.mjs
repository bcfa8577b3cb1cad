#!/usr/bin/env node
// Measures mlops where users wait on it: start-up, render, and each command
// of the documented sequence on the local emulator (median of several runs).
// Cloud time (stack stabilization, ECS rollouts) is not measured here: the
// emulator completes stacks inside the API call.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mlops.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs mlops and returns its wall time; asynchronous, so the image pushes below keep running meanwhile. */
function time(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`mlops ${args.join(" ")} exited ${code}:\n${stderr}`));
    });
  });
}

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["emulator/server.py", "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve({ url: match[1], child });
    });
    child.on("exit", (code) => reject(new Error(`emulator exited ${code}`)));
  });
}

const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v2+json", config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` }, layers: [] });

const results = {};
const record = (name, ms) => (results[name] ??= []).push(ms);

for (let i = 0; i < runs; i++) {
  record("mlops --help", await time(["--help"], process.env));
  record("render params/ep-a.yaml", await time(["render", "params/ep-a.yaml", "--out", "out/bench"], process.env));
}
for (let i = 0; i < runs; i++) {
  const { url, child } = await startEmulator();
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1", MLOPS_ENDPOINT_URL: url, CI: "true" };
  const ecr = new ECRClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  try {
    // The image is pushed as soon as the repository exists, so the waits measure mlops, not the push.
    const push = (repositoryName, imageTag) => {
      const tick = setInterval(() => ecr.send(new PutImageCommand({ repositoryName, imageTag, imageManifest: manifest })).then(() => clearInterval(tick), () => {}), 100);
      return () => clearInterval(tick);
    };
    let stop = push("ep-a-prod", "v1");
    record("create-endpoint (A)", await time(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes"], env));
    stop();
    stop = push("ep-b-prod", "v1");
    record("add-endpoint (B)", await time(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--yes"], env));
    stop();
    await ecr.send(new PutImageCommand({ repositoryName: "ep-a-prod", imageTag: "v2", imageManifest: manifest }));
    record("update --tag (A)", await time(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], env));
    record("update, nothing to change", await time(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"], env));
    record("status", await time(["status"], env));
    record("teardown --all", await time(["teardown", "--all", "--yes"], env));
  } finally {
    child.kill("SIGTERM");
  }
}

const rows = Object.entries(results).map(([name, values]) => ({ name, medianMs: Math.round(median(values)), minMs: Math.round(Math.min(...values)), maxMs: Math.round(Math.max(...values)), runs: values.length }));
const width = Math.max(...rows.map((r) => r.name.length));
process.stdout.write(`${"command".padEnd(width)}  median    min     max   (ms, ${runs} runs, node ${process.version})\n`);
for (const r of rows) process.stdout.write(`${r.name.padEnd(width)}  ${String(r.medianMs).padStart(6)}  ${String(r.minMs).padStart(6)}  ${String(r.maxMs).padStart(6)}\n`);
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(rows)}\n`);
