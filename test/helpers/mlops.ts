/**
 * Runs the built `mlops` binary as a user would, against an emulator.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/mlops.js", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

/** What a run printed and how it ended. */
export interface MlopsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlops ARGS` against the emulator at `endpointUrl` (undefined: no endpoint, e.g. for input checks). */
export function runMlops(args: string[], options: { endpointUrl?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<MlopsRun> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_PROFILE: undefined,
    CI: "true",
    NO_COLOR: "1",
    MLOPS_ENDPOINT_URL: options.endpointUrl,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    // "close", not "exit": a process may exit before its output has been read to the end
    // (Node.js child_process: 'close' comes after the stdio streams closed), which a loaded machine shows.
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A run's exit code and both streams, for an assertion's failure message. */
export function failure(run: MlopsRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
