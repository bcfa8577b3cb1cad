/**
 * The emulator correction role-policy-json (inline policies of CloudFormation roles), shown through the AWS SDK
 * for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour
 * on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { type Aws, createStack, emulatorWithout, main, stackResources, uniqueName, WITHOUT_RESOURCE_STATE } from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("role-policy-json (inline policies of CloudFormation roles)", () => {
  const roleTemplate = JSON.stringify({
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Properties: {
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
          },
          Policies: [
            {
              PolicyName: "exec",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  { Effect: "Allow", Action: ["ssmmessages:OpenDataChannel"], Resource: "*" },
                  // A statement left out by a false condition is no statement at all.
                  { "Fn::If": ["Never", { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Ref: "AWS::NoValue" }] },
                ],
              },
            },
          ],
        },
      },
    },
    Conditions: { Never: { "Fn::Equals": ["a", "b"] } },
  });
  const document = async (a: Aws) => {
    const name = uniqueName("r");
    await createStack(a, name, roleTemplate);
    const roleName = (await stackResources(a, name)).Role!;
    return decodeURIComponent((await a.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: "exec" }))).PolicyDocument ?? "");
  };

  it("GetRolePolicy answers the template's policy as JSON", async () => {
    expect(JSON.parse(await document(main))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["ssmmessages:OpenDataChannel"], Resource: "*" }],
    });
  });

  it("without it, the document is Python text", async () => {
    const text = await document(withoutState);
    expect(text).toContain("'Version': '2012-10-17'");
    // And the statement a false condition leaves out is still there, as None.
    expect(text).toContain("None");
    expect(() => JSON.parse(text)).toThrow();
  });
});
