/**
 * The file `mlops init` writes: subnets cut from the VPC block, a block that
 * overlaps no existing VPC, and text that mlops's own loader accepts for both
 * kinds of endpoint.
 */
import { describe, expect, it } from "vitest";
import { FARGATE_SIZES } from "../../src/params/fargate.js";
import { initFileText, overlappingBlocks, proposeVpcCidr, subnetsFor } from "../../src/params/init-file.js";
import { parseEndpointConfig } from "../../src/params/load.js";

describe("init file", () => {
  it("cuts /24 subnets from large blocks and quarters from small ones", () => {
    expect(subnetsFor("10.4.0.0/16")).toEqual({ publicSubnets: ["10.4.0.0/24", "10.4.1.0/24"], privateSubnets: ["10.4.2.0/24", "10.4.3.0/24"] });
    expect(subnetsFor("192.168.8.0/22")).toEqual({
      publicSubnets: ["192.168.8.0/24", "192.168.9.0/24"],
      privateSubnets: ["192.168.10.0/24", "192.168.11.0/24"],
    });
    expect(subnetsFor("10.0.0.0/26")).toEqual({ publicSubnets: ["10.0.0.0/28", "10.0.0.16/28"], privateSubnets: ["10.0.0.32/28", "10.0.0.48/28"] });
    expect(subnetsFor("10.0.0.0/27")).toEqual({ error: '"10.0.0.0/27" is /27; a VPC for mlops is /16 to /26 (four subnets of at least /28)' });
    expect(subnetsFor("10.0.0.1/16")).toHaveProperty("error");
  });

  it("proposes the first private /16 that no VPC overlaps, secondary and larger blocks included", () => {
    expect(proposeVpcCidr([])).toBe("10.0.0.0/16");
    expect(proposeVpcCidr(["172.31.0.0/16", "10.0.0.0/16", "10.1.128.0/20"])).toBe("10.2.0.0/16");
    expect(proposeVpcCidr(["10.0.0.0/8"])).toBe("172.16.0.0/16");
    expect(proposeVpcCidr(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])).toBeUndefined();
    expect(overlappingBlocks("10.0.0.0/16", ["10.0.5.0/24", "10.1.0.0/16", "not a block"])).toEqual(["10.0.5.0/24"]);
  });

  it("writes files the loader accepts, base and added", () => {
    const base = initFileText({
      project: "ep-c",
      environment: "prod",
      hostHeader: "ep-c.example.com",
      network: {
        vpcCidr: "10.2.0.0/16",
        publicSubnets: ["10.2.0.0/24", "10.2.1.0/24"],
        privateSubnets: ["10.2.2.0/24", "10.2.3.0/24"],
        availabilityZones: ["eu-west-1a", "eu-west-1b"],
      },
      schemaReference: "../node_modules/mlops/schema/params.schema.json",
    });
    expect(base.split("\n")[0]).toBe("# yaml-language-server: $schema=../node_modules/mlops/schema/params.schema.json");
    const config = parseEndpointConfig(base, "ep-c.yaml", { region: "eu-west-1" });
    expect(config).toMatchObject({ kind: "base", project: "ep-c" });
    // Every commented-out section is a valid one once uncommented (the pipeline needs real values).
    const uncommented = base
      .replace(/^# (rollout|storage|logs|monitoring):/gm, "$1:")
      .replace(/^# ( {2}\w+: \S+)(?: +#.*)?$/gm, (_m, line: string) =>
        /connectionArn|repository|branch|dockerfile|baseImageRegistries|dockerHubSecret|computeType|buildArgs/.test(line) ? `#${line}` : line,
      );
    expect(parseEndpointConfig(uncommented, "ep-c.yaml")).toMatchObject({ project: "ep-c" });
    // The pipeline's example, with a real connection and repository, is valid too: the DLC registry among it.
    const at = base.indexOf("# pipeline:");
    const withPipeline = (
      base.slice(0, at) +
      base
        .slice(at)
        .replace(/^# (pipeline:)$/m, "$1")
        .replace(/^# {3}(\w+): .*$/gm, (line) => line.replace(/^# /, ""))
    )
      .replace(/connectionArn: .*/, "connectionArn: arn:aws:codeconnections:eu-west-1:123456789012:connection/00000000-0000-4000-8000-000000000000")
      .replace(/repository: .*/, "repository: o/r");
    expect(parseEndpointConfig(withPipeline, "ep-c.yaml").pipeline).toMatchObject({
      baseImageRegistries: ["763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference"],
      dockerHubSecret: "mlops/dockerhub",
      buildArgs: { TORCH_VERSION: "2.4.0" },
    });
    const added = initFileText({ project: "ep-d", environment: "prod", hostHeader: "ep-d.example.com", base: "ep-c" });
    expect(parseEndpointConfig(added, "ep-d.yaml")).toMatchObject({ kind: "added", project: "ep-d" });
    expect(added).not.toContain("monitoring");
  });

  it("names every Fargate CPU size in the cpu comment", () => {
    const cpuLine = initFileText({ project: "ep-d", environment: "prod", hostHeader: "ep-d.example.com", base: "ep-c" })
      .split("\n")
      .find((line) => line.trimStart().startsWith("cpu:"));
    const named = (cpuLine?.split("#")[1] ?? "")
      .match(/\d+/g)
      ?.map(Number)
      .filter((n) => n >= 256);
    expect(named).toEqual([...FARGATE_SIZES.keys(), 1024]);
  });
});
