/**
 * Files shipped with the package (templates, buildspec, package.json), found
 * from the running code wherever it sits: `src/` under test, `dist/` once
 * bundled, at any depth.
 */
import { existsSync } from "node:fs";

let root: URL | undefined;

/** The URL of a file of the installed package, e.g. `packageFile("templates/pipeline.yaml")`. */
export function packageFile(relative: string): URL {
  root ??= findRoot(new URL(".", import.meta.url));
  return new URL(relative, root);
}

function findRoot(start: URL): URL {
  for (let dir = start; ; dir = new URL("..", dir)) {
    if (existsSync(new URL("package.json", dir))) return dir;
    if (dir.pathname === "/") throw new Error(`mlops's package.json was not found above ${start.pathname}`);
  }
}
