/** The base's load balancer idle timeout: from the file to the base's and its shards' stacks, and the plan's warning against the p95 alarm. */
import { describe, expect, it } from "vitest";
import { idleTimeoutWarning } from "../../src/deploy/steps/idle-timeout.js";
import { parseEndpointConfig } from "../../src/params/load.js";
import { renderEndpointStack, renderShardStack } from "../../src/render/render.js";

const BASE = `
project: ep-a
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]
  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]
  availabilityZones: [us-east-1a, us-east-1b]
`;
const SHARD = {
  baseStackName: "ep-a-prod",
  shardStackName: "ep-a-prod-lb2",
  vpcCidr: "10.0.0.0/16",
  publicSubnets: ["subnet-1", "subnet-2"] as [string, string],
  allowedCidr: "0.0.0.0/0",
  defaultCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x",
};

describe("load balancer idle timeout", () => {
  it("is 60 s (AWS's default) unless the base's file gives it, and a shard takes the base's", () => {
    expect(
      renderEndpointStack(parseEndpointConfig(`${BASE}api: { hostHeader: ep-a.example.com }\n`, "ep-a.yaml")).parameters.LoadBalancerIdleTimeoutSeconds,
    ).toBe("60");
    expect(
      renderEndpointStack(parseEndpointConfig(`${BASE}api: { hostHeader: ep-a.example.com, idleTimeoutSeconds: 900 }\n`, "ep-a.yaml")).parameters
        .LoadBalancerIdleTimeoutSeconds,
    ).toBe("900");
    expect(renderShardStack(SHARD).parameters.LoadBalancerIdleTimeoutSeconds).toBe("60");
    expect(renderShardStack({ ...SHARD, idleTimeoutSeconds: 900 }).parameters.LoadBalancerIdleTimeoutSeconds).toBe("900");
  });

  it("is the base's: an added endpoint's file may not set it, and its stack gets no such parameter", () => {
    expect(() => parseEndpointConfig("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com, idleTimeoutSeconds: 900 }\n", "ep-b.yaml")).toThrow(
      /api\.idleTimeoutSeconds: not allowed for an added endpoint/,
    );
    const added = parseEndpointConfig("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com }\n", "ep-b.yaml");
    expect(renderEndpointStack(added).parameters.LoadBalancerIdleTimeoutSeconds).toBeUndefined();
  });

  it("is 1-4000 s, as the load balancer accepts", () => {
    for (const value of [0, 4001, 1.5])
      expect(() => parseEndpointConfig(`${BASE}api: { hostHeader: ep-a.example.com, idleTimeoutSeconds: ${value} }\n`, "ep-a.yaml")).toThrow(
        /idleTimeoutSeconds/,
      );
  });

  it("warns only when the p95 alarm threshold exceeds it, naming the file that sets it", () => {
    const base = parseEndpointConfig(`${BASE}api: { hostHeader: ep-a.example.com }\nalarms: { p95ResponseSeconds: 60 }\n`, "ep-a.yaml");
    expect(idleTimeoutWarning(base, 60)).toBeUndefined();
    expect(idleTimeoutWarning(base, 30)).toMatch(
      /^alarms\.p95ResponseSeconds \(60 s\) exceeds the load balancer's idle timeout \(30 s\).*api\.idleTimeoutSeconds in this file/,
    );
    const added = parseEndpointConfig("project: ep-b\nbase: ep-a\napi: { hostHeader: ep-b.example.com }\nalarms: { p95ResponseSeconds: 90 }\n", "ep-b.yaml");
    expect(idleTimeoutWarning(added, 60)).toMatch(/api\.idleTimeoutSeconds in the file of the base endpoint ep-a/);
  });
});
