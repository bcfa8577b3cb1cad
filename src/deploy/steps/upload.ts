/**
 * Uploads a local folder to S3 under one prefix: small files in one PutObject,
 * big ones in parts (S3 multipart upload), one file at a time.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { S3Api } from "../../aws/interfaces.js";
import { InputError } from "../../errors.js";

/** One file to upload, relative to the folder (with `/` separators). */
export interface LocalFile {
  relativePath: string;
  absolutePath: string;
  size: number;
}

/** Files above this size go up in parts. */
export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
/**
 * Part size: S3 allows at most 10,000 parts of 5 MiB to 5 GiB each ("Amazon S3 multipart upload
 * limits", https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html); 64 MiB parts
 * reach 625 GiB, and bigger files get bigger parts.
 */
const PART_SIZE = 64 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** Every regular file under `dir`, sorted; symbolic links are followed by nothing (skipped). Bad input when `dir` is no folder. */
export async function listLocalFiles(dir: string): Promise<LocalFile[]> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError([{ path: "source", message: `${dir} is not a folder (give ./folder or s3://bucket/prefix/)` }]);
  const files: LocalFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        files.push({ relativePath: path.relative(root, full).split(path.sep).join("/"), absolutePath: full, size: (await stat(full)).size });
    }
  };
  await walk(root);
  files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : 1));
  if (files.length === 0) throw new InputError([{ path: "source", message: `${dir} holds no files` }]);
  return files;
}

/** Sizes of an upload; tests make them small. */
export interface UploadSizes {
  multipartThreshold: number;
  partSize: number;
}

/** Uploads each file to `s3://bucket/prefix<relative path>`; `progress` hears of each file once it is up. */
export async function uploadFiles(
  s3: S3Api,
  bucket: string,
  prefix: string,
  files: LocalFile[],
  progress: (file: LocalFile) => void,
  sizes: UploadSizes = { multipartThreshold: MULTIPART_THRESHOLD, partSize: PART_SIZE },
): Promise<void> {
  for (const file of files) {
    const key = `${prefix}${file.relativePath}`;
    if (file.size <= sizes.multipartThreshold)
      await s3.putObject({ Bucket: bucket, Key: key, Body: await readPart(file.absolutePath, 0, file.size), ContentLength: file.size });
    else await uploadInParts(s3, bucket, key, file, sizes.partSize);
    progress(file);
  }
}

async function uploadInParts(s3: S3Api, bucket: string, key: string, file: LocalFile, minimumPartSize: number): Promise<void> {
  const partSize = Math.max(minimumPartSize, Math.ceil(file.size / MAX_PARTS));
  const { UploadId } = await s3.createMultipartUpload({ Bucket: bucket, Key: key });
  try {
    const parts: { ETag?: string; PartNumber: number }[] = [];
    for (let offset = 0, number = 1; offset < file.size; offset += partSize, number++) {
      const length = Math.min(partSize, file.size - offset);
      const body = await readPart(file.absolutePath, offset, length);
      const { ETag } = await s3.uploadPart({ Bucket: bucket, Key: key, UploadId, PartNumber: number, Body: body, ContentLength: length });
      parts.push({ ETag, PartNumber: number });
    }
    await s3.completeMultipartUpload({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } });
  } catch (error) {
    // The bucket's lifecycle rule also aborts incomplete uploads after a day; this frees the parts now.
    await s3.abortMultipartUpload({ Bucket: bucket, Key: key, UploadId }).catch(() => undefined);
    throw error;
  }
}

function readPart(file: string, start: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
  if (length === 0) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start, end: start + length - 1 })
      .on("data", (chunk) => chunks.push(chunk as Buffer))
      .on("error", reject)
      .on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
  });
}
