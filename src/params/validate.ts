/**
 * Validation of an object in our format: the zod schema for each field, the
 * cross-field checks for the rest, and readable messages for both.
 */
import { z } from "zod";
import { crossCheck, type DeepPartial, type FieldIssue, type FieldNamer } from "./checks.js";
import type { EndpointConfig, ParamOverrides } from "./model.js";
import { endpointFileSchema, endpointFileSchemaFor, objectSchemaAt, schemaPaths, unwrapSchema, type EndpointFile } from "./schema.js";
import { GPU_GRACE_PERIOD_SECONDS, gpuRolloutLimits } from "./gpu-instances.js";
import { nearest, optionInstead } from "./suggest.js";
import { TUTORIAL_PARAMETERS } from "./tutorial-keys.js";

/** True for `{...}` values (not lists, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes a value for messages ("the number 8000", "a list"). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? `the text "${value}"` : `"${value}"`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a mapping of keys";
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping of keys",
  tuple: "a list",
  array: "a list",
};

/** For text where a list belongs: the same items written as a YAML list, both ways. */
function listFormHint(text: string): string {
  const items = text.split(/[,\s]+/).filter((item) => item !== "");
  if (items.length < 2) return '; write a list: [item, item] or one "- item" line per item';
  return `; write it as a list: [${items.join(", ")}], or one line per item:\n${items.map((item) => `      - ${item}`).join("\n")}`;
}

/** Messages for zod's own issues (types, list lengths); our checks carry their own messages. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "required";
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    let hint = "";
    if (issue.expected === "string" && (typeof issue.input === "number" || typeof issue.input === "boolean")) hint = " (put it in quotes)";
    if (issue.expected === "number" && typeof issue.input === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(issue.input)) {
      hint = " (remove the quotes)";
    }
    if ((issue.expected === "tuple" || issue.expected === "array") && typeof issue.input === "string") hint = listFormHint(issue.input);
    return `expected ${expected}, got ${describeValue(issue.input)}${hint}`;
  }
  if ((issue.code === "too_small" || issue.code === "too_big") && issue.origin === "array") {
    const count = issue.code === "too_small" ? issue.minimum : issue.maximum;
    const got = Array.isArray(issue.input) ? issue.input.length : "another number of";
    return `expected exactly ${String(count)} entries, got ${got}`;
  }
  return undefined;
};

/** `["network", "publicSubnets", 0]` → `network.publicSubnets[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === "number") return `${text}[${segment}]`;
    return text === "" ? String(segment) : `${text}.${String(segment)}`;
  }, "");
}

/** The message for a key the schema does not know, with the most likely intended key. */
function unknownKeyMessage(key: string, objectPath: readonly PropertyKey[]): string {
  const object = objectSchemaAt(endpointFileSchema, objectPath);
  const known = object === undefined ? [] : Object.keys(object.shape);
  const close = nearest(key, known);
  if (close !== undefined) return `unknown key; did you mean "${close}"?`;
  const option = optionInstead(key);
  if (option !== undefined) {
    // `tag` is also a key of the container section.
    const field = schemaPaths().find(({ path }) => path.split(".").pop()?.toLowerCase() === key.toLowerCase());
    if (field !== undefined) return `unknown key here; write ${field.path} in the file, or ${option} on the command line`;
    return `unknown key; "${key}" is a command-line option, not a parameter: ${option} and remove it from the file`;
  }

  const prefix = formatPath(objectPath);
  const relative = (path: string): string => (prefix !== "" && path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1) : path);
  const tutorial = TUTORIAL_PARAMETERS.find((parameter) => parameter.key.toLowerCase() === key.toLowerCase());
  if (tutorial !== undefined) {
    const written = tutorial.paths.map(relative).join(" and ");
    return `unknown key; "${key}" is the CloudFormation-format name: in this format write ${written}`;
  }
  // A key from another section (port at the top instead of under api) is a common slip.
  const elsewhere = schemaPaths().find(({ path }) => path.split(".").pop()?.toLowerCase() === key.toLowerCase());
  if (elsewhere !== undefined) return `unknown key here; did you mean "${elsewhere.path}"?`;
  return `unknown key; the keys here are ${known.join(", ")}`;
}

/** Turns zod issues into field issues, one per unknown key. */
function fieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: unknownKeyMessage(key, issue.path) }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/** Validates each field on its own and keeps the valid ones, so cross-field checks can run despite other errors. */
function partialParse(schema: z.ZodType, value: unknown): unknown {
  const inner = unwrapSchema(schema);
  if (inner instanceof z.ZodObject) {
    let given = value;
    if (given === undefined) {
      // A section with defaults still has values to check when it is left out.
      if (!(schema instanceof z.ZodPrefault) && !(schema instanceof z.ZodDefault)) return undefined;
      given = {};
    }
    if (!isPlainObject(given)) return undefined;
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries<z.ZodType>(inner.shape)) {
      const parsed = partialParse(child, given[key]);
      if (parsed !== undefined) result[key] = parsed;
    }
    return result;
  }
  if (inner instanceof z.ZodTuple && Array.isArray(value)) {
    const items = inner.def.items as readonly z.ZodType[];
    if (value.length !== items.length) return undefined;
    return items.map((item, index) => {
      const parsed = item.safeParse(value[index]);
      return parsed.success ? parsed.data : undefined;
    });
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Reads a dotted path from a raw object. */
function valueAt(raw: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((current, key) => (isPlainObject(current) ? current[key] : undefined), raw);
}

/** The sections (`""` for the top level) that hold a key the schema does not know; a command-line option written as a key stands for no field. */
function sectionsWithUnknownKeys(issues: readonly z.core.$ZodIssue[]): Set<string> {
  const misspelt = issues.filter((issue) => issue.code === "unrecognized_keys" && issue.keys.some((key) => optionInstead(key) === undefined));
  return new Set(misspelt.map((issue) => formatPath(issue.path)));
}

/** The section of a dotted path: `scaling.min` → `scaling`, `project` → `""`. */
function sectionOf(path: string): string {
  return path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
}

/**
 * Validates an object in our format: every problem, field checks and
 * cross-field checks alike. `doubtful` names absent fields the user may have
 * meant to give (the caller knows of values it could not take); a misspelt key
 * makes its siblings doubtful too.
 */
export function validateEndpointObject(
  raw: Record<string, unknown>,
  name: FieldNamer,
  overrides: ParamOverrides = {},
  doubtful: (path: string) => boolean = () => false,
): { file: EndpointFile; issues: [] } | { file?: undefined; issues: FieldIssue[] } {
  // A GPU or Neuron endpoint's task runs on EC2 instances: its CPU is not held to Fargate's sizes.
  const schema = endpointFileSchemaFor(raw);
  const parsed = schema.safeParse(raw, { error: errorMap });
  const issues = parsed.success ? [] : fieldIssues(parsed.error.issues);
  const partial = (parsed.success ? parsed.data : partialParse(schema, raw)) as DeepPartial<EndpointFile>;
  const unknownIn = parsed.success ? new Set<string>() : sectionsWithUnknownKeys(parsed.error.issues);
  const unsure = (path: string) => doubtful(path) || unknownIn.has(sectionOf(path));
  issues.push(...crossCheck(partial, (path) => valueAt(raw, path) !== undefined, name, overrides, unsure));
  if (parsed.success && issues.length === 0) {
    // A GPU or Neuron endpoint loads a large model: its grace period defaults to minutes.
    const gpu = parsed.data.compute.type !== "fargate" && valueAt(raw, "rollout.healthCheckGracePeriodSeconds") === undefined;
    if (gpu) parsed.data.rollout.healthCheckGracePeriodSeconds = GPU_GRACE_PERIOD_SECONDS;
    // Every extra task of a GPU rollout is an extra instance: replace tasks in place where a task keeps serving.
    // Rolling updates only: the two limits are documented for the rolling update; a blue/green-family
    // rollout starts a whole second revision whatever they say (API_DeploymentConfiguration, ECS API Reference).
    const unset = valueAt(raw, "rollout.maximumPercent") === undefined && valueAt(raw, "rollout.minimumHealthyPercent") === undefined;
    const rolling = parsed.data.rollout.strategy === "rolling";
    if (parsed.data.compute.type !== "fargate" && unset && rolling) Object.assign(parsed.data.rollout, gpuRolloutLimits(parsed.data.scaling.min));
    return { file: parsed.data, issues: [] };
  }
  return { issues };
}

/** Builds the normalized endpoint from a validated file. */
export function toEndpointConfig(file: EndpointFile, source: string, format: EndpointConfig["format"]): EndpointConfig {
  const { api, container, network, pipeline } = file;
  const config: EndpointConfig = {
    source,
    format,
    kind: file.base === undefined ? "base" : "added",
    project: file.project,
    environment: file.environment,
    api: {
      hostHeader: api.hostHeader,
      port: api.port,
      healthCheckPath: api.healthCheckPath,
      ...(api.certificateArn === undefined ? {} : { certificateArn: api.certificateArn }),
      ...(api.listenerPriority === undefined ? {} : { listenerPriority: api.listenerPriority }),
      ...(api.idleTimeoutSeconds === undefined ? {} : { idleTimeoutSeconds: api.idleTimeoutSeconds }),
    },
    container: {
      name: container.name ?? file.project,
      cpu: container.cpu,
      memoryMiB: container.memory,
      ...(container.tag === undefined ? {} : { tag: container.tag }),
    },
    scaling: { ...file.scaling },
    rollout: { ...file.rollout },
    alarms: { ...file.alarms },
    storage: { ...file.storage },
    logRetentionDays: file.logs.retentionDays,
    imagesToKeep: file.images.keep,
    monitoring: { ...file.monitoring },
  };
  if (file.base !== undefined) config.baseProject = file.base;
  if (network !== undefined) {
    config.network = {
      vpcCidr: network.vpcCidr,
      publicSubnets: [...network.publicSubnets],
      privateSubnets: [...network.privateSubnets],
      availabilityZones: [...network.availabilityZones],
      allowedCidr: network.allowedCidr,
    };
  }
  if (pipeline !== undefined) config.pipeline = { ...pipeline };
  const compute = file.compute;
  if (compute.type !== "fargate") {
    config.compute = {
      type: compute.type,
      gpus: compute.gpus,
      ...(compute.instanceTypes === undefined ? {} : { instanceTypes: [...compute.instanceTypes] }),
      ...(compute.instanceRequirements === undefined ? {} : { instanceRequirements: { ...compute.instanceRequirements } }),
      spot: compute.spot,
      rootVolumeGiB: compute.rootVolumeGiB,
    };
  }
  return config;
}
