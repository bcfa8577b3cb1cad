/**
 * Single-value rules shared by both parameter formats. Each returns a message
 * when the value breaks the rule and undefined when it is fine, so the schema
 * and the cross-field checks phrase problems identically.
 */

/** Project and environment names end up in ALB, target group, ECR, ECS and stack names: the strictest rules of all of them. */
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Longest `project-environment`: ALB and target group names allow 32 characters. */
export const MAX_ENDPOINT_ID_LENGTH = 32;

/** Checks a project or environment name (lowercase letters, digits, single hyphens; starts with a letter). */
export function checkName(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  const instead = nameLike(value);
  const use = instead && instead !== value ? `: use "${instead}"` : "";
  if (/[A-Z]/.test(value)) return `"${value}" has uppercase letters; ECR repository names are lowercase${use}`;
  if (!/^[a-z]/.test(value)) return `"${value}" must start with a lowercase letter${use}`;
  if (/[^a-z0-9-]/.test(value)) return `"${value}" may contain only lowercase letters, digits and hyphens${use}`;
  if (value.endsWith("-")) return `"${value}" must not end with a hyphen`;
  if (!NAME_PATTERN.test(value)) return `"${value}" must not contain consecutive hyphens (ECR repository names forbid them)`;
  if (value.length > MAX_ENDPOINT_ID_LENGTH) return `"${value}" is ${value.length} characters; at most ${MAX_ENDPOINT_ID_LENGTH}`;
  return undefined;
}

/**
 * The valid name closest to a refused one, so that the suggestion is never refused in turn
 * (`Sentiment_API` -> `sentiment-api`): lowercase, every other character a single hyphen,
 * no hyphen or digit in front. Undefined when nothing of it is left.
 */
function nameLike(value: string): string | undefined {
  const name = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return name && name.length <= MAX_ENDPOINT_ID_LENGTH ? name : undefined;
}

/** Checks a host header: a DNS name an ALB rule can match and ACM can issue a certificate for. */
export function checkHostName(value: string): string | undefined {
  if (value.includes("*")) return `"${value}" is a wildcard; give the exact host name this endpoint answers on`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `"${value}" is a URL; give only the host name (e.g. ep-a.example.com)`;
  if (value.endsWith(".")) return `"${value}" ends with a dot; remove it`;
  if (value.length > 253) return `"${value}" is ${value.length} characters; a DNS name has at most 253`;
  // ALB host-header condition values are limited to 128 characters, tighter than DNS.
  if (value.length > 128) return `"${value}" is ${value.length} characters; load balancer host-header rules allow at most 128`;
  const labels = value.split(".");
  if (labels.length < 2) return `"${value}" needs at least two labels (e.g. ep-a.example.com)`;
  for (const label of labels) {
    if (label.length === 0) return `"${value}" has an empty label (two dots in a row or a leading dot)`;
    if (label.length > 63) return `"${value}" has the label "${label}" of ${label.length} characters; at most 63`;
    if (!/^[A-Za-z0-9-]+$/.test(label)) return `"${value}": label "${label}" may contain only letters, digits and hyphens`;
    if (label.startsWith("-") || label.endsWith("-")) return `"${value}": label "${label}" must not start or end with a hyphen`;
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return `"${value}" looks like an IP address; give a host name`;
  return undefined;
}

/** Checks an ECS container name. */
export function checkContainerName(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 255) return `is ${value.length} characters; at most 255`;
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return `"${value}" may contain only letters, digits, hyphens and underscores`;
  return undefined;
}

/** The tag Docker moves to each new image; an immutable repository cannot move it. */
export const UNPINNABLE_TAG = "latest";

/** Checks a Docker image tag that mlops can deploy (a valid tag, and one that names a single image). */
export function checkDockerTag(value: string): string | undefined {
  if (value.length > 128) return `"${value.slice(0, 20)}…" is ${value.length} characters; a Docker tag has at most 128`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value)) {
    return `"${value}" is not a valid Docker tag (letters, digits, "_", "." and "-", not starting with "." or "-", no spaces)`;
  }
  if (value === UNPINNABLE_TAG) {
    return `"${UNPINNABLE_TAG}" cannot be deployed: the ECR repositories have immutable tags, so "${UNPINNABLE_TAG}" would forever mean the first image pushed under it; give the image's own tag (e.g. tag-<commit sha>)`;
  }
  return undefined;
}

/** Checks a git branch name by the rules of `git check-ref-format --branch`. */
export function checkBranch(value: string): string | undefined {
  const bad = `"${value}" is not a valid git branch name`;
  if (value.length === 0) return "must not be empty";
  // ASCII control characters, space and the characters git reserves for revision syntax.
  // eslint-disable-next-line no-control-regex -- git refuses control characters in a ref name, so the check names them.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(value)) return `${bad}: no spaces or any of ~ ^ : ? * [ \\`;
  if (value.includes("..")) return `${bad}: no ".."`;
  if (value.includes("@{") || value === "@") return `${bad}: no "@{" and not "@"`;
  if (value.startsWith("/") || value.endsWith("/") || value.includes("//")) return `${bad}: no leading, trailing or double "/"`;
  if (value.endsWith(".")) return `${bad}: must not end with "."`;
  if (value.startsWith("-")) return `${bad}: must not start with "-"`;
  for (const part of value.split("/")) {
    if (part.startsWith(".") || part.endsWith(".lock")) return `${bad}: no part may start with "." or end with ".lock"`;
  }
  return undefined;
}

/** Checks a GitHub repository given as `owner/name`. */
export function checkRepository(value: string): string | undefined {
  const url = /^(?:https?:\/\/|git@)github\.com[/:]([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(value);
  if (url) return `give the repository as owner/name ("${url[1]}"), not a URL`;
  const match = /^([^/]+)\/([^/]+)$/.exec(value);
  if (!match) return `"${value}" is not owner/name (e.g. example-org/ml-endpoints)`;
  const [, owner = "", name = ""] = match;
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(owner) || owner.endsWith("-")) {
    return `"${owner}" is not a valid GitHub owner (letters, digits and hyphens, at most 39)`;
  }
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name === "." || name === "..") {
    return `"${name}" is not a valid GitHub repository name (letters, digits, ".", "_" and "-", at most 100)`;
  }
  return undefined;
}

const PARTITION = "aws(?:-[a-z]+)*";
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d+";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const CERTIFICATE_ARN = new RegExp(`^arn:${PARTITION}:acm:(${REGION}):\\d{12}:certificate/${UUID}$`);
const CONNECTION_ARN = new RegExp(`^arn:${PARTITION}:(?:codestar-connections|codeconnections):(${REGION}):\\d{12}:connection/${UUID}$`);

/** Checks an ACM certificate ARN. */
export function checkCertificateArn(value: string): string | undefined {
  if (CERTIFICATE_ARN.test(value)) return undefined;
  return `"${value}" is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID); leave it out to let mlops find or request a certificate for the host header`;
}

/** Checks a CodeStar/CodeConnections connection ARN. */
export function checkConnectionArn(value: string): string | undefined {
  if (CONNECTION_ARN.test(value)) return undefined;
  return `"${value}" is not a connection ARN (arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID or arn:aws:codeconnections:...)`;
}

/** Region of a certificate or connection ARN already checked by the functions above. */
export function arnRegion(arn: string): string | undefined {
  return arn.split(":")[3];
}

const AZ_PATTERN = new RegExp(`^(${REGION})([a-z])$`);

/** Checks an availability zone name (a region followed by one letter, e.g. us-east-1a). */
export function checkAvailabilityZone(value: string): string | undefined {
  if (AZ_PATTERN.test(value)) return undefined;
  return `"${value}" is not an availability zone name (a region and one letter, e.g. us-east-1a)`;
}

/** Region an availability zone belongs to. */
export function azRegion(zone: string): string {
  return zone.slice(0, -1);
}

/** Checks an absolute URL path such as a health-check path. */
export function checkUrlPath(value: string): string | undefined {
  if (!value.startsWith("/")) return `"${value}" must start with "/"`;
  if (value.length > 1024) return `is ${value.length} characters; at most 1024`;
  if (/[^\x21-\x7e]/.test(value)) return `"${value}" must not contain spaces or non-ASCII characters`;
  return undefined;
}

/** Checks a container mount path. */
export function checkMountPath(value: string): string | undefined {
  if (!value.startsWith("/")) return `"${value}" must start with "/"`;
  if (value === "/") return `must not be "/" (the container's root)`;
  if (/\s/.test(value)) return `"${value}" must not contain spaces`;
  if (value.split("/").includes("..")) return `"${value}" must not contain ".."`;
  return undefined;
}

/** Checks a path relative to the repository root (Docker context, Dockerfile). */
export function checkRepoPath(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.startsWith("/")) return `"${value}" must be relative to the repository root, not start with "/"`;
  if (value.split("/").includes("..")) return `"${value}" must stay inside the repository (no "..")`;
  if (/\s/.test(value)) return `"${value}" must not contain spaces`;
  return undefined;
}

/** True when `value` is a whole number of tenths; compared in tenths, as 0.3 is not exactly 3 × 0.1 in binary. */
export function isTenths(value: number): boolean {
  const tenths = value * 10;
  return Math.abs(tenths - Math.round(tenths)) < 1e-6;
}

/**
 * Longest canary or linear rollout CloudFormation accepts, in minutes: it rejects one whose
 * computed time exceeds 33 hours (AWS::ECS::Service CanaryConfiguration and LinearConfiguration,
 * CloudFormation Template Reference).
 */
export const MAX_TRAFFIC_SHIFT_MINUTES = 33 * 60;

/**
 * The number of steps CloudFormation counts for a linear rollout's 33-hour limit
 * (AWS::ECS::Service LinearConfiguration): 100 ÷ StepPercent - 1 when StepPercent divides
 * 100 evenly, else floor(100 ÷ StepPercent); no step bake time after the last shift.
 */
export function linearDeploymentSteps(stepPercent: number): number {
  const tenths = Math.round(stepPercent * 10);
  return 1000 % tenths === 0 ? 1000 / tenths - 1 : Math.floor(1000 / tenths);
}

/** A registry base images come from, parsed from `pipeline.baseImageRegistries`. */
export type BaseImageRegistry =
  { kind: "ecr"; host: string; account: string; region: string; partition: string; repositoryPrefix?: string } | { kind: "public-ecr"; host: "public.ecr.aws" };

/** The host of Amazon ECR Public, whose login region is always us-east-1. */
export const PUBLIC_ECR_HOST = "public.ecr.aws";
// ECR's private registry host (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
const ECR_HOST = new RegExp(`^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.(${REGION})\\.amazonaws\\.com(\\.cn)?$`);
// ECR's repository name rule (CreateRepository: repositoryName).
const ECR_REPOSITORY_PATH = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** The partition of a region (the ARN prefix of its resources). */
export function partitionOfRegion(region: string, chinaHost = region.startsWith("cn-")): string {
  if (chinaHost) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Parses `ACCOUNT.dkr.ecr.REGION.amazonaws.com[/prefix]` or `public.ecr.aws`; a message when it is neither. */
export function parseBaseImageRegistry(value: string): BaseImageRegistry | string {
  if (value === PUBLIC_ECR_HOST) return { kind: "public-ecr", host: PUBLIC_ECR_HOST };
  const slash = value.indexOf("/");
  const host = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? undefined : value.slice(slash + 1).replace(/\/$/, "");
  const match = ECR_HOST.exec(host);
  if (!match) {
    return `"${value}" is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com, optionally /REPOSITORY-PREFIX) or public.ecr.aws; Docker Hub images come through dockerHubSecret or the mirror public.ecr.aws/docker/library/...`;
  }
  if (prefix !== undefined && !ECR_REPOSITORY_PATH.test(prefix)) {
    return `"${prefix}" in "${value}" is not an ECR repository name or prefix (lowercase letters, digits, ".", "_", "-", separated by "/")`;
  }
  const [, account = "", region = ""] = match;
  return { kind: "ecr", host, account, region, partition: partitionOfRegion(region, match[3] !== undefined), ...(prefix ? { repositoryPrefix: prefix } : {}) };
}

/** Checks a base image registry. */
export function checkBaseImageRegistry(value: string): string | undefined {
  const parsed = parseBaseImageRegistry(value);
  return typeof parsed === "string" ? parsed : undefined;
}

// Secrets Manager: names of 1-512 of these characters; ARNs secret:NAME-6 random characters
// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:(${REGION}):\\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$`);

/** True for a Secrets Manager ARN (a name otherwise). */
export function isSecretArn(value: string): boolean {
  return SECRET_ARN.test(value);
}

/** Checks a Secrets Manager secret reference: its ARN or its name. */
export function checkSecretReference(value: string): string | undefined {
  if (SECRET_ARN.test(value)) return undefined;
  if (!value.startsWith("arn:") && SECRET_NAME.test(value)) return undefined;
  return `"${value}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-abcdef) or name (letters, digits and /_+=.@-)`;
}

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks the name of a docker build argument. */
export function checkBuildArgName(value: string): string | undefined {
  if (BUILD_ARG_NAME.test(value)) return undefined;
  return `"${value}" is not a build argument name (letters, digits and "_", not starting with a digit)`;
}

/** Checks the value of a docker build argument: one line, since the build reads them line by line. */
export function checkBuildArgValue(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return "a build argument value must be one line";
  return undefined;
}
