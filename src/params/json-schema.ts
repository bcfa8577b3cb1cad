/**
 * The parameter file as a JSON Schema (draft 2020-12), generated from the zod
 * schema that validates it, for editors: completion of keys, their
 * descriptions and defaults, and early marks on wrong values.
 *
 * zod turns the structure into JSON Schema itself (keys, nesting, tuples,
 * defaults, `additionalProperties: false`); the rules that zod only knows as
 * code (`rules.ts`, `fargate.ts`) are given here as patterns, ranges and
 * enums. They are a first check in the editor: the loader stays the judge,
 * and a test keeps the two in agreement on the limits.
 */
import { z } from "zod";
import { EC2_TASK_CPU, FARGATE_SIZES } from "./fargate.js";
import { RETENTION_DAYS, endpointFileSchema, paramDocs } from "./schema.js";

/** Where the shipped schema lives in the package. */
export const SCHEMA_FILE = "schema/params.schema.json";

/** Lowercase letters, digits, single hyphens, starting with a letter (`rules.ts` checkName). */
const NAME = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";
const CIDR = "^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}/([0-9]|[12][0-9]|3[0-2])$";
const REGION = "[a-z]{2}(-[a-z]+)+-[0-9]+";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const integer = (minimum: number, maximum: number) => ({ type: "integer", minimum, maximum });
const percent = { type: "number", minimum: 1, maximum: 100 };
const string = (pattern: string, extra: Record<string, unknown> = {}) => ({ type: "string", pattern, ...extra });
/** Every Fargate memory size, smallest and largest: the pairing with CPU is the loader's to check. */
const FARGATE_MEMORY = [...FARGATE_SIZES.values()].flat();
/** CPU as vCPUs or units in text (`parseCpu`, `parseInstanceCpu`). */
const CPU_TEXT = { type: "string", pattern: "^\\s*[0-9]+(\\.[0-9]+)?\\s*([vV][cC][pP][uU][sS]?)?\\s*$", examples: ["1 vCPU", "0.5 vCPU", "1024"] };
/** Memory with a unit in text (`parseMemory`). */
const MEMORY_TEXT = { type: "string", pattern: "^\\s*[0-9]+(\\.[0-9]+)?\\s*([mM][iI]?[bB]|[mM]|[gG][iI]?[bB]|[gG])?\\s*$", examples: ["2GB", "512MB", "2GiB"] };

/**
 * The task size per compute type: a `gpu` or `neuron` endpoint runs on EC2 instances (any CPU units
 * RegisterTaskDefinition accepts there, any memory, as `container.cpu` and `container.memory` above);
 * every other endpoint (`compute.type` absent or `fargate`) on Fargate, whose sizes these are.
 */
const TASK_SIZE_BY_COMPUTE = {
  if: { required: ["compute"], properties: { compute: { required: ["type"], properties: { type: { enum: ["gpu", "neuron"] } } } } },
  else: {
    properties: {
      container: {
        properties: {
          cpu: { anyOf: [{ enum: [...FARGATE_SIZES.keys()] }, CPU_TEXT] },
          memory: { anyOf: [{ type: "integer", minimum: Math.min(...FARGATE_MEMORY), maximum: Math.max(...FARGATE_MEMORY) }, MEMORY_TEXT] },
        },
      },
    },
  },
};

/**
 * What the JSON Schema says beyond zod's structure, by key path (`[]`: each item of a list).
 * Fargate sizes: `parseCpu` and `parseMemory` in `fargate.ts`.
 */
const CONSTRAINTS: Record<string, Record<string, unknown>> = {
  project: string(NAME, { maxLength: 32 }),
  environment: string(NAME, { maxLength: 32 }),
  base: string(NAME, { maxLength: 32 }),
  "network.vpcCidr": string(CIDR),
  "network.publicSubnets[]": string(CIDR),
  "network.privateSubnets[]": string(CIDR),
  "network.availabilityZones[]": string(`^${REGION}[a-z]$`),
  "network.allowedCidr": string(CIDR),
  "api.hostHeader": string(`^${LABEL}(\\.${LABEL})+$`, { maxLength: 128 }),
  "api.port": integer(1, 65535),
  "api.healthCheckPath": string("^/[\\x21-\\x7e]*$", { maxLength: 1024 }),
  "api.certificateArn": string(`^arn:aws(-[a-z]+)*:acm:${REGION}:[0-9]{12}:certificate/${UUID}$`),
  "api.listenerPriority": integer(1, 50000),
  "container.name": string("^[A-Za-z0-9_-]+$", { maxLength: 255 }),
  // Any size of either compute type; the file's top level narrows them to Fargate's unless `compute.type` is gpu or neuron.
  "container.cpu": { anyOf: [{ type: "integer", minimum: EC2_TASK_CPU.min, maximum: EC2_TASK_CPU.max }, CPU_TEXT] },
  "container.memory": { anyOf: [{ type: "integer", minimum: 1 }, MEMORY_TEXT] },
  "container.tag": { type: "string", pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$", maxLength: 128, not: { const: "latest" } },
  "scaling.desired": integer(0, 5000),
  "scaling.min": integer(0, 5000),
  "scaling.max": integer(1, 5000),
  "scaling.cpuTarget": percent,
  "scaling.memoryTarget": percent,
  "rollout.healthCheckIntervalSeconds": integer(5, 300),
  "rollout.healthCheckTimeoutSeconds": integer(2, 120),
  "rollout.healthyThresholdCount": integer(2, 10),
  "rollout.unhealthyThresholdCount": integer(2, 10),
  "rollout.deregistrationDelaySeconds": integer(0, 3600),
  "rollout.healthCheckGracePeriodSeconds": integer(0, 2147483647),
  "rollout.minimumHealthyPercent": integer(0, 100),
  "rollout.maximumPercent": integer(100, 200),
  "storage.assetsMountPath": string("^/[^\\s]+$"),
  "storage.weightsMountPath": string("^/[^\\s]+$"),
  "images.keep": integer(2, 10000),
  "logs.retentionDays": { type: "integer", enum: [...RETENTION_DAYS] },
  "pipeline.connectionArn": string(`^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):${REGION}:[0-9]{12}:connection/${UUID}$`),
  "pipeline.repository": string("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$"),
  "pipeline.branch": string("^[^\\s~^:?*\\[\\\\]+$"),
  "pipeline.dockerContext": string("^[^/\\s][^\\s]*$"),
  "pipeline.dockerfile": string("^[^/\\s][^\\s]*$"),
  "pipeline.dockerHubSecret": string(`^(arn:aws(-[a-z]+)*:secretsmanager:${REGION}:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}|[A-Za-z0-9/_+=.@-]{1,512})$`),
};

/** The key paths that carry constraints, for the test that keeps them on real keys. */
export const constrainedPaths: readonly string[] = Object.keys(CONSTRAINTS);

/** `["properties","network","properties","publicSubnets","prefixItems",0]` → `network.publicSubnets[]`. */
function keyPath(path: readonly (string | number)[]): string {
  let text = "";
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "properties" && i + 1 < path.length) text = text ? `${text}.${String(path[++i])}` : String(path[++i]);
    else if (path[i] === "prefixItems" || path[i] === "items") {
      text += "[]";
      if (path[i] === "prefixItems") i++;
    }
  }
  return text;
}

/** The JSON Schema of our parameter format. */
export function parameterJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(endpointFileSchema, {
    target: "draft-2020-12",
    // What users write (defaults make keys optional), not what the loader returns.
    io: "input",
    // Values parsed by code (Fargate sizes) come out as "anything" and get their constraints below.
    unrepresentable: "any",
    override(ctx) {
      const schema = ctx.jsonSchema as Record<string, unknown>;
      const doc = paramDocs.get(ctx.zodSchema as unknown as z.ZodType);
      if (doc) schema.description = doc.rule ? `${doc.description} Check: ${doc.rule}.` : doc.description;
      const constraint = CONSTRAINTS[keyPath(ctx.path)];
      // Only the outermost node of a key (the one with its default) is what editors show; inner nodes get the same, harmlessly.
      if (constraint) {
        if ("anyOf" in constraint || "enum" in constraint) delete schema.type;
        Object.assign(schema, constraint);
      }
    },
  }) as Record<string, unknown>;
  const properties = generated.properties as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    title: "mlops parameter file",
    description:
      "One endpoint in mlops's own parameter format (YAML or JSON). `mlops schema` prints this schema; the parameter reference in the README explains every key.",
    type: "object",
    // Editors may point a file at this schema with a `$schema` key; the loader ignores it.
    properties: { $schema: { type: "string", description: "The JSON Schema this file follows (for editors); ignored by mlops." }, ...properties },
    required: generated.required,
    // A base endpoint (no `base`) creates the network; an added one shares its base's network, load balancer and cluster.
    if: { required: ["base"] },
    then: {
      not: { required: ["network"] },
      properties: { monitoring: { properties: { vpcFlowLogs: false, loadBalancerAccessLogs: false, containerInsights: false } } },
    },
    else: { required: ["network"] },
    allOf: [TASK_SIZE_BY_COMPUTE],
    additionalProperties: false,
  };
}

/** The schema as the shipped file holds it: two-space JSON with a final newline. */
export function parameterJsonSchemaText(): string {
  return `${JSON.stringify(parameterJsonSchema(), null, 2)}\n`;
}
