/**
 * What the rendered endpoint stacks let their containers do on EFS, evaluated by the
 * fake of EFS's NFS authorization (test/fakes/efs-authorization.ts: identity policy,
 * file-system policy, access point user and root directory, root squashing, Unix
 * permissions). The weights sync runs the AWS CLI image, as root; the API container runs
 * the user's image, as root or as any other user.
 */
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../src/params/load.js";
import type { EndpointConfig } from "../../src/params/model.js";
import { renderEndpointStack, type DeploymentFacts } from "../../src/render/render.js";
import { addFile, fileSystemsOf, newFileSystem, readFile, RenderedTemplate, templatePolicy, writeFile, type FakeFileSystem, type TaskOnEfs } from "../fakes/efs-authorization.js";

const FILES = ["params/ep-a.yaml", "params/ep-b.yaml"] as const;
const KEPT_ASSETS = "fs-0a0a0a0a0a0a0a0a0";
const KEPT_WEIGHTS = "fs-0b0b0b0b0b0b0b0b0";

async function stackOf(file: string, facts: DeploymentFacts = {}, change: (config: EndpointConfig) => void = () => undefined) {
  const config = await loadEndpointConfig(file, {});
  change(config);
  return new RenderedTemplate(renderEndpointStack(config, { imageTag: "v1", ...facts }));
}

function sync(stack: RenderedTemplate, fileSystems: Map<string, FakeFileSystem>, imageUid = 0): TaskOnEfs {
  return { stack, fileSystems, taskDefinition: "WeightsSyncTaskDefinition", container: "sync", imageUid };
}

function api(stack: RenderedTemplate, fileSystems: Map<string, FakeFileSystem>, imageUid: number): TaskOnEfs {
  const container = String(((stack.resource("TaskDefinition")!.Properties as Record<string, unknown>).ContainerDefinitions as Array<{ Name: string }>)[0]!.Name);
  return { stack, fileSystems, taskDefinition: "TaskDefinition", container, imageUid };
}

/** Identity-policy statements of a role that allow an action. */
function allowing(stack: RenderedTemplate, role: string, action: string): unknown[] {
  const policies = ((stack.resource(role)!.Properties as Record<string, unknown>).Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === "Allow" && [s.Action].flat().includes(action));
}

describe.each(FILES)("EFS authorization of %s's tasks (as EFS evaluates it)", (file) => {
  it("lets weights push write onto a new weights volume, with the sync image as root or as UID 1000", async () => {
    for (const uid of [0, 1000]) {
      const stack = await stackOf(file);
      const fileSystems = fileSystemsOf(stack);
      expect(writeFile(sync(stack, fileSystems, uid), "/mnt/weights/model.safetensors")).toEqual({ ok: true });
      expect(writeFile(sync(stack, fileSystems, uid), "/mnt/weights/tokenizer/vocab.json")).toEqual({ ok: true });
    }
  });

  it("lets the API container, as root or as UID 1000, read the pushed weights and write to its assets volume", async () => {
    for (const uid of [0, 1000]) {
      const stack = await stackOf(file);
      const fileSystems = fileSystemsOf(stack);
      expect(writeFile(sync(stack, fileSystems), "/mnt/weights/tokenizer/vocab.json")).toEqual({ ok: true });
      const container = api(stack, fileSystems, uid);
      expect(readFile(container, "/app/weights/tokenizer/vocab.json")).toEqual({ ok: true });
      expect(writeFile(container, "/app/assets/cache/index.bin")).toEqual({ ok: true });
      expect(readFile(sync(stack, fileSystems), "/mnt/assets/cache/index.bin")).toEqual({ ok: true });
    }
  });

  it("mounts the weights volume read-only in the API container unless storage.weightsWritable is set", async () => {
    const readOnly = await stackOf(file);
    const denied = writeFile(api(readOnly, fileSystemsOf(readOnly), 1000), "/app/weights/extra.bin");
    expect(denied.ok).toBe(false);
    expect(denied.ok ? "" : denied.reason).toMatch(/Read-only file system/);
    expect(allowing(readOnly, "TaskRole", "elasticfilesystem:ClientWrite")).toHaveLength(1);

    const writable = await stackOf(file, {}, (config) => {
      config.storage.weightsWritable = true;
    });
    expect(writeFile(api(writable, fileSystemsOf(writable), 1000), "/app/weights/extra.bin")).toEqual({ ok: true });
  });

  it("grants no root access on volumes whose data lives in the access point's own directory", async () => {
    const stack = await stackOf(file);
    for (const role of ["TaskRole", "WeightsSyncRole"]) expect(allowing(stack, role, "elasticfilesystem:ClientRootAccess"), role).toEqual([]);
  });

  it("keeps the data at the root of a kept file system visible and writable (file systems of earlier versions)", async () => {
    const stack = await stackOf(file, { assetsFileSystemId: KEPT_ASSETS, weightsFileSystemId: KEPT_WEIGHTS, assetsVolumeRoot: "/", weightsVolumeRoot: "/" });
    const weights = newFileSystem(templatePolicy(stack, "WeightsFileSystem"));
    addFile(weights, "model.safetensors");
    const assets = newFileSystem(templatePolicy(stack, "AssetsFileSystem"));
    addFile(assets, "labels.txt");
    const fileSystems = fileSystemsOf(stack, { [KEPT_ASSETS]: assets, [KEPT_WEIGHTS]: weights });
    for (const uid of [0, 1000]) {
      const container = api(stack, fileSystems, uid);
      expect(readFile(container, "/app/weights/model.safetensors")).toEqual({ ok: true });
      expect(readFile(container, "/app/assets/labels.txt")).toEqual({ ok: true });
      expect(writeFile(container, `/app/assets/written-by-${uid}.txt`)).toEqual({ ok: true });
      expect(writeFile(sync(stack, fileSystems, uid), `/mnt/weights/pushed-by-${uid}.bin`)).toEqual({ ok: true });
    }
    // Root, there only (one statement per kept volume): their root directory is root's alone.
    expect(allowing(stack, "TaskRole", "elasticfilesystem:ClientRootAccess")).toHaveLength(2);
    expect(allowing(stack, "WeightsSyncRole", "elasticfilesystem:ClientRootAccess")).toHaveLength(2);
  });

  it("mounts a kept file system of this version at the directory its data is in", async () => {
    const first = await stackOf(file);
    const created = fileSystemsOf(first);
    expect(writeFile(sync(first, created), "/mnt/weights/model.safetensors")).toEqual({ ok: true });
    expect(writeFile(api(first, created, 1000), "/app/assets/labels.txt")).toEqual({ ok: true });

    const again = await stackOf(file, { assetsFileSystemId: KEPT_ASSETS, weightsFileSystemId: KEPT_WEIGHTS, assetsVolumeRoot: "/data", weightsVolumeRoot: "/data" });
    const kept = fileSystemsOf(again, { [KEPT_ASSETS]: created.get("fs-assetsfilesystem")!, [KEPT_WEIGHTS]: created.get("fs-weightsfilesystem")! });
    const container = api(again, kept, 0);
    expect(readFile(container, "/app/weights/model.safetensors")).toEqual({ ok: true });
    expect(readFile(container, "/app/assets/labels.txt")).toEqual({ ok: true });
    expect(writeFile(sync(again, kept), "/mnt/weights/model.safetensors")).toEqual({ ok: true });
  });
});
