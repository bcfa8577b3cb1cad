/**
 * Turns whatever the AWS SDK throws into mlops's typed errors: `AwsError` with
 * AWS's own code and message (prefixed by the call that failed), or
 * `CredentialsError` when the problem is who we are rather than what we asked.
 * Every error says what to do next.
 */
import { AwsError, CredentialsError, MlopsError } from "../errors.js";

/** Which call failed, and with which settings; used to name the call and to write hints. */
export interface CallContext {
  /** Display name of the service, e.g. `CloudFormation`. */
  service: string;
  /** The service's prefix in IAM actions, e.g. `cloudformation`, `route53`, `elasticfilesystem`. */
  iamPrefix: string;
  /** API operation, e.g. `DescribeStacks`. */
  operation: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** How long the call was retried before this error stands, to say so. */
  retryBudgetMs?: number;
  requestTimeoutMs?: number;
}

const CREDENTIAL_PROBLEMS: Record<string, string> = {
  CredentialsProviderError: "No usable AWS credentials were found",
  TokenProviderError: "The AWS SSO token could not be loaded",
  ExpiredToken: "The AWS credentials have expired",
  ExpiredTokenException: "The AWS credentials have expired",
  InvalidClientTokenId: "AWS does not recognise the access key in use",
  UnrecognizedClientException: "AWS does not recognise the access key in use",
  InvalidAccessKeyId: "AWS does not recognise the access key in use",
  AuthFailure: "AWS does not recognise the credentials in use",
  SignatureDoesNotMatch: "AWS rejected the request signature (wrong secret key, or the machine's clock is off)",
  InvalidSignatureException: "AWS rejected the request signature (wrong secret key, or the machine's clock is off)",
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "PriorRequestNotComplete",
]);

const PERMISSION_CODES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"]);

/** True when AWS asked us to slow down (after the SDK's own retries). */
export function isThrottlingError(error: unknown): boolean {
  return error instanceof AwsError && error.code !== undefined && THROTTLING_CODES.has(error.code);
}

/** True for CloudFormation's "Stack with id X does not exist". */
export function isStackMissingError(error: unknown): boolean {
  return error instanceof AwsError && error.code === "ValidationError" && /does not exist/.test(error.message);
}

/** Translates an SDK error (or anything thrown while calling AWS) into a typed mlops error. */
export function translateAwsError(error: unknown, context: CallContext): MlopsError {
  if (error instanceof MlopsError) return error;
  const call = `${context.service} ${context.operation}`;
  if (!(error instanceof Error)) return new AwsError(`${call}: ${String(error)}`, { cause: error });

  const fields = error as Error & { code?: unknown; Code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = errorCode(fields);
  const message = firstLine(error.message);

  const problem = code === undefined ? undefined : CREDENTIAL_PROBLEMS[code];
  // GetCallerIdentity needs no permission, so a denial there means the credentials themselves are refused.
  const stsDenied = context.service === "STS" && code !== undefined && PERMISSION_CODES.has(code);
  if (problem !== undefined || stsDenied) {
    const what = problem ?? "AWS refused the credentials in use";
    return new CredentialsError(`${what} (${call}): ${message}`, { code, hint: credentialsHint(context), cause: error });
  }

  const retried = context.retryBudgetMs ? `, still after retrying for ${seconds(context.retryBudgetMs)}` : "";
  const networkCode = typeof fields.code === "string" && NETWORK_CODES.has(fields.code) ? fields.code : undefined;
  if (networkCode !== undefined || error.name === "TimeoutError") {
    const where = endpointName(error, context);
    const what =
      error.name === "TimeoutError"
        ? `no answer from ${where} within ${context.requestTimeoutMs ? seconds(context.requestTimeoutMs) : "the request timeout"} (a timeout${retried})`
        : `cannot reach ${where} (${networkCode}: ${message}${retried})`;
    return new AwsError(`${call}: ${what}`, {
      code: error.name === "TimeoutError" ? "TimeoutError" : networkCode,
      hint: networkHint(networkCode, context),
      cause: error,
    });
  }

  if (code === "NotImplemented" || fields.$metadata?.httpStatusCode === 501) {
    return new AwsError(
      `${call}: ${context.endpointUrl ?? "the endpoint"} does not implement ${context.operation} (HTTP 501${message && message !== "Unknown" ? `: ${message}` : ""}).`,
      {
        code: "NotImplemented",
        hint: context.endpointUrl
          ? `Use an endpoint that implements ${context.operation} (e.g. AWS itself: drop --endpoint-url).`
          : "Check that the region offers this service.",
        cause: error,
      },
    );
  }

  // A body the SDK could not parse: an outage page from a load balancer or proxy, or no AWS endpoint at all.
  // The parser's own SyntaxError or TypeError, or the query protocol's "Unknown", names no AWS error.
  const status = fields.$metadata?.httpStatusCode;
  const parserFailure = code === undefined || error.name === "SyntaxError" || error.name === "TypeError" || message === "Unknown" || message === "";
  if (status !== undefined && parserFailure) {
    const recovered = errorFromRawResponse(error);
    if (recovered.code !== undefined) {
      return new AwsError(`${call}: ${recovered.message || recovered.code}`, { code: recovered.code, hint: hintFor(recovered.code, context), cause: error });
    }
    if (status >= 500) {
      return new AwsError(
        `${call}: the service answered HTTP ${status} with an error page instead of an AWS answer${retried}: an outage at AWS or in a proxy between here and AWS.`,
        {
          code: `HTTP${status}`,
          hint: context.endpointUrl
            ? `Check that ${context.endpointUrl} is up, wait a few minutes and run the same command again; every step continues where it stopped.`
            : "Wait a few minutes (https://health.aws.amazon.com shows AWS outages) and run the same command again; every step continues where it stopped.",
          cause: error,
        },
      );
    }
    return new AwsError(`${call}: the service answered HTTP ${status} with something that is not an AWS response.`, {
      code: `HTTP${status}`,
      hint: context.endpointUrl
        ? `Check that ${context.endpointUrl} is an AWS endpoint or emulator (the URL, its port and path), or drop --endpoint-url.`
        : "Check for a proxy between this machine and AWS (HTTPS_PROXY).",
      cause: error,
    });
  }

  if (THROTTLING_CODES.has(code ?? "") || status === 429) {
    return new AwsError(`${call}: AWS is throttling requests${retried} (${message || code || "HTTP 429"})`, {
      code,
      hint: hintFor(code, context) ?? throttlingHint,
      cause: error,
    });
  }
  if (status !== undefined && status >= 500 && retried) {
    return new AwsError(`${call}: ${message || code} (HTTP ${status}${retried})`, {
      code,
      hint: "AWS is failing for now; wait a few minutes and run the same command again.",
      cause: error,
    });
  }

  return new AwsError(`${call}: ${message || code || "unknown error"}`, { code, hint: hintFor(code, context), cause: error });
}

/** Code and message read from a response body the SDK failed to parse (JSON `__type`, XML `<Code>`, or the error-type header). */
function errorFromRawResponse(error: Error): { code?: string; message?: string } {
  const raw = error as Error & { $responseBodyText?: unknown; $response?: { headers?: Record<string, string | undefined> } };
  const body = typeof raw.$responseBodyText === "string" ? raw.$responseBodyText : "";
  const header = raw.$response?.headers?.["x-amzn-errortype"]?.split(":")[0];
  let code: string | undefined;
  let message: string | undefined;
  try {
    const parsed = JSON.parse(body) as { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown };
    const type = typeof parsed.__type === "string" ? parsed.__type : typeof parsed.code === "string" ? parsed.code : undefined;
    code = type?.split("#").pop();
    const text = parsed.message ?? parsed.Message;
    message = typeof text === "string" ? text : undefined;
  } catch {
    code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
    message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  }
  return { code: code || header || undefined, message: message ? firstLine(message) : undefined };
}

/** AWS's error code: the SDK puts it in `name` (e.g. `ValidationError`, `InvalidPermission.Duplicate`). */
function errorCode(error: Error & { Code?: unknown; $fault?: unknown }): string | undefined {
  if (error.name && error.name !== "Error") return error.name;
  return typeof error.Code === "string" ? error.Code : undefined;
}

const throttlingHint = "Other programs are calling AWS heavily in this account and region; wait a few minutes and re-run, or raise --retry-budget.";

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function networkHint(networkCode: string | undefined, context: CallContext): string {
  const endpoint = context.endpointUrl;
  if (endpoint) {
    const ascii = punycodeHint(endpoint);
    if (ascii) return ascii;
    if (networkCode === "ENOTFOUND" || networkCode === "EAI_AGAIN")
      return `The host of ${endpoint} does not resolve: check its spelling, or drop --endpoint-url.`;
    return `Check that the endpoint ${endpoint} is up (is the emulator running?) or drop --endpoint-url.`;
  }
  if (networkCode === undefined || networkCode === "ETIMEDOUT") return "AWS or the network is slow; run the same command again, or raise --request-timeout.";
  return `Check the network connection and any proxy settings (HTTPS_PROXY), and that the region ${context.region ?? ""} is right.`;
}

/** For a host written in non-ASCII letters: DNS knows it only by its punycode form, which may differ from what the user meant. */
export function punycodeHint(endpointUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(endpointUrl).hostname;
  } catch {
    return undefined;
  }
  const written = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(endpointUrl)?.[1];
  // eslint-disable-next-line no-control-regex
  if (!written || /^[\x00-\x7f]*$/.test(written)) return undefined;
  return `The host ${written} contains non-ASCII letters; it is looked up as ${host} (its punycode form). Check the spelling, or use the ASCII name or an IP address.`;
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim();
}

function endpointName(error: Error & { hostname?: unknown; address?: unknown; port?: unknown }, context: CallContext): string {
  if (context.endpointUrl) return context.endpointUrl;
  if (typeof error.hostname === "string") return error.hostname;
  if (typeof error.address === "string") return typeof error.port === "number" ? `${error.address}:${error.port}` : error.address;
  return `the ${context.service} endpoint${context.region ? ` in ${context.region}` : ""}`;
}

function credentialsHint(context: CallContext): string {
  const profile = context.profile ?? process.env.AWS_PROFILE;
  if (profile) {
    return `Run \`aws sso login --profile ${profile}\` (or refresh that profile's keys), then re-run.`;
  }
  return "Pass --profile NAME (then `aws sso login --profile NAME` for SSO), or set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";
}

function hintFor(code: string | undefined, context: CallContext): string | undefined {
  if (code === undefined) return undefined;
  if (PERMISSION_CODES.has(code)) {
    const action = `${context.iamPrefix}:${context.operation}`;
    return `The identity in use is not allowed ${action}; ask an administrator to allow it, or use another --profile.`;
  }
  if (THROTTLING_CODES.has(code)) return throttlingHint;
  return undefined;
}
