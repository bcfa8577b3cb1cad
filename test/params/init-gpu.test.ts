/** `mlops init --gpu`: the file it writes is a valid GPU endpoint, base or added. */
import { describe, expect, it } from "vitest";
import { initFileText } from "../../src/params/init-file.js";
import { parseEndpointConfig } from "../../src/params/load.js";

describe("init --gpu", () => {
  it("writes an added GPU endpoint that loads with its compute section and a grace period of minutes", () => {
    const text = initFileText({ project: "ep-g", environment: "prod", hostHeader: "ep-g.example.com", base: "ep-a", gpu: true });
    const config = parseEndpointConfig(text, "ep-g.yaml");
    expect(config.compute).toEqual({ type: "gpu", gpus: 1, instanceTypes: ["g6.xlarge", "g5.xlarge"], spot: false, rootVolumeGiB: 100 });
    expect(config.container).toMatchObject({ cpu: 2048, memoryMiB: 12288 });
    expect(config.rollout.healthCheckGracePeriodSeconds).toBe(600);
    // Its comments say the size is free within the instance, and a size no Fargate task has loads as written.
    expect(text).toContain("any size within its instance (no Fargate sizes)");
    const sixVcpus = text.replace("  cpu: 2048 ", "  cpu: 6144 ").replace("[g6.xlarge, g5.xlarge]", "[g5.4xlarge]");
    expect(parseEndpointConfig(sixVcpus, "ep-g.yaml").container.cpu).toBe(6144);
  });

  it("writes a base GPU endpoint with its network", () => {
    const network = {
      vpcCidr: "10.7.0.0/16",
      publicSubnets: ["10.7.0.0/24", "10.7.1.0/24"] as [string, string],
      privateSubnets: ["10.7.2.0/24", "10.7.3.0/24"] as [string, string],
      availabilityZones: ["us-east-1a", "us-east-1b"] as [string, string],
    };
    const config = parseEndpointConfig(
      initFileText({ project: "ep-g", environment: "prod", hostHeader: "ep-g.example.com", network, gpu: true }),
      "ep-g.yaml",
      { region: "us-east-1" },
    );
    expect(config.kind).toBe("base");
    expect(config.compute?.type).toBe("gpu");
  });

  it("leaves a Fargate endpoint's file as it was", () => {
    const text = initFileText({ project: "ep-f", environment: "prod", hostHeader: "ep-f.example.com", base: "ep-a" });
    expect(text).not.toContain("compute:");
    expect(text).toContain("  cpu: 1024      # 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)");
  });
});
