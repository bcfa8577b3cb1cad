#!/usr/bin/env node
// Puts an image into a repository of the local emulator, as `docker push` would
// put one into ECR: `npm run emulator:push -- REPOSITORY TAG`. The emulator runs
// no containers, so the image is a manifest only (no layers), its config made
// unique so that every push gets its own digest. It talks only to the emulator:
// the endpoint URL comes from --endpoint-url or MLOPS_ENDPOINT_URL, and without
// one it refuses (a real registry takes real images: docker push).
import { createHash, randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";

/** A manifest no other push has: its config digest hashes the repository, tag and a random id. */
export function imageManifest(repository, tag) {
  const config = createHash("sha256").update(`${repository}:${tag}:${randomUUID()}`).digest("hex");
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${config}` },
    layers: [],
  });
}

/** An ECR client for the emulator at `endpointUrl` (test credentials unless the environment has some). */
export function emulatorEcr(endpointUrl, region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1") {
  const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : { accessKeyId: "test", secretAccessKey: "test" };
  return new ECRClient({ region, endpoint: endpointUrl, ...(credentials ? { credentials } : {}) });
}

/** Pushes the image REPOSITORY:TAG; returns its digest. */
export async function pushImage(ecr, repository, tag) {
  // Asked first: the emulator's PutImage answers a missing repository with an HTTP 500 page, not ECR's error.
  await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
  await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: imageManifest(repository, tag) }));
  const described = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
  return described.imageDetails?.[0]?.imageDigest ?? "";
}

const usage = "usage: npm run emulator:push -- REPOSITORY TAG [--endpoint-url URL]   (or MLOPS_ENDPOINT_URL=URL)";

async function main(argv) {
  // The SDK warns about Node versions it will drop later, which a push to the emulator can do nothing about (as mlops itself).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const args = [...argv];
  let endpointUrl = process.env.MLOPS_ENDPOINT_URL;
  const flag = args.indexOf("--endpoint-url");
  if (flag >= 0) [, endpointUrl] = args.splice(flag, 2);
  const [repository, tag] = args;
  if (!repository || !tag || args.length !== 2) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (!endpointUrl) {
    process.stderr.write(
      `No emulator to push to: give --endpoint-url or set MLOPS_ENDPOINT_URL (the URL the emulator printed).\nTo push to ECR itself, use docker push (mlops prints the commands while it waits).\n${usage}\n`,
    );
    return 2;
  }
  try {
    const digest = await pushImage(emulatorEcr(endpointUrl), repository, tag);
    process.stdout.write(`Pushed ${repository}:${tag} (${digest}) to the emulator at ${endpointUrl}\n`);
    return 0;
  } catch (error) {
    const hint = error.name === "RepositoryNotFoundException" ? " (the stack creates the repository: run create-endpoint or add-endpoint first)" : "";
    process.stderr.write(`Could not push ${repository}:${tag}: ${error.name}: ${error.message}${hint}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = await main(process.argv.slice(2));
