/**
 * The emulator correction efs-access-points (AWS::EFS::AccessPoint has no id), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand } from "@aws-sdk/client-cloudformation";
import { DescribeAccessPointsCommand } from "@aws-sdk/client-efs";
import { type Aws, createStack, describeStack, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("efs-access-points (AWS::EFS::AccessPoint has no id)", () => {
  const accessPointTemplate = JSON.stringify({
    Resources: {
      FileSystem: { Type: "AWS::EFS::FileSystem", Properties: { Encrypted: true } },
      AccessPoint: {
        Type: "AWS::EFS::AccessPoint",
        Properties: {
          FileSystemId: { Ref: "FileSystem" },
          PosixUser: { Uid: "1000", Gid: "1000" },
          RootDirectory: { Path: "/data", CreationInfo: { OwnerUid: "1000", OwnerGid: "1000", Permissions: "0755" } },
        },
      },
    },
    Outputs: {
      Ref: { Value: { Ref: "AccessPoint" } },
      Id: { Value: { "Fn::GetAtt": ["AccessPoint", "AccessPointId"] } },
      Arn: { Value: { "Fn::GetAtt": ["AccessPoint", "Arn"] } },
      Sub: { Value: { "Fn::Sub": "access-point/${AccessPoint}" } },
    },
  });
  const outputsOf = async (a: Aws, name: string) =>
    Object.fromEntries(((await describeStack(a, name)).Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));

  it("Ref and Sub answer the access point's id, GetAtt its id and ARN; deleting the stack deletes it", async () => {
    const name = uniqueName("ap");
    await createStack(main, name, accessPointTemplate);
    const outputs = await outputsOf(main, name);
    const points = (await main.efs.send(new DescribeAccessPointsCommand({ AccessPointId: outputs.Ref }))).AccessPoints ?? [];
    expect(points.map((p) => [p.AccessPointId, p.AccessPointArn, p.PosixUser, p.RootDirectory])).toEqual([
      [outputs.Ref, outputs.Arn, { Uid: 1000, Gid: 1000 }, { Path: "/data", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "0755" } }],
    ]);
    expect(outputs.Ref).toMatch(/^fsap-[0-9a-f]+$/);
    expect(outputs.Id).toBe(outputs.Ref);
    expect(outputs.Sub).toBe(`access-point/${outputs.Ref}`);
    await main.cf.send(new DeleteStackCommand({ StackName: name }));
    await expect(main.efs.send(new DescribeAccessPointsCommand({ AccessPointId: outputs.Ref }))).rejects.toThrow(/AccessPointNotFound|does not exist/);
  });

  it("without it, Ref answers no access point id", async () => {
    const name = uniqueName("ap");
    const created = await createStack(withoutState, name, accessPointTemplate).then(
      async () => (await outputsOf(withoutState, name)).Ref ?? "",
      (error: Error) => `failed: ${error.message}`,
    );
    expect(created).not.toMatch(/^fsap-[0-9a-f]+$/);
  });
});
