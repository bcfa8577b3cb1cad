import { delimiter } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseInvocation, runnable, type InvocationProbe } from "../../src/io/invocation.js";

/** A probe over a file system of links: each path maps to the file it names. */
function probe(script: string, path: string[], files: Record<string, string>): InvocationProbe {
  return { script, path: path.join(delimiter), executable: (p) => files[p] };
}

const pkg = "/usr/lib/node_modules/mlops/bin/mlops.js";

describe("chooseInvocation", () => {
  it("is mlops when the mlops on PATH is this program (a global install's bin)", () => {
    expect(chooseInvocation(probe("/usr/bin/mlops", ["/usr/bin"], { "/usr/bin/mlops": pkg }))).toBe("mlops");
  });

  it("is npx mlops when run from a checkout and no mlops is on PATH", () => {
    expect(chooseInvocation(probe("/home/me/mlops/bin/mlops.js", ["/usr/bin"], { "/home/me/mlops/bin/mlops.js": "/home/me/mlops/bin/mlops.js" }))).toBe(
      "npx mlops",
    );
  });

  it("is npx mlops when the mlops on PATH is another installation than the one running", () => {
    const files = { "/home/me/mlops/bin/mlops.js": "/home/me/mlops/bin/mlops.js", "/usr/bin/mlops": pkg };
    expect(chooseInvocation(probe("/home/me/mlops/bin/mlops.js", ["/usr/bin"], files))).toBe("npx mlops");
  });

  it("skips the node_modules/.bin folders npx puts on its child's PATH: the user's shell does not have them", () => {
    const checkout = "/home/me/app/node_modules/mlops/bin/mlops.js";
    const files = { "/home/me/app/node_modules/.bin/mlops": checkout, [checkout]: checkout };
    expect(chooseInvocation(probe("/home/me/app/node_modules/.bin/mlops", ["/home/me/app/node_modules/.bin", "/usr/bin"], files))).toBe("npx mlops");
  });
});

describe("runnable", () => {
  it("starts a printed command as the user starts mlops", () => {
    expect(runnable("mlops create-endpoint a.yaml --tag v1", "npx mlops")).toBe("npx mlops create-endpoint a.yaml --tag v1");
    expect(runnable("mlops create-endpoint a.yaml", "mlops")).toBe("mlops create-endpoint a.yaml");
    expect(runnable("mlops create-endpoint a.yaml", undefined)).toBe("mlops create-endpoint a.yaml");
  });
});
