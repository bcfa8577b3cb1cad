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
import {
  addFile,
  fileSystemsOf,
  newFileSystem,
  readFile,
  RenderedTemplate,
  templatePolicy,
  writeFile,
  type FakeFileSystem,
  type TaskOnEfs,
} from "../fakes/efs-authorization.js";

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
  const container = String(
    ((stack.resource("TaskDefinition")!.Properties as Record<string, unknown>).ContainerDefinitions as Array<{ Name: string }>)[0]!.Name,
  );
  return { stack, fileSystems, taskDefinition: "TaskDefinition", container, imageUid };
}

/** Identity-policy statements of a role that allow an action. */
function allowing(stack: RenderedTemplate, role: string, action: string): unknown[] {
  const policies = ((stack.resource(role)!.Properties as Record<string, unknown>).Policies ?? []) as Array<{
    PolicyDocument: { Statement: Array<Record<string, unknown>> };
  }>;
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

    const again = await stackOf(file, {
      assetsFileSystemId: KEPT_ASSETS,
      weightsFileSystemId: KEPT_WEIGHTS,
      assetsVolumeRoot: "/data",
      weightsVolumeRoot: "/data",
    });
    const kept = fileSystemsOf(again, { [KEPT_ASSETS]: created.get("fs-assetsfilesystem")!, [KEPT_WEIGHTS]: created.get("fs-weightsfilesystem")! });
    const container = api(again, kept, 0);
    expect(readFile(container, "/app/weights/model.safetensors")).toEqual({ ok: true });
    expect(readFile(container, "/app/assets/labels.txt")).toEqual({ ok: true });
    expect(writeFile(sync(again, kept), "/mnt/weights/model.safetensors")).toEqual({ ok: true });
  });
});

describe("the EFS authorization fake follows the EFS User Guide", () => {
  /** A one-volume stack: a role with the given EFS actions, a file system with a deny-only policy, an optional access point. */
  function tiny(actions: string[], accessPoint?: { uid: string; path: string; creation: boolean }) {
    const template = {
      Resources: {
        Role: {
          Type: "AWS::IAM::Role",
          Properties: { Policies: [{ PolicyName: "p", PolicyDocument: { Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] } }] },
        },
        DataFileSystem: {
          Type: "AWS::EFS::FileSystem",
          Properties: {
            FileSystemPolicy: {
              Statement: [{ Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
            },
          },
        },
        ...(accessPoint
          ? {
              DataAccessPoint: {
                Type: "AWS::EFS::AccessPoint",
                Properties: {
                  FileSystemId: { Ref: "DataFileSystem" },
                  PosixUser: { Uid: accessPoint.uid, Gid: accessPoint.uid },
                  RootDirectory: {
                    Path: accessPoint.path,
                    ...(accessPoint.creation ? { CreationInfo: { OwnerUid: accessPoint.uid, OwnerGid: accessPoint.uid, Permissions: "0755" } } : {}),
                  },
                },
              },
            }
          : {}),
        Task: {
          Type: "AWS::ECS::TaskDefinition",
          Properties: {
            TaskRoleArn: { "Fn::GetAtt": ["Role", "Arn"] },
            ContainerDefinitions: [{ Name: "c", MountPoints: [{ SourceVolume: "v", ContainerPath: "/mnt", ReadOnly: false }] }],
            Volumes: [
              {
                Name: "v",
                EFSVolumeConfiguration: {
                  FilesystemId: { Ref: "DataFileSystem" },
                  TransitEncryption: "ENABLED",
                  AuthorizationConfig: { IAM: "ENABLED", ...(accessPoint ? { AccessPointId: { Ref: "DataAccessPoint" } } : {}) },
                },
              },
            ],
          },
        },
      },
    };
    const stack = new RenderedTemplate({ templateBody: JSON.stringify(template), parameters: {} });
    const fileSystems = fileSystemsOf(stack, {
      "fs-datafilesystem": newFileSystem((stack.resource("DataFileSystem")!.Properties as Record<string, unknown>).FileSystemPolicy as Record<string, unknown>),
    });
    return (uid: number): TaskOnEfs => ({ stack, fileSystems, taskDefinition: "Task", container: "c", imageUid: uid });
  }
  const write = "elasticfilesystem:ClientWrite";
  const mount = "elasticfilesystem:ClientMount";
  const root = "elasticfilesystem:ClientRootAccess";

  it("without ClientMount no mount; without ClientWrite a read-only one", () => {
    expect(writeFile(tiny([])(0), "/mnt/f")).toMatchObject({ ok: false, reason: expect.stringMatching(/access denied/) });
    expect(writeFile(tiny([mount])(0), "/mnt/f")).toMatchObject({ ok: false, reason: expect.stringMatching(/Read-only/) });
  });

  it("squashes root without ClientRootAccess: the root directory (root's, 0755) refuses it, and any other user", () => {
    expect(writeFile(tiny([mount, write])(0), "/mnt/f")).toMatchObject({ ok: false, reason: expect.stringMatching(/Permission denied/) });
    expect(writeFile(tiny([mount, write])(1000), "/mnt/f")).toMatchObject({ ok: false, reason: expect.stringMatching(/Permission denied/) });
    expect(writeFile(tiny([mount, write, root])(0), "/mnt/f")).toEqual({ ok: true });
  });

  it("an access point's user replaces the image's, in the directory it creates with CreationInfo; without CreationInfo the mount fails", () => {
    const task = tiny([mount, write], { uid: "1000", path: "/data", creation: true });
    expect(writeFile(task(0), "/mnt/f")).toEqual({ ok: true });
    expect(writeFile(task(4242), "/mnt/g")).toEqual({ ok: true });
    expect(writeFile(tiny([mount, write], { uid: "1000", path: "/data", creation: false })(0), "/mnt/f")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/No such file/),
    });
  });

  it("an access point user of UID 0 is root only with ClientRootAccess", () => {
    expect(writeFile(tiny([mount, write], { uid: "0", path: "/", creation: false })(1000), "/mnt/f")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Permission denied/),
    });
    expect(writeFile(tiny([mount, write, root], { uid: "0", path: "/", creation: false })(1000), "/mnt/f")).toEqual({ ok: true });
  });
});
