/**
 * The emulator correction ecr-encryption-configuration (CloudFormation's EncryptionType answered as it was
 * written), shown through the AWS SDK for JavaScript v3: the corrected behaviour on the shared emulator (all
 * corrections), and the wrong behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { type Aws, createStack, describeStack, emulatorWithout, main, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("ecr-encryption-configuration (CloudFormation's EncryptionType answered as it was written)", () => {
  // EncryptionConfiguration (Amazon ECR API reference): encryptionType is required.
  const template = (repository: string) =>
    JSON.stringify({
      Resources: { Repo: { Type: "AWS::ECR::Repository", Properties: { RepositoryName: repository, EncryptionConfiguration: { EncryptionType: "AES256" } } } },
    });
  const encryption = async (a: Aws) => {
    const name = uniqueName("e");
    const repository = name.toLowerCase();
    await createStack(a, name, template(repository));
    expect((await describeStack(a, name)).StackStatus).toBe("CREATE_COMPLETE");
    const answer = await a.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
    return answer.repositories?.[0]?.encryptionConfiguration;
  };

  it("DescribeRepositories answers encryptionConfiguration.encryptionType", async () => {
    expect(await encryption(main)).toEqual({ encryptionType: "AES256" });
  });

  it("without it, the required encryptionType is missing", async () => {
    expect((await encryption(withoutState))?.encryptionType).toBeUndefined();
  });
});
