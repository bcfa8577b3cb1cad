#!/usr/bin/env node
// Bundles the CLI into dist/ with esbuild: src/cli.ts and every module it
// imports, dependencies included, split at each dynamic `import()` so that a
// command loads only the chunks it runs (`--version` loads no AWS SDK code).
// Type checking stays with tsc (`npm run typecheck`).
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist/", import.meta.url), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  // The rollout model is also an entry of its own, for the benchmark's report.
  entryPoints: { cli: "src/cli.ts", "rollout-time": "src/render/rollout-time.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The SDK's ES modules let esbuild drop the commands of a client mlops never sends.
  mainFields: ["module", "main"],
  chunkNames: "chunks/[name]-[hash]",
  // Stack traces point at src/*.ts (bin/mlops.js turns source maps on).
  sourcemap: "linked",
  sourcesContent: false,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "linked",
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: 'import { createRequire as __mlopsCreateRequire } from "node:module"; const require = __mlopsCreateRequire(import.meta.url);' },
  metafile: true,
  logLevel: "warning",
});

if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  process.stdout.write(await analyzeMetafile(result.metafile));
}
