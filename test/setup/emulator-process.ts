/**
 * Start and stop our emulator (emulator/server.py: moto with our corrections)
 * from tests. Used by the vitest global setup (test/setup/emulator.ts) and by
 * tests that need an emulator of their own, e.g. one started without a
 * correction to show that the correction matters.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface StartEmulatorOptions {
  /** Corrections to leave out (`--without NAME ...`); see `python3 emulator/server.py --list`. */
  without?: string[];
  /** Lowered load balancer quotas (`--elb-quotas`), e.g. `certificates=3,rules=6,target-groups=6`. */
  elbQuotas?: string;
  /** A pipeline's build lasts at least this many seconds (`--build-seconds`, correction build-duration). */
  buildSeconds?: number;
  /** A slow stack's creation (NAT gateway, load balancer, EFS mount target, ECS service) reads CREATE_IN_PROGRESS this many seconds (`--stack-seconds`, correction stack-duration). */
  stackSeconds?: number;
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** How long to wait for the listening line; default 20 000 ms. */
  timeoutMs?: number;
  /**
   * Who starts it, named in the shape check's failures; default: the calling test file.
   * The emulator records its traffic (`--record`) when the global setup asked for it
   * (`MLOPS_EMULATOR_RECORD_DIR`) and no correction is left out.
   */
  label?: string;
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the `endpoint` for every AWS client. */
  url: string;
  /** Stops the emulator (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SERVER = path.join(ROOT, "emulator", "server.py");
const LISTENING = /^emulator listening on (http:\/\/\S+)\s*$/;
const STDERR_KEEP = 8_000;

/** Directory where emulators record their traffic for the shape check (test/setup/emulator.ts). */
export const RECORD_DIR_ENV = "MLOPS_EMULATOR_RECORD_DIR";
let recordings = 0;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the test process dies without teardown, do not leave emulators behind.
  process.once("exit", () => {
    for (const child of running) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
}

/** The test file (relative to the project) whose code called startEmulator. */
function callingTestFile(): string {
  const stack = new Error().stack ?? "";
  const match = /([^\s(]*\.test\.ts)/.exec(stack);
  if (!match) return "a test";
  const file = match[1]!.replace(/^file:\/\//, "");
  return path.relative(ROOT, file);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const python = process.env.MLOPS_PYTHON ?? "python3";
  const args = [SERVER, "--port", String(options.port ?? 0), "--host", options.host ?? "127.0.0.1"];
  if (options.without && options.without.length > 0) args.push("--without", ...options.without);
  if (options.elbQuotas) args.push("--elb-quotas", options.elbQuotas);
  if (options.buildSeconds !== undefined) args.push("--build-seconds", String(options.buildSeconds));
  if (options.stackSeconds !== undefined) args.push("--stack-seconds", String(options.stackSeconds));
  const recordDir = process.env[RECORD_DIR_ENV];
  // An emulator without a correction answers wrongly on purpose: not AWS's shapes to hold.
  if (recordDir && !(options.without && options.without.length > 0)) {
    const label = options.label ?? callingTestFile();
    const file = `${process.pid}-${++recordings}-${label.replace(/[^A-Za-z0-9._-]+/g, "_")}.jsonl`;
    args.push("--record", path.join(recordDir, file), "--record-label", label);
  }
  const timeoutMs = options.timeoutMs ?? 20_000;

  const child = spawn(python, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  running.add(child);
  installExitHook();
  child.once("exit", () => running.delete(child));

  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });

  const describe = () => `${python} ${args.map((a) => (a === SERVER ? "emulator/server.py" : a)).join(" ")}`;

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let settled = false;
    const finish = (error: Error | null, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      if (error) reject(error);
      else resolve(value!);
    };
    const failure = (why: string) => new Error(`emulator did not start (${describe()}): ${why}${stderr ? `\n--- stderr ---\n${stderr.trim()}` : ""}`);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => finish(failure(`exited with ${signal ?? `code ${code}`} before listening`));
    const onError = (error: Error) => finish(failure(error.message));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(failure(`no listening line within ${timeoutMs} ms`));
    }, timeoutMs);

    child.once("exit", onExit);
    child.once("error", onError);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (settled) return; // keep draining the pipe, ignore the rest
      stdout += chunk;
      for (const line of stdout.split("\n")) {
        const match = LISTENING.exec(line);
        if (match) return finish(null, match[1]);
      }
    });
  });

  let stopping: Promise<void> | null = null;
  return {
    url,
    stop() {
      stopping ??= (async () => {
        if (exited(child)) return;
        const done = waitForExit(child);
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await done;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

/** Clears all state of the emulator at `url` (moto's `POST /moto-api/reset`). */
export async function resetEmulator(url: string): Promise<void> {
  const response = await fetch(new URL("/moto-api/reset", url), { method: "POST" });
  if (!response.ok) {
    throw new Error(`emulator reset failed: HTTP ${response.status} ${await response.text()}`);
  }
}
