import { describe, expect, it } from "vitest";
import { certificateCovers } from "../../src/deploy/certificate.js";

describe("certificateCovers", () => {
  it("matches exact names case-insensitively", () => {
    expect(certificateCovers("ep-a.example.com", "EP-A.example.com")).toBe(true);
    expect(certificateCovers("ep-a.example.com", "ep-b.example.com")).toBe(false);
  });

  it("matches a wildcard one level deep only", () => {
    expect(certificateCovers("*.example.com", "ep-a.example.com")).toBe(true);
    expect(certificateCovers("*.example.com", "a.b.example.com")).toBe(false);
    expect(certificateCovers("*.example.com", "example.com")).toBe(false);
  });
});
