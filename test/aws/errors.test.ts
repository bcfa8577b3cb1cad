import { CloudFormationServiceException } from "@aws-sdk/client-cloudformation";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { isStackMissingError, isThrottlingError, translateAwsError, type CallContext } from "../../src/aws/error-translator.js";
import { AwsError, CredentialsError, InputError } from "../../src/errors.js";

const cfnCall: CallContext = { service: "CloudFormation", iamPrefix: "cloudformation", operation: "DescribeStacks", region: "eu-west-1" };

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
    const translated = translateAwsError(ec2, { service: "EC2", iamPrefix: "ec2", operation: "AuthorizeSecurityGroupIngress" }) as AwsError;
    expect(translated.code).toBe("InvalidPermission.Duplicate");
    expect(translated.message).toBe("EC2 AuthorizeSecurityGroupIngress: the specified rule already exists");

    const ecr = Object.assign(new Error("The repository with name 'x' does not exist"), {
      name: "RepositoryNotFoundException",
      $fault: "client",
      $metadata: {},
    });
    expect((translateAwsError(ecr, { service: "ECR", iamPrefix: "ecr", operation: "DescribeImages" }) as AwsError).code).toBe("RepositoryNotFoundException");
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
    const error = translateAwsError(
      Object.assign(new Error("Token is expired.\nTo refresh this SSO session run aws sso login"), { name: "CredentialsProviderError" }),
      { ...cfnCall, profile: "ml-dev" },
    );
    expect(error.hint).toContain("aws sso login --profile ml-dev");
    expect(error.message).toBe("No usable AWS credentials were found (CloudFormation DescribeStacks): Token is expired.");
  });

  it("treats a denial of GetCallerIdentity as refused credentials, and other denials as permissions", () => {
    const denied = () => Object.assign(new Error("User is not authorized"), { name: "AccessDenied", $fault: "client", $metadata: {} });
    expect(translateAwsError(denied(), { service: "STS", iamPrefix: "sts", operation: "GetCallerIdentity" })).toBeInstanceOf(CredentialsError);
    const other = translateAwsError(denied(), { service: "CloudFormation", iamPrefix: "cloudformation", operation: "CreateChangeSet" });
    expect(other).not.toBeInstanceOf(CredentialsError);
    expect(other.hint).toContain("cloudformation:CreateChangeSet");
  });

  it("names the endpoint it cannot reach", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4566"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 4566, $metadata: {} });
    const withUrl = translateAwsError(refused, { ...cfnCall, endpointUrl: "http://127.0.0.1:4566" }) as AwsError;
    expect(withUrl.message).toBe("CloudFormation DescribeStacks: cannot reach http://127.0.0.1:4566 (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4566)");
    expect(withUrl.code).toBe("ECONNREFUSED");
    expect(withUrl.hint).toContain("http://127.0.0.1:4566");

    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com"), {
      code: "ENOTFOUND",
      hostname: "cloudformation.eu-west-1.amazonaws.com",
    });
    const translated = translateAwsError(dns, cfnCall);
    expect(translated.message).toContain("cannot reach cloudformation.eu-west-1.amazonaws.com");
    expect(translated.hint).toContain("HTTPS_PROXY");
  });

  it("calls an HTML 5xx page an outage, says it was retried, and what to do", () => {
    const html = Object.assign(new Error("@aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error"), {
      $metadata: { httpStatusCode: 500 },
    });
    const translated = translateAwsError(html, {
      service: "CloudFormation",
      iamPrefix: "cloudformation",
      operation: "ListImports",
      retryBudgetMs: 60_000,
    }) as AwsError;
    expect(translated.code).toBe("HTTP500");
    expect(translated.message).toBe(
      "CloudFormation ListImports: the service answered HTTP 500 with an error page instead of an AWS answer, still after retrying for 60 s: an outage at AWS or in a proxy between here and AWS.",
    );
    expect(translated.hint).toMatch(/wait a few minutes.*run the same command again/i);
    expect(translated.hint).not.toMatch(/implement/);
  });

  it("the query protocol's 'Unknown' for an HTML 503 (CloudFormation) is an outage, not 'Unknown'", () => {
    const unknown = Object.assign(new Error("Unknown"), { name: "Unknown", $fault: "server", $metadata: { httpStatusCode: 503 } });
    const translated = translateAwsError(unknown, {
      service: "CloudFormation",
      iamPrefix: "cloudformation",
      operation: "DescribeChangeSet",
      endpointUrl: "http://127.0.0.1:4566",
      retryBudgetMs: 60_000,
    }) as AwsError;
    expect(translated.message).toMatch(/^CloudFormation DescribeChangeSet: the service answered HTTP 503 with an error page .*an outage/);
    expect(translated.message).not.toMatch(/: Unknown$/);
    expect(translated.hint).toContain("http://127.0.0.1:4566 is up");
    expect(translated.hint).not.toMatch(/may not implement/);
  });

  it("a 501 (an endpoint without the call) says the endpoint does not implement it", () => {
    const missing = Object.assign(new Error("The emulator does not implement ListImports."), {
      name: "NotImplemented",
      $fault: "server",
      $metadata: { httpStatusCode: 501 },
    });
    const translated = translateAwsError(missing, {
      service: "CloudFormation",
      iamPrefix: "cloudformation",
      operation: "ListImports",
      endpointUrl: "http://127.0.0.1:5000",
    }) as AwsError;
    expect(translated.code).toBe("NotImplemented");
    expect(translated.message).toBe(
      "CloudFormation ListImports: http://127.0.0.1:5000 does not implement ListImports (HTTP 501: The emulator does not implement ListImports.).",
    );
  });

  it("a 404 page is not an AWS endpoint: check the URL", () => {
    const notFound = Object.assign(new Error("Unknown"), { name: "NotFound", $fault: "client", $metadata: { httpStatusCode: 404 } });
    const translated = translateAwsError(notFound, { ...cfnCall, endpointUrl: "http://127.0.0.1:8080/x" }) as AwsError;
    expect(translated.message).toBe("CloudFormation DescribeStacks: the service answered HTTP 404 with something that is not an AWS response.");
    expect(translated.hint).toContain("is an AWS endpoint or emulator");
  });

  it("a request that timed out names the timeout and the retries", () => {
    const timeout = Object.assign(new Error("request timed out"), { name: "TimeoutError", $metadata: {} });
    const translated = translateAwsError(timeout, {
      ...cfnCall,
      endpointUrl: "http://127.0.0.1:4566",
      retryBudgetMs: 60_000,
      requestTimeoutMs: 30_000,
    }) as AwsError;
    expect(translated.message).toBe(
      "CloudFormation DescribeStacks: no answer from http://127.0.0.1:4566 within 30 s (a timeout, still after retrying for 60 s)",
    );
  });

  it("a non-ASCII host gets its punycode form in the hint", () => {
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND xn--mulateur-90a.local"), { code: "ENOTFOUND", hostname: "xn--mulateur-90a.local" });
    const translated = translateAwsError(dns, { ...cfnCall, endpointUrl: "http://émulateur.local:4566" }) as AwsError;
    expect(translated.hint).toContain("xn--mulateur-90a.local");
    expect(translated.hint).toContain("punycode");
  });

  it("recovers the code and message from a body the SDK could not parse", () => {
    const leaked = Object.assign(new Error("@aws-sdk XML parse error: unexpected content."), {
      $metadata: { httpStatusCode: 400 },
      $responseBodyText: '{"__type": "ResourceAlreadyExistsException", "message": "The specified log group already exists"}',
    });
    const translated = translateAwsError(leaked, { service: "CloudFormation", iamPrefix: "cloudformation", operation: "ExecuteChangeSet" }) as AwsError;
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
    const translated = translateAwsError(parserError, {
      service: "CodeStar Connections",
      iamPrefix: "codestar-connections",
      operation: "GetConnection",
      endpointUrl: "http://127.0.0.1:4566",
    }) as AwsError;
    expect(translated.message).toBe(
      "CodeStar Connections GetConnection: the service answered HTTP 500 with an error page instead of an AWS answer: an outage at AWS or in a proxy between here and AWS.",
    );
    expect(translated.code).toBe("HTTP500");
  });
});
