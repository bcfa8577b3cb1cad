/**
 * Where a stack missing from the chosen region may be: the account's other regions are read with
 * per-region fakes. One region's reads are denied as an IAM policy that limits regions denies them
 * (IAM User Guide, "AWS global condition context keys": aws:RequestedRegion; the call fails with
 * AccessDenied): the message says so in a clause, and the command's result stays the same error,
 * with the same exit code. Regions AWS marks not-opted-in (EC2 API Reference, "DescribeRegions") are not read.
 */
import { describe, expect, it } from "vitest";
import type { AwsClients, CloudFormationApi, RegionReaders, Stack } from "../../../src/aws/interfaces.js";
import type { DeployContext } from "../../../src/deploy/context.js";
import { elsewhereText, findElsewhere } from "../../../src/deploy/steps/other-regions.js";
import { requireBase } from "../../../src/deploy/workflows/plan.js";
import { AwsError, ExitCode, InputError } from "../../../src/errors.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { FakeClock } from "../../fakes/clock.js";
import { MemoryOutput } from "../../fakes/output.js";

/** A stack as mlops tags it. */
function mlopsStack(name: string, role: "base" | "added" | "pipeline", project: string): Stack {
  return {
    StackName: name,
    StackStatus: "CREATE_COMPLETE",
    CreationTime: new Date(0),
    Parameters: [{ ParameterKey: "ProjectName", ParameterValue: project }],
    Tags: [
      { Key: "mlops:managed-by", Value: "mlops" },
      { Key: "mlops:endpoint", Value: name.replace(/-pipeline$/, "") },
      { Key: "mlops:role", Value: role },
    ],
  };
}

/** What each region answers: its stacks, or the error its reads fail with. */
type RegionWorld = Record<string, Stack[] | Error | "silent">;

/** Per-region readers over a world; `asked` records the regions whose stacks were read. */
function readersOf(world: RegionWorld, listed: { RegionName: string; OptInStatus: string }[]) {
  const asked: string[] = [];
  const readers: RegionReaders = async (region) => {
    const cloudFormation = {
      describeStacks: async () => {
        asked.push(region);
        const answer = world[region] ?? [];
        if (answer === "silent") return new Promise<never>(() => {});
        if (answer instanceof Error) throw answer;
        return { Stacks: answer };
      },
    } as unknown as CloudFormationApi;
    const ec2 = { describeRegions: async () => ({ Regions: listed }) } as unknown as AwsClients["ec2"];
    return { cloudFormation, ec2 };
  };
  return { readers, asked };
}

const listed = [
  { RegionName: "us-west-2", OptInStatus: "opt-in-not-required" },
  { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
  { RegionName: "ap-east-1", OptInStatus: "opted-in" },
  { RegionName: "me-south-1", OptInStatus: "not-opted-in" },
  { RegionName: "us-east-1", OptInStatus: "opt-in-not-required" },
];

const denied = () => new AwsError("CloudFormation DescribeStacks: User is not authorized to perform: cloudformation:DescribeStacks", { code: "AccessDenied" });

function context(readers: RegionReaders | undefined, signal?: AbortSignal): DeployContext {
  return {
    aws: { region: "us-west-2", regionSource: "--region" } as unknown as AwsClients,
    out: new MemoryOutput(),
    clock: new FakeClock(),
    assumeYes: true,
    signal,
    regionReaders: readers,
  };
}

const world: RegionWorld = {
  "eu-west-1": [mlopsStack("acme-prod", "base", "acme"), mlopsStack("acme-b-prod", "added", "acme-b"), mlopsStack("acme-prod-pipeline", "pipeline", "acme")],
  "ap-east-1": denied(),
  "us-east-1": [],
};

describe("findElsewhere", () => {
  it("reads every enabled region but the command's: endpoints found, a denied region named, a not-opted-in region not asked", async () => {
    const { readers, asked } = readersOf(world, listed);
    const found = await findElsewhere(context(readers));
    expect(found).toEqual({
      found: [{ region: "eu-west-1", endpoints: ["acme-b-prod", "acme-prod"], projects: ["acme-b", "acme"] }],
      unreadable: [{ region: "ap-east-1", why: "access denied" }],
      unanswered: [],
    });
    expect(asked.sort()).toEqual(["ap-east-1", "eu-west-1", "us-east-1"]);
    expect(elsewhereText(found!)).toBe("mlops endpoints were found in eu-west-1 (acme-b-prod, acme-prod); ap-east-1 could not be read (access denied)");
  });

  it("a region that does not answer within the time given is named as such, not waited for", async () => {
    const { readers } = readersOf({ ...world, "us-east-1": "silent" }, listed);
    const found = await findElsewhere(context(readers), 50);
    expect(found?.unanswered).toEqual(["us-east-1"]);
    expect(elsewhereText(found!)).toContain("not all regions answered in time (us-east-1 did not)");
  });

  it("the account's regions cannot be listed: one clause, no region read", async () => {
    const asked: string[] = [];
    const readers: RegionReaders = async (region) => {
      asked.push(region);
      return { cloudFormation: {} as CloudFormationApi, ec2: { describeRegions: () => Promise.reject(denied()) } as unknown as AwsClients["ec2"] };
    };
    const found = await findElsewhere(context(readers));
    expect(elsewhereText(found!)).toBe("the account's other regions could not be listed (access denied)");
    expect(asked).toEqual(["us-west-2"]);
  });

  it("after Ctrl-C, no region is read and no hint is given", async () => {
    const { readers, asked } = readersOf(world, listed);
    const controller = new AbortController();
    controller.abort();
    expect(await findElsewhere(context(readers, controller.signal))).toBeUndefined();
    expect(asked).toEqual([]);
  });
});

describe("add-endpoint's base in another region", () => {
  const exports = new Map<string, string>();

  async function refusal(readers: RegionReaders | undefined): Promise<InputError> {
    const config = await loadEndpointConfig("params/ep-b.yaml");
    const error = await requireBase({ ...config, baseProject: "acme" }, exports, context(readers)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }

  it("names the region where the base is and the region that could not be read; still bad input, exit 2", async () => {
    const { readers } = readersOf(world, listed);
    const error = await refusal(readers);
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).toContain("no base endpoint acme-prod in region us-west-2 (from --region)");
    expect(error.message).toContain("mlops endpoints were found in eu-west-1 (acme-b-prod, acme-prod); ap-east-1 could not be read (access denied)");
    expect(error.hint).toMatch(/^Run again with --region eu-west-1, where acme-prod is; if the name is wrong, fix it; otherwise create the base first/);
  });

  it("without clients for other regions, the same refusal as before", async () => {
    const error = await refusal(undefined);
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.message).not.toContain("mlops endpoints were found");
    expect(error.hint).toMatch(/^If the base is in another region/);
  });
});
