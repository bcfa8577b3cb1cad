/**
 * ecr-image-digest: an image pushed to the emulator's ECR gets the SHA-256 of its
 * manifest as digest, as a registry names a manifest (OCI Image Format Specification,
 * "Descriptors"; Amazon ECR API reference, ImageIdentifier). Without the correction,
 * every manifest without layers gets the digest of empty input. Also the documented
 * way to push to the emulator, `npm run emulator:push -- REPOSITORY TAG`.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../setup/emulator-process.js";

const pushScript = fileURLToPath(new URL("../../../scripts/emulator-push.mjs", import.meta.url));
const EMPTY_INPUT_DIGEST = `sha256:${createHash("sha256").update("").digest("hex")}`;

const ecr = (url: string) => new ECRClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
const manifest = (config: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${config.repeat(64)}` },
    layers: [],
  });
let counter = 0;
const repositoryName = () => `digest-${process.pid}-${++counter}`;

/** Pushes two different images to a new repository and answers their digests. */
async function twoDigests(client: ECRClient): Promise<{ digests: (string | undefined)[]; manifests: string[] }> {
  const repository = repositoryName();
  await client.send(new CreateRepositoryCommand({ repositoryName: repository }));
  const manifests = [manifest("1"), manifest("2")];
  await client.send(new PutImageCommand({ repositoryName: repository, imageTag: "v1", imageManifest: manifests[0] }));
  await client.send(new PutImageCommand({ repositoryName: repository, imageTag: "v2", imageManifest: manifests[1] }));
  const digests = [];
  for (const tag of ["v1", "v2"]) {
    digests.push((await client.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }))).imageDetails?.[0]?.imageDigest);
  }
  return { digests, manifests };
}

let without: RunningEmulator;
beforeAll(async () => {
  without = await startEmulator({ without: ["ecr-image-digest"] });
});
afterAll(async () => {
  await without?.stop();
});

describe("ecr-image-digest (an image's digest is its manifest's SHA-256)", () => {
  it("two different images get different digests, each the SHA-256 of its manifest", async () => {
    const { digests, manifests } = await twoDigests(ecr(inject("emulatorUrl")));
    expect(digests).toEqual(manifests.map((m) => `sha256:${createHash("sha256").update(m).digest("hex")}`));
    expect(digests[0]).not.toBe(digests[1]);
  });

  it("without it, every manifest without layers gets the digest of empty input", async () => {
    const { digests } = await twoDigests(ecr(without.url));
    expect(digests).toEqual([EMPTY_INPUT_DIGEST, EMPTY_INPUT_DIGEST]);
  });
});

describe("npm run emulator:push -- REPOSITORY TAG", () => {
  const push = (args: string[], env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [pushScript, ...args], { encoding: "utf8", env: { ...process.env, AWS_ACCESS_KEY_ID: "", MLOPS_ENDPOINT_URL: "", ...env } });

  it("puts an image with its own digest into the emulator's repository", async () => {
    const url = inject("emulatorUrl");
    const repository = repositoryName();
    await ecr(url).send(new CreateRepositoryCommand({ repositoryName: repository }));
    // Unset as in a user's shell, where the SDK would warn about Node versions on stderr.
    const first = push([repository, "v1"], { MLOPS_ENDPOINT_URL: url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe("");
    const second = push([repository, "v2", "--endpoint-url", url], {});
    expect(second.status, second.stderr).toBe(0);
    const images = (await ecr(url).send(new DescribeImagesCommand({ repositoryName: repository }))).imageDetails ?? [];
    expect(images.map((i) => i.imageTags?.[0]).sort()).toEqual(["v1", "v2"]);
    expect(new Set(images.map((i) => i.imageDigest)).size).toBe(2);
    expect(first.stdout).toContain(`Pushed ${repository}:v1 (sha256:`);
  });

  it("refuses without an emulator URL, and names a missing repository", () => {
    const none = push(["some-repo", "v1"], {});
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("No emulator to push to: give --endpoint-url or set MLOPS_ENDPOINT_URL");
    const missing = push(["no-such-repo", "v1"], { MLOPS_ENDPOINT_URL: inject("emulatorUrl") });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("RepositoryNotFoundException");
  });
});
