#!/usr/bin/env node
// The whole job on the local emulator: create endpoint A, add endpoint B,
// roll out a new image, show the status (and A in detail), tear everything down.
// Builds do not run on the emulator, so this script plays the pipeline's
// part by pushing an image manifest to ECR when the repository appears.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ECRClient, PutImageCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/mlops.js", import.meta.url));
const region = "us-east-1";

function say(text) {
  process.stdout.write(`\n\u001b[1m### ${text}\u001b[0m\n`);
}

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["emulator/server.py", "--port", "0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 20 s:\n${stderr}`)), 20_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    });
    child.on("exit", (code) => reject(new Error(`emulator exited (${code}):\n${stderr}`)));
  });
}

function mlops(args, env) {
  process.stdout.write(`\n$ mlops ${args.join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/** Pushes a tiny image manifest as soon as the repository exists, as the pipeline's build would. */
async function pushWhenReady(ecr, repositoryName, tag, signal) {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"1".repeat(64)}` },
    layers: [],
  });
  while (!signal.aborted) {
    try {
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
      await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
      process.stdout.write(`    [demo] playing the pipeline's build: pushed image ${repositoryName}:${tag}\n`);
      return;
    } catch (error) {
      if (error.name !== "RepositoryNotFoundException") throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function step(env, ecr, args, push) {
  const controller = new AbortController();
  const pushing = push ? pushWhenReady(ecr, push.repository, push.tag, controller.signal) : Promise.resolve();
  const code = await mlops(args, env);
  controller.abort();
  await pushing;
  if (code !== 0) throw new Error(`mlops ${args[0]} exited with ${code}`);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
say("Starting the local AWS emulator (moto with mlops's corrections)");
const { url, child } = await startEmulator();
process.stdout.write(`    emulator at ${url}\n`);
const env = { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: region, MLOPS_ENDPOINT_URL: url };
delete env.AWS_PROFILE;
const ecr = new ECRClient({ region, endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
let failed = false;
try {
  say("1. Create the base endpoint A (builds do not run on the emulator: the demo pushes the image)");
  await step(env, ecr, ["create-endpoint", "params/ep-a.yaml", "--tag", "demo-1", "--yes"], { repository: "ep-a-prod", tag: "demo-1" });
  say("1b. Push model weights from a local folder onto A's weights volume (a one-off Fargate task, no bastion), then list the volume");
  const weights = mkdtempSync(join(tmpdir(), "mlops-demo-weights-"));
  try {
    mkdirSync(join(weights, "tokenizer"));
    writeFileSync(join(weights, "model.safetensors"), Buffer.alloc(64 * 1024, 7));
    writeFileSync(join(weights, "tokenizer", "vocab.json"), '{"hello": 0}');
    await step(env, ecr, ["weights", "push", "params/ep-a.yaml", weights, "--yes"]);
    await step(env, ecr, ["weights", "ls", "params/ep-a.yaml"]);
  } finally {
    rmSync(weights, { recursive: true, force: true });
  }
  say("2. Add endpoint B to A's infrastructure");
  await step(env, ecr, ["add-endpoint", "params/ep-b.yaml", "--tag", "demo-1", "--yes"], { repository: "ep-b-prod", tag: "demo-1" });
  say("3. Roll out a new image to A");
  await step(env, ecr, ["update", "params/ep-a.yaml", "--tag", "demo-2", "--yes"], { repository: "ep-a-prod", tag: "demo-2" });
  say("4. Run the same update again: nothing to change");
  await step(env, ecr, ["update", "params/ep-a.yaml", "--tag", "demo-2", "--yes"]);
  say("5. Status of every endpoint, then endpoint A in detail");
  await step(env, ecr, ["status"]);
  await step(env, ecr, ["status", "ep-a"]);
  say("6. Tear everything down (EFS data is kept)");
  await step(env, ecr, ["teardown", "--all", "--yes"]);
  say("Done: the whole sequence ran against the emulator.");
} catch (error) {
  failed = true;
  process.stderr.write(`\ndemo failed: ${error.message}\n`);
} finally {
  child.kill("SIGTERM");
}
process.exitCode = failed ? 1 : 0;
