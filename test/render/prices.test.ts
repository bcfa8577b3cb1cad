/** The price table, the estimate a create or add plan prints from it, and the README's copy of the table. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEndpointConfig } from "../../src/params/load.js";
import { costInputOf, costLines, estimateMonthlyCost, HOURS_PER_MONTH, PRICES, priceText, renderPriceTable, type CostInput } from "../../src/render/prices.js";
import { renderEndpointStack } from "../../src/render/render.js";
import { templateResources } from "../../src/deploy/engine/template-diff.js";

const BASE = `
project: ep-a
network:
  vpcCidr: 10.0.0.0/16
  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]
  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]
  availabilityZones: [us-east-1a, us-east-1b]
api: { hostHeader: ep-a.example.com }
container: { cpu: 1024, memory: 2GB }
scaling: { desired: 2 }
`;

const ADDED = `
project: ep-b
base: ep-a
api: { hostHeader: ep-b.example.com }
container: { cpu: 512, memory: 1GB }
`;

function resourcesOf(text: string, file: string) {
  const config = parseEndpointConfig(text, file);
  const rendered = renderEndpointStack(config, { certificateArn: "arn:cert", imageTag: "v1" });
  return { config, resources: templateResources({ templateBody: rendered.templateBody, parameters: rendered.parameters }) };
}

const baseInput: CostInput = {
  natGateways: 1,
  loadBalancers: 1,
  publicIpv4: 3,
  kmsKeys: 1,
  tasks: { count: 2, cpuUnits: 1024, memoryMiB: 2048 },
  efs: true,
  flowLogs: true,
};

describe("estimateMonthlyCost", () => {
  it("sums a base endpoint's fixed monthly cost in us-east-1 to the cent, 730 hours a month", () => {
    const estimate = estimateMonthlyCost(baseInput, "us-east-1");
    expect(HOURS_PER_MONTH).toBe(730);
    expect(estimate.items).toEqual([
      { label: "NAT gateway", usd: 32.85 }, // 0.045 x 730
      { label: "load balancer", usd: 16.43 }, // 0.0225 x 730 = 16.425
      { label: "3 public IPv4", usd: 10.95 }, // 3 x 0.005 x 730
      { label: "2 tasks 1 vCPU/2 GB", usd: 72.08 }, // 2 x (1 x 0.04048 + 2 x 0.004445) x 730 = 72.0802
      { label: "KMS key", usd: 1 },
    ]);
    expect(estimate.fixedUsd).toBe(133.31);
    expect(costLines(estimate)).toEqual([
      "Cost: about $133.31/month fixed (NAT gateway $32.85, load balancer $16.43, 3 public IPv4 $10.95, 2 tasks 1 vCPU/2 GB $72.08, KMS key $1.00)",
      'Cost with use: EFS $0.30/GB-month, logs and flow logs $0.50/GB + $0.03/GB-month kept, NAT traffic $0.045/GB, load balancer traffic $0.008/LCU-hour; prices us-east-1 as of 2026-12-07 (AWS pricing pages; README "What it costs")',
    ]);
  });

  it("names the pipeline's rate per action minute when the plan creates a pipeline", () => {
    const [, rates] = costLines(estimateMonthlyCost({ ...baseInput, pipeline: true }, "us-east-1"));
    expect(rates).toContain("load balancer traffic $0.008/LCU-hour, pipeline runs $0.002/action-minute; prices us-east-1");
  });

  it("prices Fargate sizes below one vCPU by the same per-vCPU and per-GB rates", () => {
    const estimate = estimateMonthlyCost(
      { ...baseInput, natGateways: 0, loadBalancers: 0, publicIpv4: 0, kmsKeys: 0, tasks: { count: 1, cpuUnits: 256, memoryMiB: 512 } },
      "us-east-1",
    );
    // (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.010025
    expect(estimate.items).toEqual([{ label: "1 task 0.25 vCPU/0.5 GB", usd: 9.01 }]);
  });

  it('says "price unknown" for a region the table does not hold, and names the regions it does', () => {
    const estimate = estimateMonthlyCost(baseInput, "eu-north-1");
    expect(estimate.known).toBe(false);
    const lines = costLines(estimate);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cost: price unknown \(mlops's price table has no prices for eu-north-1; it holds us-east-1, .* as of 2026-12-07\)/);
    expect(lines[0]).not.toMatch(/\$\d/);
  });

  it('says "price unknown" for each part a region holds no price for, and sums only the rest', () => {
    const estimate = estimateMonthlyCost(baseInput, "ap-southeast-1");
    expect(estimate.fixedUsd).toBe(cents(0.059 * 730 + 3 * 0.005 * 730 + 1));
    const [fixed, rates] = costLines(estimate);
    expect(fixed).toBe(
      "Cost: about $55.02/month fixed for the parts with a price (NAT gateway $43.07, load balancer price unknown, 3 public IPv4 $10.95, 2 tasks 1 vCPU/2 GB price unknown, KMS key $1.00)",
    );
    expect(rates).toContain("EFS price unknown");
  });
});

function cents(usd: number): number {
  return Math.round(usd * 100 + 1e-6) / 100;
}

describe("EC2 instances (GPU endpoints on ECS Managed Instances)", () => {
  it("bills the instances instead of Fargate, and names the Managed Instances fee the table does not hold", () => {
    const input: CostInput = {
      ...baseInput,
      natGateways: 0,
      loadBalancers: 0,
      publicIpv4: 0,
      kmsKeys: 0,
      instances: { type: "g5.xlarge", count: 2, managed: true },
    };
    expect(estimateMonthlyCost(input, "us-east-1").items).toEqual([
      { label: "2 g5.xlarge", usd: 1468.76 }, // 2 x 1.006 x 730
      { label: "ECS Managed Instances fee", usd: undefined },
    ]);
    const unlisted = estimateMonthlyCost({ ...input, instances: { type: "g6.xlarge", count: 1, managed: false } }, "us-east-1");
    expect(costLines(unlisted)[0]).toBe("Cost: price unknown (1 g6.xlarge price unknown)");
  });
});

describe("costInputOf", () => {
  it("counts what a base endpoint's stack creates: one NAT gateway with its Elastic IP, one load balancer on two AZs, one KMS key, EFS, flow logs", () => {
    const { config, resources } = resourcesOf(BASE, "ep-a.yaml");
    expect(costInputOf(config, resources)).toEqual(baseInput);
    const quiet = resourcesOf(`${BASE}monitoring: { vpcFlowLogs: false }\n`, "ep-a.yaml");
    expect(costInputOf(quiet.config, quiet.resources).flowLogs).toBe(false);
  });

  it("counts no NAT gateway or load balancer for an added endpoint, unless it creates another load balancer of the base", () => {
    const { config, resources } = resourcesOf(ADDED, "ep-b.yaml");
    const input = costInputOf(config, resources);
    expect(input).toMatchObject({
      natGateways: 0,
      loadBalancers: 0,
      publicIpv4: 0,
      kmsKeys: 0,
      tasks: { count: 1, cpuUnits: 512, memoryMiB: 1024 },
      efs: true,
      flowLogs: false,
    });
    expect(costInputOf(config, resources, { newLoadBalancer: true })).toMatchObject({ loadBalancers: 1, publicIpv4: 2 });
    expect(costLines(estimateMonthlyCost(input, "us-east-1"))[0]).toBe("Cost: about $18.02/month fixed (1 task 0.5 vCPU/1 GB $18.02)");
  });
});

describe("costInputOf of a GPU endpoint", () => {
  const gpu = (types: string, desired: number) => `
project: ep-g
base: ep-a
api: { hostHeader: ep-g.example.com }
container: { cpu: 2048, memory: 12GB }
compute: { type: gpu, gpus: 1, instanceTypes: ${types} }
scaling: { desired: ${desired}, max: 8 }
`;

  it("bills its instances, not Fargate tasks, which GPU tasks do not run on", () => {
    const { config, resources } = resourcesOf(gpu("[g5.xlarge, g6.xlarge]", 2), "ep-g.yaml");
    const [cost] = costLines(estimateMonthlyCost(costInputOf(config, resources), "us-east-1"));
    expect(cost).toBe("Cost: about $1468.76/month fixed for the parts with a price (2 g5.xlarge $1468.76, ECS Managed Instances fee price unknown)");
    expect(cost).not.toMatch(/task|vCPU/);
  });

  it("counts the instances by the GPUs each holds, and prices none it cannot name", () => {
    const { config, resources } = resourcesOf(gpu("[g5.12xlarge]", 6), "ep-g.yaml");
    expect(costInputOf(config, resources).instances).toEqual({ type: "g5.12xlarge", count: 2, managed: true });
    const [cost] = costLines(estimateMonthlyCost(costInputOf(config, resources), "us-east-1"));
    expect(cost).toBe("Cost: price unknown (2 g5.12xlarge price unknown, ECS Managed Instances fee price unknown)");
  });
});

describe("the price table", () => {
  it("holds only positive prices, and us-east-1 has every price the plan needs", () => {
    for (const [region, prices] of Object.entries(PRICES)) {
      for (const value of Object.values(prices).flatMap((v) => (typeof v === "number" ? [v] : Object.values(v as Record<string, number>))))
        expect(value, region).toBeGreaterThan(0);
    }
    const usEast1 = PRICES["us-east-1"]!;
    for (const key of [
      "natGatewayHour",
      "natGatewayGB",
      "publicIpv4Hour",
      "loadBalancerHour",
      "loadBalancerLcuHour",
      "fargateVcpuHour",
      "fargateGBHour",
      "efsStandardGBMonth",
      "logsIngestGB",
      "logsStorageGBMonth",
      "kmsKeyMonth",
    ] as const) {
      expect(usEast1[key], key).toBeDefined();
    }
  });

  it("writes unit prices as the pricing pages do", () => {
    expect([priceText(0.3), priceText(0.04048), priceText(1), priceText(0.045)]).toEqual(["$0.30", "$0.04048", "$1.00", "$0.045"]);
  });

  it("is the table in the README (regenerate with npm run docs)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("<!-- price-table:start -->"), readme.indexOf("<!-- price-table:end -->"));
    expect(section).toContain(renderPriceTable());
    // The example plan line of the README's cost section is today's estimate of the default base endpoint.
    expect(readme).toContain(costLines(estimateMonthlyCost(baseInput, "us-east-1"))[0]);
  });
});
