/**
 * What a new base endpoint's network can use in an account and region: the
 * availability zones open to it and the address blocks VPCs already hold.
 */
import type { CloudFormationApi, Ec2Api } from "../../aws/interfaces.js";
import { MlopsError } from "../../errors.js";
import { listManagedStacks, readDeployed } from "../engine/discovery.js";

/** The region's usable zones and the VPC blocks in use. */
export interface AccountNetwork {
  /** Availability zones (not Local or Wavelength Zones) that are available and need no opt-in or are opted in, by name. */
  zones: string[];
  /** Every IPv4 block of every VPC in the region, secondary blocks included. */
  vpcBlocks: string[];
}

/** Reads the zones and the VPC blocks side by side. */
export async function readAccountNetwork(ec2: Ec2Api): Promise<AccountNetwork> {
  const [zones, vpcBlocks] = await Promise.all([usableZones(ec2), vpcBlocksInUse(ec2)]);
  return { zones, vpcBlocks };
}

async function usableZones(ec2: Ec2Api): Promise<string[]> {
  // Filters as the EC2 API reference names them (DescribeAvailabilityZones: `zone-type`, `state`, `opt-in-status`).
  const answer = await ec2.describeAvailabilityZones({
    Filters: [
      { Name: "zone-type", Values: ["availability-zone"] },
      { Name: "state", Values: ["available"] },
    ],
  });
  return (answer.AvailabilityZones ?? [])
    .filter((z) => z.State === undefined || z.State === "available")
    .filter((z) => z.OptInStatus === undefined || z.OptInStatus === "opt-in-not-required" || z.OptInStatus === "opted-in")
    .filter((z) => z.ZoneType === undefined || z.ZoneType === "availability-zone")
    .map((z) => z.ZoneName)
    .filter((name): name is string => !!name)
    .sort();
}

async function vpcBlocksInUse(ec2: Ec2Api): Promise<string[]> {
  const blocks = new Set<string>();
  let token: string | undefined;
  do {
    const page = await ec2.describeVpcs({ NextToken: token });
    for (const vpc of page.Vpcs ?? []) {
      if (vpc.CidrBlock) blocks.add(vpc.CidrBlock);
      for (const association of vpc.CidrBlockAssociationSet ?? []) {
        const state = association.CidrBlockState?.State;
        if (association.CidrBlock && state !== "disassociated" && state !== "failed") blocks.add(association.CidrBlock);
      }
    }
    token = page.NextToken;
  } while (token);
  return [...blocks];
}

/** A base endpoint already in the region, which a new endpoint may join instead of making a network of its own. */
export interface BaseEndpoint {
  /** `project-environment`, as `status` lists it. */
  endpoint: string;
  project?: string;
}

/** The region's base endpoints; none when they cannot be read (init then only proposes a new base, as without them). */
export async function readBaseEndpoints(cfn: CloudFormationApi): Promise<BaseEndpoint[]> {
  try {
    const managed = await listManagedStacks(cfn);
    return managed.filter((m) => m.role === "base").map((m) => ({ endpoint: m.endpointId, project: readDeployed(m.stack).project }));
  } catch (error) {
    if (error instanceof MlopsError) return [];
    throw error;
  }
}
