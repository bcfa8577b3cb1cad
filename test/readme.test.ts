import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderParamReference } from "../src/params/load.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("starts with the two set-up commands", () => {
    const lines = readme.split("\n").slice(0, 5).join("\n");
    expect(lines).toContain("npm ci && npm run demo");
    expect(lines).toContain("npm test");
  });

  it("carries the current parameter reference (regenerate with npm run docs)", () => {
    const section = readme.slice(readme.indexOf("<!-- param-reference:start -->"), readme.indexOf("<!-- param-reference:end -->"));
    expect(section).toContain(renderParamReference().trim());
  });
});
