#!/usr/bin/env node
// Regenerates the parameter reference in README.md from the schema. The CLI's bundle keeps its modules
// private, so the reference module is bundled here on its own, into a temporary file that is imported once.
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mlops-docs-"));
try {
  const outfile = join(dir, "reference.mjs");
  await build({ absWorkingDir: root, entryPoints: ["src/params/reference.ts"], outfile, bundle: true, format: "esm", platform: "node", logLevel: "warning" });
  const { renderParamReference } = await import(pathToFileURL(outfile).href);
  const readme = new URL("../README.md", import.meta.url);
  const text = readFileSync(readme, "utf8");
  const start = "<!-- param-reference:start -->";
  const end = "<!-- param-reference:end -->";
  const before = text.slice(0, text.indexOf(start) + start.length);
  const after = text.slice(text.indexOf(end));
  writeFileSync(readme, `${before}\n${renderParamReference().trim()}\n${after}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
