/**
 * What init reads from EC2, with a fake that answers as the EC2 API reference
 * says: DescribeAvailabilityZones lists Local and Wavelength Zones and zones
 * not opted in alongside ordinary ones (filters may be ignored by a fake, so
 * the code checks the fields too); DescribeVpcs pages with NextToken and
 * lists secondary blocks under CidrBlockAssociationSet.
 */
import { describe, expect, it } from "vitest";
import type { Ec2Api } from "../../../src/aws/interfaces.js";
import { readAccountNetwork } from "../../../src/deploy/operations/account-network.js";

describe("account network", () => {
  it("keeps ordinary zones that are available and open to the account, and every VPC block", async () => {
    const pages: Record<string, { Vpcs: unknown[]; NextToken?: string }> = {
      start: { Vpcs: [{ CidrBlock: "172.31.0.0/16" }], NextToken: "p2" },
      p2: {
        Vpcs: [
          {
            CidrBlock: "10.0.0.0/16",
            CidrBlockAssociationSet: [
              { CidrBlock: "10.0.0.0/16", CidrBlockState: { State: "associated" } },
              { CidrBlock: "100.64.0.0/16", CidrBlockState: { State: "associated" } },
              { CidrBlock: "10.9.0.0/16", CidrBlockState: { State: "disassociated" } },
            ],
          },
        ],
      },
    };
    const ec2 = {
      describeAvailabilityZones: async () => ({
        AvailabilityZones: [
          { ZoneName: "us-west-2b", State: "available", OptInStatus: "opt-in-not-required", ZoneType: "availability-zone" },
          { ZoneName: "us-west-2a", State: "available", OptInStatus: "opt-in-not-required", ZoneType: "availability-zone" },
          { ZoneName: "us-west-2-lax-1a", State: "available", OptInStatus: "opted-in", ZoneType: "local-zone" },
          { ZoneName: "us-west-2-wl1-sea-wlz-1", State: "available", OptInStatus: "not-opted-in", ZoneType: "wavelength-zone" },
          { ZoneName: "us-west-2d", State: "impaired", OptInStatus: "opt-in-not-required", ZoneType: "availability-zone" },
          { ZoneName: "us-west-2c", State: "available", OptInStatus: "opt-in-not-required", ZoneType: "availability-zone" },
        ],
      }),
      describeVpcs: async (input: { NextToken?: string }) => pages[input.NextToken ?? "start"],
    } as unknown as Ec2Api;
    expect(await readAccountNetwork(ec2)).toEqual({
      zones: ["us-west-2a", "us-west-2b", "us-west-2c"],
      vpcBlocks: ["172.31.0.0/16", "10.0.0.0/16", "100.64.0.0/16"],
    });
  });
});
