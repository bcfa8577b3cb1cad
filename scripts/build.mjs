#!/usr/bin/env node
// Bundles the CLI into dist/ with esbuild: src/cli.ts and every module it
// imports, dependencies included, split at each dynamic `import()` so that a
// command loads only the chunks it runs (`--version` loads no AWS SDK code).
// Type checking stays with tsc (`npm run typecheck`).
import { build } from "esbuild";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist/", import.meta.url), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  // The rollout model is also an entry of its own, for the benchmark's report.
  entryPoints: { cli: "src/cli.ts", "rollout-time": "src/deploy/engine/rollout-time.ts" },
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
  // Identifiers stay readable: stack traces name the functions.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "linked",
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: 'import { createRequire as __mlopsCreateRequire } from "node:module"; const require = __mlopsCreateRequire(import.meta.url);' },
  metafile: true,
  logLevel: "warning",
});

// Node decodes every mapping of a module's source map when it loads the module, so the maps keep only
// the mappings into src/: a stack frame in mlops's code points at its TypeScript line; one inside a
// dependency points at the bundled file. This keeps start-up within a few milliseconds of no maps at all.
for (const dir of ["dist", "dist/chunks"]) {
  for (const name of readdirSync(new URL(`../${dir}/`, import.meta.url))) {
    if (!name.endsWith(".js.map")) continue;
    const file = new URL(`../${dir}/${name}`, import.meta.url);
    writeFileSync(file, JSON.stringify(keepOwnMappings(JSON.parse(readFileSync(file, "utf8")))));
  }
}

/** Drops the mappings (and sources) that point into node_modules. */
function keepOwnMappings(map) {
  const own = map.sources.map((source) => !source.includes("node_modules/"));
  const newIndex = [];
  const sources = [];
  map.sources.forEach((source, i) => {
    if (own[i]) newIndex[i] = sources.push(source) - 1;
  });
  const state = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0 };
  const lines = map.mappings.split(";").map((line) => {
    let generatedColumn = 0;
    let writtenColumn = 0;
    const kept = [];
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      generatedColumn += fields[0];
      if (fields.length < 4) continue;
      state.source += fields[1];
      state.line += fields[2];
      state.column += fields[3];
      if (fields.length > 4) state.name += fields[4];
      if (!own[state.source]) continue;
      const out = [generatedColumn - writtenColumn, newIndex[state.source] - written.source, state.line - written.line, state.column - written.column];
      writtenColumn = generatedColumn;
      written.source = newIndex[state.source];
      written.line = state.line;
      written.column = state.column;
      kept.push(out.map(encodeVlq).join(""));
    }
    return kept.join(",");
  });
  // Names would only rename minified identifiers, and identifiers are not minified.
  return { ...map, sources, names: [], mappings: lines.join(";") };
}

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(number) {
  let value = number < 0 ? (-number << 1) | 1 : number << 1;
  let out = "";
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value > 0) digit |= 32;
    out += BASE64[digit];
  } while (value > 0);
  return out;
}

if (process.argv.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  process.stdout.write(await analyzeMetafile(result.metafile));
}
