import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/emulator.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // CI also keeps a machine-readable result, summarised by .ci/run.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "out/vitest-results.json" }]] : ["default"],
  },
});
