/**
 * The emulator correction change-set-replacement (moto: change sets leave Replacement empty), shown through the
 * AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong
 * behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { type Change } from "@aws-sdk/client-cloudformation";
import { type Aws, emulatorWithout, main, throughChangeSet, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("change-set-replacement (moto: change sets leave Replacement empty)", () => {
  const template = JSON.stringify({
    Parameters: { Cidr: { Type: "String" }, Days: { Type: "Number" } },
    Resources: {
      Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: { Ref: "Cidr" } } },
      Subnet: { Type: "AWS::EC2::Subnet", Properties: { VpcId: { Ref: "Vpc" }, CidrBlock: "10.0.0.0/24" } },
      Logs: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: { Ref: "Days" } } },
    },
  });
  const byId = (changes: Change[]) => Object.fromEntries(changes.map((c) => [c.ResourceChange?.LogicalResourceId ?? "", c.ResourceChange]));

  it("a new VPC CIDR replaces the VPC (True), its subnet may be replaced (Conditional), a new retention does not replace (False)", async () => {
    const name = uniqueName("r");
    await throughChangeSet(main, name, "CREATE", { body: template, values: { Cidr: "10.0.0.0/16", Days: 7 } });
    const changes = byId(await throughChangeSet(main, name, "UPDATE", { body: template, values: { Cidr: "10.1.0.0/16", Days: 14 } }));
    expect(changes.Vpc?.Replacement).toBe("True");
    expect(changes.Vpc?.Details).toEqual([
      {
        Target: { Attribute: "Properties", Name: "CidrBlock", RequiresRecreation: "Always" },
        Evaluation: "Static",
        ChangeSource: "ParameterReference",
        CausingEntity: "Cidr",
      },
    ]);
    expect(changes.Subnet?.Replacement).toBe("Conditional");
    expect(changes.Subnet?.Details).toEqual([
      {
        Target: { Attribute: "Properties", Name: "VpcId", RequiresRecreation: "Always" },
        Evaluation: "Dynamic",
        ChangeSource: "ResourceReference",
        CausingEntity: "Vpc",
      },
    ]);
    expect(changes.Logs?.Replacement).toBe("False");
    expect(changes.Logs?.Details?.[0]?.Target).toEqual({ Attribute: "Properties", Name: "RetentionInDays", RequiresRecreation: "Never" });
  });

  it("without it, a replaced VPC shows no Replacement", async () => {
    const name = uniqueName("r");
    await throughChangeSet(withoutState, name, "CREATE", { body: template, values: { Cidr: "10.0.0.0/16", Days: 7 } });
    const changes = byId(await throughChangeSet(withoutState, name, "UPDATE", { body: template, values: { Cidr: "10.1.0.0/16", Days: 14 } }));
    expect(changes.Vpc).toBeDefined();
    expect(changes.Vpc?.Replacement).toBeUndefined();
  });
});
