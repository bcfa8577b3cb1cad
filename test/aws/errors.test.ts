import { CloudFormationServiceException } from "@aws-sdk/client-cloudformation";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { isStackMissingError, isThrottlingError, translateAwsError, type CallContext } from "../../src/aws/error-translator.js";
import { AwsError, CredentialsError, InputError } from "../../src/errors.js";

const cfnCall: CallContext = { service: "CloudFormation", operation: "DescribeStacks", region: "eu-west-1" };

function serviceError(name: string, message: string): CloudFormationServiceException {
  return new CloudFormationServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: 400 } });
}

const savedProfile = process.env.AWS_PROFILE;
afterEach(() => {
  if (savedProfile === undefined) delete process.env.AWS_PROFILE;
  else process.env.AWS_PROFILE = savedProfile;
});

describe("translateAwsError", () => {
  it("keeps AWS's code and message, prefixed by the call", () => {
    const error = translateAwsError(serviceError("ValidationError", "Stack with id x does not exist"), cfnCall);
    expect(error).toBeInstanceOf(AwsError);
    expect(error).not.toBeInstanceOf(CredentialsError);
    expect(error.message).toBe("CloudFormation DescribeStacks: Stack with id x does not exist");
    expect((error as AwsError).code).toBe("ValidationError");
    expect(isStackMissingError(error)).toBe(true);
  });

  it("keeps dotted EC2 codes and ECR exception names", () => {
    const ec2 = new EC2ServiceException({ name: "InvalidPermission.Duplicate", message: "the specified rule already exists", $fault: "client", $metadata: {} });
    const translated = translateAwsError(ec2, { service: "EC2", operation: "AuthorizeSecurityGroupIngress" }) as AwsError;
    expect(translated.code).toBe("InvalidPermission.Duplicate");
    expect(translated.message).toBe("EC2 AuthorizeSecurityGroupIngress: the specified rule already exists");

    const ecr = Object.assign(new Error("The repository with name 'x' does not exist"), { name: "RepositoryNotFoundException", $fault: "client", $metadata: {} });
    expect((translateAwsError(ecr, { service: "ECR", operation: "DescribeImages" }) as AwsError).code).toBe("RepositoryNotFoundException");
  });

  it.each([
    ["CredentialsProviderError", "Could not load credentials from any providers", "No usable AWS credentials"],
    ["ExpiredToken", "The security token included in the request is expired", "have expired"],
    ["ExpiredTokenException", "The security token included in the request is expired", "have expired"],
    ["InvalidClientTokenId", "The security token included in the request is invalid.", "does not recognise"],
    ["UnrecognizedClientException", "The security token included in the request is invalid.", "does not recognise"],
    ["SignatureDoesNotMatch", "The request signature we calculated does not match", "signature"],
  ])("reports %s as a credentials problem with a way out", (name, awsMessage, explanation) => {
    delete process.env.AWS_PROFILE;
    const error = translateAwsError(Object.assign(new Error(awsMessage), { name }), cfnCall);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toContain(explanation);
    expect(error.message).toContain(awsMessage);
    expect(error.message).not.toContain("\n");
    expect(error.hint).toMatch(/AWS_PROFILE/);
    expect(error.hint).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it("names the profile to log in with", () => {
    const error = translateAwsError(Object.assign(new Error("Token is expired.\nTo refresh this SSO session run aws sso login"), { name: "CredentialsProviderError" }), { ...cfnCall, profile: "ml-dev" });
    expect(error.hint).toContain("aws sso login --profile ml-dev");
    expect(error.message).toBe("No usable AWS credentials were found (CloudFormation DescribeStacks): Token is expired.");
  });

  it("treats a denial of GetCallerIdentity as refused credentials, and other denials as permissions", () => {
    const denied = () => Object.assign(new Error("User is not authorized"), { name: "AccessDenied", $fault: "client", $metadata: {} });
    expect(translateAwsError(denied(), { service: "STS", operation: "GetCallerIdentity" })).toBeInstanceOf(CredentialsError);
    const other = translateAwsError(denied(), { service: "CloudFormation", operation: "CreateChangeSet" });
    expect(other).not.toBeInstanceOf(CredentialsError);
    expect(other.hint).toContain("cloudformation:CreateChangeSet");
  });

  it("names the endpoint it cannot reach", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 4566, $metadata: {} });
    const withUrl = translateAwsError(refused, { ...cfnCall, endpointUrl: "http://127.0.0.1:4566" }) as AwsError;
    expect(withUrl.message).toBe("CloudFormation DescribeStacks: cannot reach http://127.0.0.1:4566 (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4566)");
    expect(withUrl.code).toBe("ECONNREFUSED");
    expect(withUrl.hint).toContain("http://127.0.0.1:4566");

    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com"), { code: "ENOTFOUND", hostname: "cloudformation.eu-west-1.amazonaws.com" });
    const translated = translateAwsError(dns, cfnCall);
    expect(translated.message).toContain("cannot reach cloudformation.eu-west-1.amazonaws.com");
    expect(translated.hint).toContain("HTTPS_PROXY");
  });

  it("explains a response that is not AWS's (an emulator lacking the call)", () => {
    const html = Object.assign(new Error("@aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error"), { $metadata: { httpStatusCode: 500 } });
    const translated = translateAwsError(html, { service: "CloudFormation", operation: "ListImports", endpointUrl: "http://127.0.0.1:5000" }) as AwsError;
    expect(translated.code).toBe("HTTP500");
    expect(translated.hint).toContain("may not implement ListImports");
  });

  it("recovers the code and message from a body the SDK could not parse", () => {
    const leaked = Object.assign(new Error("@aws-sdk XML parse error: unexpected content."), {
      $metadata: { httpStatusCode: 400 },
      $responseBodyText: '{"__type": "ResourceAlreadyExistsException", "message": "The specified log group already exists"}',
    });
    const translated = translateAwsError(leaked, { service: "CloudFormation", operation: "ExecuteChangeSet" }) as AwsError;
    expect(translated.code).toBe("ResourceAlreadyExistsException");
    expect(translated.message).toBe("CloudFormation ExecuteChangeSet: The specified log group already exists");

    const xml = Object.assign(new Error("Deserialization error"), {
      $metadata: { httpStatusCode: 400 },
      $responseBodyText: "<ErrorResponse><Error><Code>ValidationError</Code><Message>Stack [x] does not exist</Message></Error></ErrorResponse>",
    });
    expect((translateAwsError(xml, cfnCall) as AwsError).code).toBe("ValidationError");
  });

  it("recognises throttling and leaves mlops errors alone", () => {
    expect(isThrottlingError(translateAwsError(serviceError("Throttling", "Rate exceeded"), cfnCall))).toBe(true);
    expect(isThrottlingError(translateAwsError(serviceError("ValidationError", "x"), cfnCall))).toBe(false);
    const input = new InputError([{ path: "x", message: "bad" }]);
    expect(translateAwsError(input, cfnCall)).toBe(input);
    expect(translateAwsError("boom", cfnCall).message).toBe("CloudFormation DescribeStacks: boom");
  });
});

describe("unreadable answers", () => {
  it("an HTML error page the JSON parser choked on is reported as a non-AWS answer with its status", () => {
    const parserError = Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), { $metadata: { httpStatusCode: 500 } });
    const translated = translateAwsError(parserError, { service: "CodeStar Connections", operation: "GetConnection", endpointUrl: "http://127.0.0.1:4566" });
    expect(translated.message).toBe("CodeStar Connections GetConnection: the service answered HTTP 500 with something that is not an AWS response.");
    expect(translated.hint).toContain("may not implement GetConnection");
  });
});
