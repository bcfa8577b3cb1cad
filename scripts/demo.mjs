#!/usr/bin/env node
// The whole job on the local emulator: create endpoint A through its
// pipeline, add endpoint B, send a request, show the pipeline's run and the
// endpoint's logs, roll out a new image, show the status (and A in detail),
// tear everything down. The emulator runs a pipeline's build up to its
// `docker push`, which this script plays by pushing an image manifest to ECR;
// it runs no containers, so the script writes the log lines a container would.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { CodePipelineClient, ListPipelineExecutionsCommand } from "@aws-sdk/client-codepipeline";
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { emulatorEcr, pushImage } from "./emulator-push.mjs";

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

/** Pushes an image as soon as the repository exists, as the pipeline's build (or `npm run emulator:push`) would. */
async function pushWhenReady(ecr, repositoryName, tag, signal) {
  while (!signal.aborted) {
    try {
      await pushImage(ecr, repositoryName, tag);
      process.stdout.write(`    [demo] playing docker push (npm run emulator:push -- ${repositoryName} ${tag}): pushed image ${repositoryName}:${tag}\n`);
      return;
    } catch (error) {
      if (error.name !== "RepositoryNotFoundException") throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Plays the build's `docker push`: pushes the image of the commit the pipeline's first execution builds. */
async function pushBuiltImage(ecr, pipelines, pipelineName, signal) {
  while (!signal.aborted) {
    try {
      const execution = (await pipelines.send(new ListPipelineExecutionsCommand({ pipelineName }))).pipelineExecutionSummaries?.[0];
      if (execution) {
        // Long enough for mlops to show the build running.
        await new Promise((r) => setTimeout(r, 2000));
        const tag = `tag-${execution.sourceRevisions[0].revisionId}`;
        await pushWhenReady(ecr, pipelineName, tag, signal);
        return;
      }
    } catch (error) {
      if (error.name !== "PipelineNotFoundException") throw error;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A directory holding a stand-in session-manager-plugin that prints its arguments. */
function standInPlugin() {
  const dir = mkdtempSync(join(tmpdir(), "mlops-demo-plugin-"));
  const script = join(dir, "session-manager-plugin");
  writeFileSync(
    script,
    `#!/usr/bin/env node\nconst [session, region, op, profile, target, endpoint] = process.argv.slice(2);\nconsole.log("    [stand-in plugin] " + op + " in " + region + " at " + endpoint + ", target " + JSON.parse(target).Target + ", session " + JSON.parse(session).sessionId);\n`,
  );
  chmodSync(script, 0o755);
  return dir;
}

/** Writes the lines two tasks of the endpoint would log (the emulator runs no containers). */
async function writeContainerLogs(logs, logGroupName) {
  const now = Date.now();
  const tasks = ["ecs/api/3f2a9c1e0b7d4e5f8a6b1c2d3e4f5a6b", "ecs/api/9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"];
  const lines = [
    ["Loading model from /app/weights", "Loading model from /app/weights"],
    ["Model loaded in 28.4 s", "Model loaded in 29.1 s"],
    ["GET /ping 200 1.2 ms", "POST /invocations 200 84.0 ms"],
  ];
  for (const [index, stream] of tasks.entries()) {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: stream }));
    const events = lines.map((pair, i) => ({ timestamp: now - 60_000 + i * 10_000 + index * 3_000, message: pair[index] }));
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: stream, logEvents: events }));
  }
}

async function step(env, ecr, args, push, expectedCode = 0) {
  const controller = new AbortController();
  const pushing =
    typeof push === "function" ? push(controller.signal) : push ? pushWhenReady(ecr, push.repository, push.tag, controller.signal) : Promise.resolve();
  const code = await mlops(args, env);
  controller.abort();
  await pushing;
  if (code !== expectedCode) throw new Error(`mlops ${args[0]} exited with ${code}`);
}

/**
 * A local HTTPS responder playing endpoint A's load balancer: the emulator runs no containers
 * and its load balancer's name resolves nowhere, so no request can reach it. The responder has
 * a certificate for A's host, signed by a CA made here (openssl), which `mlops test` is told to
 * trust with --ca-bundle; --connect-to sends the request to it with A's host as TLS name and
 * Host header, as a load balancer receives it. Undefined (and why) when openssl is missing.
 */
function startResponder(host) {
  const dir = mkdtempSync(join(tmpdir(), "mlops-demo-tls-"));
  const openssl = (args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=mlops demo CA"]);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${host}`]);
    writeFileSync(join(dir, "leaf.ext"), `subjectAltName=DNS:${host}\n`);
    openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "1",
      "-days",
      "1",
      "-out",
      "leaf.pem",
      "-extfile",
      "leaf.ext",
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve({ why: `openssl could not make a certificate (${error.code === "ENOENT" ? "not on PATH" : error.message.split("\n")[0]})` });
  }
  const server = createServer({ key: readFileSync(join(dir, "leaf.key")), cert: readFileSync(join(dir, "leaf.pem")) }, (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", host: req.headers.host }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        caFile: join(dir, "ca.pem"),
        close: () => {
          server.close();
          rmSync(dir, { recursive: true, force: true });
        },
      }),
    ),
  );
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
say("Starting the local AWS emulator (moto with mlops's corrections)");
const { url, child } = await startEmulator();
process.stdout.write(`    emulator at ${url}\n`);
const env = { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: region, MLOPS_ENDPOINT_URL: url };
delete env.AWS_PROFILE;
const clientConfig = { region, endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const ecr = emulatorEcr(url, region);
const pipelines = new CodePipelineClient(clientConfig);
const logs = new CloudWatchLogsClient(clientConfig);
let failed = false;
let responder;
try {
  // The public hosted zone of the domain the endpoints' hosts are in: with it, mlops makes their DNS records itself.
  await new Route53Client({ region, endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } }).send(
    new CreateHostedZoneCommand({ Name: "example.com", CallerReference: `mlops-demo-${Date.now()}` }),
  );
  process.stdout.write("    Route 53 public hosted zone example.com created: mlops makes the endpoints' DNS records in it\n");
  say("1. Create the base endpoint A; its pipeline builds the first image (the demo plays the build's docker push)");
  await step(env, ecr, ["create-endpoint", "params/ep-a.yaml", "--yes"], (signal) => pushBuiltImage(ecr, pipelines, "ep-a-prod", signal));
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
  say("2. Add endpoint B to A's infrastructure (--no-dns: the DNS record is printed for you to create)");
  await step(env, ecr, ["add-endpoint", "params/ep-b.yaml", "--tag", "demo-1", "--no-dns", "--yes"], { repository: "ep-b-prod", tag: "demo-1" });
  say("2b. Send a request to A (the emulator serves no requests: a local HTTPS responder with a certificate for A's host plays its load balancer)");
  responder = await startResponder("ep-a.example.com");
  if (responder.why) process.stdout.write(`    skipped: ${responder.why}\n`);
  else await step(env, ecr, ["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${responder.port}`, "--ca-bundle", responder.caFile]);
  say("3. A's pipeline run: stages, build phases, the build's last log lines");
  await step(env, ecr, ["pipeline", "params/ep-a.yaml"]);
  say("4. A's container logs, every task interleaved (the emulator runs no containers: the demo writes their lines)");
  await writeContainerLogs(logs, "/mlops/ep-a-prod");
  await step(env, ecr, ["logs", "params/ep-a.yaml", "--since", "10m"]);
  say("5. A shell in a container: exec checks its prerequisites, then hands the session to session-manager-plugin");
  process.stdout.write("    [demo] a real plugin would connect to AWS; a stand-in on PATH shows what it is given\n");
  await step({ ...env, PATH: `${standInPlugin()}${delimiter}${process.env.PATH ?? ""}` }, ecr, ["exec", "params/ep-a.yaml", "--", "ls", "/app/weights"]);
  say("6. Roll out a new image to A");
  await step(env, ecr, ["update", "params/ep-a.yaml", "--tag", "demo-2", "--yes"], { repository: "ep-a-prod", tag: "demo-2" });
  say("7. Run the same update again: nothing to change");
  await step(env, ecr, ["update", "params/ep-a.yaml", "--tag", "demo-2", "--yes"]);
  say("8. Status of every endpoint, then endpoint A in detail");
  await step(env, ecr, ["status"]);
  await step(env, ecr, ["status", "ep-a"]);
  say("9. Tear everything down (EFS data is kept)");
  await step(env, ecr, ["teardown", "--all", "--yes"]);
  say("Done: the whole sequence ran against the emulator.");
} catch (error) {
  failed = true;
  process.stderr.write(`\ndemo failed: ${error.message}\n`);
} finally {
  responder?.close?.();
  child.kill("SIGTERM");
}
process.exitCode = failed ? 1 : 0;
