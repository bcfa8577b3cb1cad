#!/usr/bin/env node
// Regenerates the parameter reference in README.md from the schema, and the price table from src/render/prices.ts. The CLI's bundle keeps its modules
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
  const pricesFile = join(dir, "prices.mjs");
  await build({
    absWorkingDir: root,
    entryPoints: ["src/render/prices.ts"],
    outfile: pricesFile,
    bundle: true,
    format: "esm",
    platform: "node",
    logLevel: "warning",
  });
  const { renderPriceTable } = await import(pathToFileURL(pricesFile).href);
  const readme = new URL("../README.md", import.meta.url);
  let text = readFileSync(readme, "utf8");
  const replace = (name, body) => {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    text = `${text.slice(0, text.indexOf(start) + start.length)}\n${body.trim()}\n${text.slice(text.indexOf(end))}`;
  };
  replace("param-reference", renderParamReference());
  replace("price-table", renderPriceTable());
  writeFileSync(readme, text);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
