/**
 * vitest global setup: one emulator (emulator/server.py, all corrections) for
 * the whole run. Its URL is provided as `inject("emulatorUrl")` and exported as
 * MLOPS_TEST_ENDPOINT; it is stopped at teardown.
 *
 * Every emulator of the run (this one and those tests start with all
 * corrections) records its AWS JSON/query traffic; at teardown
 * emulator/shape_check.py holds each request and answer against AWS's API
 * models (botocore's), and any mismatch fails the run.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { RECORD_DIR_ENV, startEmulator } from "./emulator-process.js";
import { checkShapes } from "./shape-check.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const recordDir = mkdtempSync(path.join(tmpdir(), "mlops-emulator-record-"));
  process.env[RECORD_DIR_ENV] = recordDir;
  const emulator = await startEmulator({ label: 'test/setup/emulator.ts, shared by the tests that use inject("emulatorUrl")' });
  process.env.MLOPS_TEST_ENDPOINT = emulator.url;
  provide("emulatorUrl", emulator.url);
  return async () => {
    await emulator.stop();
    const files = readdirSync(recordDir).map((name) => path.join(recordDir, name));
    const result = checkShapes(files);
    rmSync(recordDir, { recursive: true, force: true });
    if (result.ok && result.report) process.stderr.write(`${result.report}\n`);
    if (!result.ok) {
      // vitest only logs an error thrown at teardown; the run must fail.
      process.exitCode = 1;
      throw new Error(`the emulator answered or was asked outside AWS's API models:\n${result.report}`);
    }
  };
}
