/**
 * Uploading a local folder: every file under one prefix, small ones in one PutObject, big ones
 * in parts that complete in order, and an upload whose part fails is aborted.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { S3Api } from "../../../src/aws/interfaces.js";
import { listLocalFiles, uploadFiles } from "../../../src/deploy/steps/upload.js";
import { AwsError, InputError } from "../../../src/errors.js";

/** Records the calls; objects and parts are kept as bytes. */
function fakeS3(options: { failPart?: number } = {}) {
  const calls: { method: string; key?: string; part?: number; size?: number }[] = [];
  const objects = new Map<string, Buffer>();
  const parts = new Map<number, Buffer>();
  const s3 = {
    putObject: async (input: { Key?: string; Body?: unknown }) => {
      const body = Buffer.from(input.Body as Uint8Array);
      calls.push({ method: "putObject", key: input.Key, size: body.length });
      objects.set(input.Key!, body);
      return {};
    },
    createMultipartUpload: async (input: { Key?: string }) => {
      calls.push({ method: "createMultipartUpload", key: input.Key });
      return { UploadId: "u1" };
    },
    uploadPart: async (input: { PartNumber?: number; Body?: unknown }) => {
      const body = Buffer.from(input.Body as Uint8Array);
      calls.push({ method: "uploadPart", part: input.PartNumber, size: body.length });
      if (input.PartNumber === options.failPart) throw new AwsError("S3 UploadPart: RequestTimeout", { code: "RequestTimeout" });
      parts.set(input.PartNumber!, body);
      return { ETag: `"etag-${input.PartNumber}"` };
    },
    completeMultipartUpload: async (input: { Key?: string; MultipartUpload?: { Parts?: { PartNumber?: number; ETag?: string }[] } }) => {
      calls.push({ method: "completeMultipartUpload", key: input.Key });
      const ordered = (input.MultipartUpload?.Parts ?? []).map((p) => parts.get(p.PartNumber!)!);
      objects.set(input.Key!, Buffer.concat(ordered));
      return {};
    },
    abortMultipartUpload: async (input: { Key?: string }) => {
      calls.push({ method: "abortMultipartUpload", key: input.Key });
      return {};
    },
  } as unknown as S3Api;
  return { s3, calls, objects };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mlops-upload-"));
  mkdirSync(join(dir, "tok"));
  writeFileSync(join(dir, "small.json"), "{}");
  writeFileSync(join(dir, "tok", "big.bin"), Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251)));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("uploadFiles", () => {
  it("puts small files in one call and big ones in ordered parts, under the prefix, byte for byte", async () => {
    const { s3, calls, objects } = fakeS3();
    const files = await listLocalFiles(dir);
    expect(files.map((f) => f.relativePath)).toEqual(["small.json", "tok/big.bin"]);
    const done: string[] = [];
    await uploadFiles(s3, "bucket", "ep-a-prod/run1/", files, (f) => done.push(f.relativePath), { multipartThreshold: 1000, partSize: 1000 });
    expect(calls.map((c) => c.method)).toEqual(["putObject", "createMultipartUpload", "uploadPart", "uploadPart", "uploadPart", "completeMultipartUpload"]);
    expect(calls.filter((c) => c.method === "uploadPart").map((c) => c.size)).toEqual([1000, 1000, 500]);
    expect(objects.get("ep-a-prod/run1/tok/big.bin")).toEqual(Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251)));
    expect(objects.get("ep-a-prod/run1/small.json")?.toString()).toBe("{}");
    expect(done).toEqual(["small.json", "tok/big.bin"]);
  });

  it("aborts a multipart upload whose part fails, and reports the failure", async () => {
    const { s3, calls } = fakeS3({ failPart: 2 });
    const files = await listLocalFiles(dir);
    await expect(uploadFiles(s3, "bucket", "p/", files, () => undefined, { multipartThreshold: 1000, partSize: 1000 })).rejects.toThrow(/RequestTimeout/);
    expect(calls.at(-1)).toEqual({ method: "abortMultipartUpload", key: "p/tok/big.bin" });
  });

  it("a missing or empty folder is bad input", async () => {
    await expect(listLocalFiles(join(dir, "nope"))).rejects.toBeInstanceOf(InputError);
    mkdirSync(join(dir, "empty"));
    await expect(listLocalFiles(join(dir, "empty"))).rejects.toBeInstanceOf(InputError);
  });
});
