/**
 * Runs emulator/shape_check.py over emulator recordings (`--record`): each
 * request and 200 answer held against AWS's API models as botocore reads them.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHECKER = path.join(ROOT, "emulator", "shape_check.py");

export interface ShapeCheckResult {
  /** True when no request or answer left AWS's models. */
  ok: boolean;
  /** One line per mismatch (service, operation, member, problem, emulator), then the summary. */
  report: string;
}

/** Checks the recordings in `files`; an empty list is fine. */
export function checkShapes(files: string[]): ShapeCheckResult {
  if (files.length === 0) return { ok: true, report: "" };
  const python = process.env.MLOPS_PYTHON ?? "python3";
  const run = spawnSync(python, [CHECKER, ...files], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const report = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
  if (run.error) return { ok: false, report: `${python} emulator/shape_check.py: ${run.error.message}` };
  return { ok: run.status === 0, report };
}
