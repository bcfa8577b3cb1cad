/**
 * vitest global setup: one emulator (emulator/server.py, all corrections) for
 * the whole run. Its URL is provided as `inject("emulatorUrl")` and exported as
 * MLOPS_TEST_ENDPOINT; it is stopped at teardown.
 */
import type { TestProject } from "vitest/node";
import { startEmulator } from "./emulator-process.js";

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const emulator = await startEmulator();
  process.env.MLOPS_TEST_ENDPOINT = emulator.url;
  provide("emulatorUrl", emulator.url);
  return async () => {
    await emulator.stop();
  };
}
