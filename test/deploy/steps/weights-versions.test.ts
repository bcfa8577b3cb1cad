/**
 * The weights volume's versions, run as the sync task runs them: the generated scripts in /bin/sh
 * with coreutils, against a folder standing for the volume, with an `aws` on the PATH that syncs
 * from a folder standing for S3 the way the AWS CLI does (each file downloaded to a temporary name,
 * then renamed over the old one; --delete removes what the source lacks; a missing bucket fails).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSwitch, rollbackScript, SCHEDULED_VERSION, versionName, versionedSyncScript } from "../../../src/deploy/steps/weights-versions.js";

const FAKE_AWS = `#!/bin/sh
# aws s3 sync SRC DEST [--region R] [--no-progress] [--delete]; FAKE_FAIL_AFTER=N: fail after N files.
src="$FAKE_S3/\${3#s3://}"; dest="$4"; shift 4
[ -d "$src" ] || { echo "fatal error: An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation" >&2; exit 1; }
n=0
for f in $(cd "$src" && find . -type f | sort); do
  if [ -n "$FAKE_FAIL_AFTER" ] && [ "$n" -ge "$FAKE_FAIL_AFTER" ]; then echo "download failed: $f" >&2; exit 1; fi
  mkdir -p "$dest/$(dirname "$f")"
  cp "$src/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
  echo "download: $f"; n=$((n + 1))
done
# FAKE_PRUNED=1: another sync's cleanup removes this one's directory just as it ends.
[ -z "$FAKE_PRUNED" ] || rm -rf "$dest"
case " $* " in *" --delete "*) for f in $(cd "$dest" && find . -type f); do [ -f "$src/$f" ] || { rm "$dest/$f"; echo "delete: $f"; }; done;; esac
`;

let root: string;
let volume: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mlops-versions-"));
  volume = join(root, "volume");
  mkdirSync(volume);
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "bin", "aws"), FAKE_AWS);
  chmodSync(join(root, "bin", "aws"), 0o755);
  env = { ...process.env, PATH: `${join(root, "bin")}:${process.env.PATH}`, FAKE_S3: join(root, "s3") };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function source(prefix: string, files: Record<string, string>): string {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, "s3", "models", prefix, name)), { recursive: true });
    writeFileSync(join(root, "s3", "models", prefix, name), body);
  }
  return `s3://models/${prefix}/`;
}

function run(script: string, extra: NodeJS.ProcessEnv = {}): { code: number; lines: string[] } {
  try {
    const out = execFileSync("/bin/sh", ["-c", script], { env: { ...env, ...extra }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { code: 0, lines: out.trim().split("\n") };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, lines: `${e.stdout}${e.stderr}`.trim().split("\n") };
  }
}

const read = (path: string) => readFileSync(join(volume, path), "utf8");
const push = (uri: string, version: string, deleteExtraneous = false, extra: NodeJS.ProcessEnv = {}) =>
  run(versionedSyncScript(uri, deleteExtraneous, version, volume, "us-east-1"), extra);

describe("versioned weights on the volume", () => {
  it("a push fills a new version and only then points current at it; the one before becomes previous, older ones go", () => {
    const first = push(source("v1", { "model.bin": "one", "tokenizer/vocab.json": "{}" }), "A");
    expect(first.code, first.lines.join("\n")).toBe(0);
    expect(readlinkSync(join(volume, "current"))).toBe("versions/A");
    expect(read("current/model.bin")).toBe("one");
    expect(parseSwitch(first.lines)).toEqual({ current: "versions/A", previous: undefined });

    const second = push(source("v2", { "model.bin": "two" }), "B");
    expect(second.code, second.lines.join("\n")).toBe(0);
    expect(read("current/model.bin")).toBe("two");
    // Without --delete, files the source lacks carry over from the current version (as a sync onto the volume did).
    expect(read("current/tokenizer/vocab.json")).toBe("{}");
    // The previous version is intact: the new one started as links to its files, and the sync replaced them by rename.
    expect(readlinkSync(join(volume, "previous"))).toBe("versions/A");
    expect(read("previous/model.bin")).toBe("one");
    expect(parseSwitch(second.lines)).toEqual({ current: "versions/B", previous: "versions/A" });

    const third = push(source("v3", { "model.bin": "three" }), "C", true);
    expect(third.code, third.lines.join("\n")).toBe(0);
    expect(existsSync(join(volume, "current/tokenizer/vocab.json"))).toBe(false);
    expect(readdirSync(join(volume, "versions")).sort()).toEqual(["B", "C"]);
    expect(read("previous/model.bin")).toBe("two");
  });

  it("a sync that fails leaves current (and its files) as they were, removes its directory, and exits with the sync's code", () => {
    expect(push(source("v1", { "a.bin": "one", "b.bin": "one" }), "A").code).toBe(0);
    const failed = push(source("v2", { "a.bin": "two", "b.bin": "two" }), "B", false, { FAKE_FAIL_AFTER: "1" });
    expect(failed.code).toBe(1);
    expect(failed.lines.join("\n")).toMatch(/The sync failed: current still names the version it named before/);
    expect(readlinkSync(join(volume, "current"))).toBe("versions/A");
    expect([read("current/a.bin"), read("current/b.bin")]).toEqual(["one", "one"]);
    expect(readdirSync(join(volume, "versions"))).toEqual(["A"]);
    expect(push("s3://no-such-bucket/x/", "C").code).toBe(1);
    expect(readlinkSync(join(volume, "current"))).toBe("versions/A");
    // Two syncs at once: the one that ends first deletes the other's directory; that one then does not switch to it.
    const pruned = push(source("v3", { "a.bin": "three" }), "D", false, { FAKE_PRUNED: "1" });
    expect(pruned.code).toBe(1);
    expect(pruned.lines.join("\n")).toMatch(/Another sync of this volume removed versions\/D meanwhile/);
    expect(readlinkSync(join(volume, "current"))).toBe("versions/A");
  });

  it("rollback swaps current and previous (a second one goes forward again); with no previous version it exits 3", () => {
    expect(push(source("v1", { "model.bin": "one" }), "A").code).toBe(0);
    expect(run(rollbackScript(volume)).code).toBe(3);
    expect(push(source("v2", { "model.bin": "two" }), "B").code).toBe(0);
    const back = run(rollbackScript(volume));
    expect(back.code, back.lines.join("\n")).toBe(0);
    expect(read("current/model.bin")).toBe("one");
    expect(parseSwitch(back.lines)).toEqual({ current: "versions/A", previous: "versions/B" });
    expect(run(rollbackScript(volume)).code).toBe(0);
    expect(read("current/model.bin")).toBe("two");
  });

  it("the scheduled sync names its version by the time it runs, once for the whole script", () => {
    expect(push(source("v1", { "model.bin": "one" }), "A").code).toBe(0);
    const scheduled = push(source("v2", { "model.bin": "two" }), SCHEDULED_VERSION);
    expect(scheduled.code, scheduled.lines.join("\n")).toBe(0);
    expect(readlinkSync(join(volume, "current"))).toMatch(/^versions\/\d{8}T\d{6}Z-scheduled$/);
    expect(read("current/model.bin")).toBe("two");
    expect(readdirSync(join(volume, "versions"))).toHaveLength(2);
    expect(parseSwitch(scheduled.lines)?.previous).toBe("versions/A");
  });

  it("versions are named by UTC time, then a random suffix, so that they sort by time", () => {
    expect(versionName(Date.UTC(2026, 11, 8, 0, 15, 3, 250), "a1b2c3")).toBe("20261208T001503Z-a1b2c3");
  });
});
