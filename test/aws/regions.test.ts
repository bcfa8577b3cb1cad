/**
 * Region names are checked against the SDK's partitions (@aws-sdk/util-endpoints) before
 * any call: a name AWS does not have is bad input naming the closest one, and a
 * well-formed unknown name passes only with the opt-in.
 */
import { describe, expect, it } from "vitest";
import { closestRegion, isKnownRegion, knownRegions, regionProblem } from "../../src/aws/regions.js";

describe("region names", () => {
  it("knows the regions of every partition, and no pseudo-region", () => {
    for (const region of ["us-east-1", "eu-central-2", "ap-southeast-4", "cn-northwest-1", "us-gov-west-1"]) expect(isKnownRegion(region), region).toBe(true);
    for (const name of ["us-east-9", "aws-global", "eu-wset-1", "US-EAST-1"]) expect(isKnownRegion(name), name).toBe(false);
    expect(knownRegions().length).toBeGreaterThanOrEqual(30);
    expect(knownRegions()).toContain("il-central-1");
  });

  it("names the closest known region", () => {
    expect(closestRegion("us-east-9")).toBe("us-east-1");
    expect(closestRegion("eu-wset-1")).toBe("eu-west-1");
    expect(closestRegion("apsoutheast-2")).toBe("ap-southeast-2");
    expect(closestRegion("EU-CENTRAL-1")).toBe("eu-central-1");
  });

  it("refuses unknown names unless opted in, and malformed ones always", () => {
    expect(regionProblem("eu-west-1", false)).toBeUndefined();
    expect(regionProblem("us-east-9", false)).toMatch(/not an AWS region this version of mlops knows; did you mean us-east-1\? .*MLOPS_ALLOW_UNKNOWN_REGION=1/);
    expect(regionProblem("us-east-9", true)).toBeUndefined();
    expect(regionProblem("useast1", true)).toMatch(/"useast1" is not an AWS region name; did you mean us-east-1\?/);
  });
});
