/**
 * The deploy layer's sub-folders are its architecture: engine <- steps <- workflows, operations.
 * Imports may only point inward, so a newcomer can read each folder without the ones above it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const deployRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/deploy");

/** The layer each folder is in; a higher layer may import a lower one, never the reverse. */
const rank: Record<string, number> = { engine: 0, shared: 1, steps: 2, operations: 3, workflows: 3 };

function layerOf(file: string): string {
  const rel = relative(deployRoot, file);
  const top = rel.split(/[\\/]/)[0] ?? "";
  return rel.includes("/") || rel.includes("\\") ? top : "shared";
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("src/deploy layers", () => {
  it("every file is in a known layer", () => {
    for (const file of sourceFiles(deployRoot)) expect(Object.keys(rank), file).toContain(layerOf(file));
  });

  it("imports point only inward (or stay within their layer)", () => {
    const outward: string[] = [];
    for (const file of sourceFiles(deployRoot)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
        const target = resolve(dirname(file), match[1]!);
        if (!target.startsWith(deployRoot)) continue;
        const from = layerOf(file);
        const to = layerOf(target);
        if (from !== to && rank[to]! >= rank[from]!) outward.push(`${relative(deployRoot, file)} -> ${match[1]}`);
      }
    }
    expect(outward).toEqual([]);
  });
});
