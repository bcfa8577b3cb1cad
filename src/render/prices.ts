/**
 * What the resources mlops creates cost, per region: a dated table of AWS's
 * published on-demand prices (US dollars, taxes excluded) and a pure estimate
 * of an endpoint's fixed monthly cost from it. No AWS call: the plan prints
 * the estimate before anything is created. A price the table does not hold is
 * "price unknown", never a guess; prices change, so the table names its date
 * and the pages it was read from.
 */
import { ACCELERATOR_INSTANCES } from "../params/gpu-instances.js";
import type { ComputeConfig, EndpointConfig } from "../params/model.js";

/** When the table was read from the pricing pages. */
export const PRICES_AS_OF = "2026-12-07";

/** Hours in a month, as AWS's pricing pages and calculator count them (24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;

/** The pages each price comes from. */
export const PRICE_SOURCES = {
  natGateway: "https://aws.amazon.com/vpc/pricing/",
  publicIpv4: "https://aws.amazon.com/vpc/pricing/",
  loadBalancer: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  fargate: "https://aws.amazon.com/fargate/pricing/",
  efs: "https://aws.amazon.com/efs/pricing/",
  logs: "https://aws.amazon.com/cloudwatch/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  codePipeline: "https://aws.amazon.com/codepipeline/pricing/",
  ec2: "https://aws.amazon.com/ec2/pricing/on-demand/",
} as const;

/** One region's prices; an absent field is a price the table does not hold. */
export interface RegionPrices {
  /** NAT gateway, per gateway-hour. */
  natGatewayHour?: number;
  /** NAT gateway, per GB processed. */
  natGatewayGB?: number;
  /** A public IPv4 address (the NAT gateway's Elastic IP, the load balancer's addresses), per address-hour. */
  publicIpv4Hour?: number;
  /** Application Load Balancer, per load-balancer-hour. */
  loadBalancerHour?: number;
  /** Application Load Balancer, per LCU-hour (traffic). */
  loadBalancerLcuHour?: number;
  /** Fargate Linux/x86, per vCPU-hour. */
  fargateVcpuHour?: number;
  /** Fargate Linux/x86, per GB-hour of task memory. */
  fargateGBHour?: number;
  /** EFS Standard storage, per GB-month. */
  efsStandardGBMonth?: number;
  /** CloudWatch Logs (Standard class), per GB ingested (container logs; vended VPC flow logs' first tier too). */
  logsIngestGB?: number;
  /** CloudWatch Logs, per GB-month archived. */
  logsStorageGBMonth?: number;
  /** A customer managed KMS key, per key-month (each automatic rotation adds as much). */
  kmsKeyMonth?: number;
  /** CodePipeline V2 pipeline, per action execution minute (the first 100 minutes of an account each month are free). */
  pipelineActionMinute?: number;
  /** EC2 on-demand Linux, per instance-hour, by instance type (GPU and Neuron instances for model serving). */
  ec2InstanceHour?: Record<string, number>;
  /** ECS Managed Instances management fee, per instance-hour, by instance type. */
  ecsManagedInstanceFeeHour?: Record<string, number>;
}

/**
 * The table. us-east-1 is complete; the other regions hold only the prices
 * found published for them (the rest print "price unknown"), read from
 * published summaries of the pages above where the pages render prices only in
 * the browser: check them there before relying on them. The public IPv4
 * charge is the same in every commercial region (AWS's announcement of
 * 2023-07-28, effective 2024-02-01). GPU instances: only those whose on-demand
 * price was found; ECS Managed Instances' fee differs by instance type and none
 * was found, so a plan on Managed Instances prints the fee as unknown.
 */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    natGatewayHour: 0.045,
    natGatewayGB: 0.045,
    publicIpv4Hour: 0.005,
    loadBalancerHour: 0.0225,
    loadBalancerLcuHour: 0.008,
    fargateVcpuHour: 0.04048,
    fargateGBHour: 0.004445,
    efsStandardGBMonth: 0.3,
    logsIngestGB: 0.5,
    logsStorageGBMonth: 0.03,
    kmsKeyMonth: 1,
    pipelineActionMinute: 0.002,
    // g5.xlarge Linux on-demand: the published summary https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/
    // (2026-06-17, read 2026-12-08); AWS's own page renders it only in the browser.
    ec2InstanceHour: { "g5.xlarge": 1.006 },
  },
  "us-east-2": { natGatewayHour: 0.045, natGatewayGB: 0.045, publicIpv4Hour: 0.005, kmsKeyMonth: 1 },
  "ap-southeast-1": { natGatewayHour: 0.059, natGatewayGB: 0.059, publicIpv4Hour: 0.005, kmsKeyMonth: 1 },
  "ap-northeast-1": {
    natGatewayHour: 0.062,
    publicIpv4Hour: 0.005,
    loadBalancerHour: 0.0243,
    loadBalancerLcuHour: 0.008,
    logsIngestGB: 0.76,
    logsStorageGBMonth: 0.033,
    kmsKeyMonth: 1,
  },
  "eu-west-1": { publicIpv4Hour: 0.005, loadBalancerHour: 0.0252, kmsKeyMonth: 1 },
};

/** What a deployment creates that costs money whether or not requests arrive. */
export interface CostInput {
  natGateways: number;
  loadBalancers: number;
  /** Public IPv4 addresses: the NAT gateway's Elastic IP and the load balancers' (one per AZ). */
  publicIpv4: number;
  kmsKeys: number;
  tasks: { count: number; cpuUnits: number; memoryMiB: number };
  /** EC2 instances the tasks run on instead of Fargate (ECS Managed Instances, e.g. GPU endpoints); the tasks are then not billed by Fargate. */
  instances?: { type: string; count: number; managed: boolean };
  /** Whether EFS file systems are created (billed per GB stored, nothing when empty). */
  efs: boolean;
  /** Whether VPC flow logs are delivered to CloudWatch Logs. */
  flowLogs: boolean;
  /** Whether a pipeline is created (billed per action minute of each run; its builds per build minute, named in the plan's Build line). */
  pipeline?: boolean;
}

/** One fixed monthly item; `usd` undefined: the table has no price for it in this region. */
export interface CostItem {
  label: string;
  usd?: number;
}

/** A per-unit rate that grows with use. */
export interface CostRate {
  label: string;
  text?: string;
}

/** The estimate the plan prints. */
export interface CostEstimate {
  region: string;
  /** False: the table holds nothing for the region. */
  known: boolean;
  items: CostItem[];
  /** Sum of the items with a price. */
  fixedUsd: number;
  rates: CostRate[];
}

/** Rounds to cents, as a bill does. */
function cents(usd: number): number {
  // The nudge keeps binary halves (0.0225 x 730 = 16.424999...) rounding up, as the decimal figure does.
  return Math.round(usd * 100 + 1e-6) / 100;
}

/** A unit price as the pricing pages write it: at least cents, all its digits ($0.30, $0.04048). */
export function priceText(usd: number): string {
  const digits = Math.max(2, (String(usd).split(".")[1] ?? "").length);
  return `$${usd.toFixed(digits)}`;
}

function monthly(hourly: number | undefined, count: number): number | undefined {
  return hourly === undefined ? undefined : cents(hourly * HOURS_PER_MONTH * count);
}

/** "1 vCPU/2 GB", "0.25 vCPU/0.5 GB": Fargate sizes as the pricing page names them. */
export function taskSizeText(cpuUnits: number, memoryMiB: number): string {
  return `${cpuUnits / 1024} vCPU/${memoryMiB / 1024} GB`;
}

/** The fixed monthly cost of what a deployment creates, and the rates of what grows with use, from the table. */
export function estimateMonthlyCost(input: CostInput, region: string, table: Readonly<Record<string, RegionPrices>> = PRICES): CostEstimate {
  const p = table[region];
  if (!p) return { region, known: false, items: [], fixedUsd: 0, rates: [] };
  const items: CostItem[] = [];
  if (input.natGateways > 0)
    items.push({ label: input.natGateways > 1 ? `${input.natGateways} NAT gateways` : "NAT gateway", usd: monthly(p.natGatewayHour, input.natGateways) });
  if (input.loadBalancers > 0)
    items.push({
      label: input.loadBalancers > 1 ? `${input.loadBalancers} load balancers` : "load balancer",
      usd: monthly(p.loadBalancerHour, input.loadBalancers),
    });
  if (input.publicIpv4 > 0) items.push({ label: `${input.publicIpv4} public IPv4`, usd: monthly(p.publicIpv4Hour, input.publicIpv4) });
  const { count, cpuUnits, memoryMiB } = input.tasks;
  const ec2 = input.instances;
  if (ec2 && ec2.count > 0) {
    const label = `${ec2.count} ${ec2.type}`;
    items.push({ label, usd: monthly(p.ec2InstanceHour?.[ec2.type], ec2.count) });
    if (ec2.managed) items.push({ label: "ECS Managed Instances fee", usd: monthly(p.ecsManagedInstanceFeeHour?.[ec2.type], ec2.count) });
  } else if (count > 0) {
    const hourly =
      p.fargateVcpuHour !== undefined && p.fargateGBHour !== undefined
        ? (cpuUnits / 1024) * p.fargateVcpuHour + (memoryMiB / 1024) * p.fargateGBHour
        : undefined;
    items.push({ label: `${count} task${count > 1 ? "s" : ""} ${taskSizeText(cpuUnits, memoryMiB)}`, usd: monthly(hourly, count) });
  }
  if (input.kmsKeys > 0)
    items.push({
      label: input.kmsKeys > 1 ? `${input.kmsKeys} KMS keys` : "KMS key",
      usd: p.kmsKeyMonth === undefined ? undefined : cents(p.kmsKeyMonth * input.kmsKeys),
    });
  const rate = (price: number | undefined, unit: string): string | undefined => (price === undefined ? undefined : `${priceText(price)}/${unit}`);
  const rates: CostRate[] = [];
  if (input.efs) rates.push({ label: "EFS", text: rate(p.efsStandardGBMonth, "GB-month") });
  const logs =
    p.logsIngestGB !== undefined && p.logsStorageGBMonth !== undefined
      ? `${priceText(p.logsIngestGB)}/GB + ${priceText(p.logsStorageGBMonth)}/GB-month kept`
      : undefined;
  rates.push({ label: input.flowLogs ? "logs and flow logs" : "logs", text: logs });
  if (input.natGateways > 0) rates.push({ label: "NAT traffic", text: rate(p.natGatewayGB, "GB") });
  if (input.loadBalancers > 0) rates.push({ label: "load balancer traffic", text: rate(p.loadBalancerLcuHour, "LCU-hour") });
  if (input.pipeline) rates.push({ label: "pipeline runs", text: rate(p.pipelineActionMinute, "action-minute") });
  const fixedUsd = cents(items.reduce((sum, i) => sum + (i.usd ?? 0), 0));
  return { region, known: true, items, fixedUsd, rates };
}

function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** The plan's cost lines (at most 2): the fixed monthly sum with its parts, then the rates and where the prices come from. */
export function costLines(estimate: CostEstimate): string[] {
  if (!estimate.known) {
    return [
      `Cost: price unknown (mlops's price table has no prices for ${estimate.region}; it holds ${Object.keys(PRICES).join(", ")} as of ${PRICES_AS_OF}); see https://calculator.aws/`,
    ];
  }
  const parts = estimate.items.map((i) => `${i.label} ${i.usd === undefined ? "price unknown" : money(i.usd)}`);
  const partial = estimate.items.some((i) => i.usd === undefined);
  const priced = estimate.items.some((i) => i.usd !== undefined);
  const sum =
    estimate.items.length === 0
      ? "no fixed cost"
      : !priced
        ? "price unknown"
        : `about ${money(estimate.fixedUsd)}/month fixed${partial ? " for the parts with a price" : ""}`;
  const rates = estimate.rates.map((r) => `${r.label} ${r.text ?? "price unknown"}`);
  return [
    `Cost: ${sum}${parts.length ? ` (${parts.join(", ")})` : ""}`,
    `Cost with use: ${rates.join(", ")}; prices ${estimate.region} as of ${PRICES_AS_OF} (AWS pricing pages; README "What it costs")`,
  ];
}

/** Counts what a stack plan creates by resource type. */
function countOf(resources: readonly { type: string }[], type: string): number {
  return resources.filter((r) => r.type === type).length;
}

/**
 * What a create or add costs, from the resources its stack creates and the
 * endpoint's task size and count. An internet-facing Application Load Balancer
 * has a public IPv4 address per Availability Zone it is enabled in (two here;
 * it may add more as it scales), each billed like the NAT gateway's Elastic IP
 * ("New - AWS Public IPv4 Address Charge + Public IP Insights", AWS News Blog,
 * https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/).
 * `also`: what the plan creates beside the stack: another load balancer of the base (an added endpoint's shard), a pipeline.
 */
export function costInputOf(
  config: Pick<EndpointConfig, "container" | "scaling" | "compute">,
  resources: readonly { type: string }[],
  also: { newLoadBalancer?: boolean; pipeline?: boolean } = {},
): CostInput {
  const newLoadBalancer = also.newLoadBalancer ?? false;
  const natGateways = countOf(resources, "AWS::EC2::NatGateway");
  const loadBalancers = countOf(resources, "AWS::ElasticLoadBalancingV2::LoadBalancer") + (newLoadBalancer ? 1 : 0);
  return {
    natGateways,
    loadBalancers,
    publicIpv4: countOf(resources, "AWS::EC2::EIP") + 2 * loadBalancers,
    kmsKeys: countOf(resources, "AWS::KMS::Key"),
    tasks: { count: config.scaling.desired, cpuUnits: config.container.cpu, memoryMiB: config.container.memoryMiB },
    ...(config.compute ? { instances: instancesOf(config.compute, config.scaling.desired) } : {}),
    efs: countOf(resources, "AWS::EFS::FileSystem") > 0,
    flowLogs: countOf(resources, "AWS::EC2::FlowLog") > 0,
    ...(also.pipeline ? { pipeline: true } : {}),
  };
}

/**
 * The instances a GPU or Neuron endpoint's tasks run on, which are billed instead of Fargate: as many of the first
 * instance type (the one ECS tries first) as the tasks need, by the accelerators each holds; chosen by attributes, no type is priced.
 */
function instancesOf(compute: ComputeConfig, tasks: number): { type: string; count: number; managed: boolean } {
  const type = compute.instanceTypes?.[0];
  const perInstance = type ? Math.max(1, Math.floor((ACCELERATOR_INSTANCES.get(type)?.accelerators ?? compute.gpus) / compute.gpus)) : 1;
  return { type: type ?? "instance(s) chosen by attributes", count: Math.ceil(Math.max(1, tasks) / perInstance), managed: true };
}

function cell(value: number | undefined): string {
  return value === undefined ? "price unknown" : priceText(value);
}

/** The README's price table, generated from PRICES (npm run docs) so that the two cannot differ. */
export function renderPriceTable(): string {
  const regions = Object.keys(PRICES);
  const rows: [string, (p: RegionPrices) => number | undefined, string][] = [
    ["NAT gateway, per hour", (p) => p.natGatewayHour, PRICE_SOURCES.natGateway],
    ["NAT gateway, per GB processed", (p) => p.natGatewayGB, PRICE_SOURCES.natGateway],
    ["Public IPv4 address, per hour", (p) => p.publicIpv4Hour, PRICE_SOURCES.publicIpv4],
    ["Application Load Balancer, per hour", (p) => p.loadBalancerHour, PRICE_SOURCES.loadBalancer],
    ["Application Load Balancer, per LCU-hour", (p) => p.loadBalancerLcuHour, PRICE_SOURCES.loadBalancer],
    ["Fargate Linux/x86, per vCPU-hour", (p) => p.fargateVcpuHour, PRICE_SOURCES.fargate],
    ["Fargate Linux/x86, per GB-hour", (p) => p.fargateGBHour, PRICE_SOURCES.fargate],
    ["EFS Standard, per GB-month", (p) => p.efsStandardGBMonth, PRICE_SOURCES.efs],
    ["CloudWatch Logs, per GB ingested", (p) => p.logsIngestGB, PRICE_SOURCES.logs],
    ["CloudWatch Logs, per GB-month kept", (p) => p.logsStorageGBMonth, PRICE_SOURCES.logs],
    ["KMS customer managed key, per month", (p) => p.kmsKeyMonth, PRICE_SOURCES.kms],
    ["CodePipeline V2, per action execution minute", (p) => p.pipelineActionMinute, PRICE_SOURCES.codePipeline],
  ];
  const instanceTypes = [...new Set(regions.flatMap((r) => Object.keys(PRICES[r]?.ec2InstanceHour ?? {})))].sort();
  for (const type of instanceTypes) rows.push([`EC2 ${type} on demand, per hour`, (p) => p.ec2InstanceHour?.[type], PRICE_SOURCES.ec2]);
  const header = `| Price (USD, as of ${PRICES_AS_OF}) | ${regions.join(" | ")} | Source |`;
  const rule = `| --- | ${regions.map(() => "---").join(" | ")} | --- |`;
  const body = rows.map(([label, get, source]) => `| ${label} | ${regions.map((r) => cell(get(PRICES[r] ?? {}))).join(" | ")} | ${source} |`);
  return [header, rule, ...body].join("\n");
}
