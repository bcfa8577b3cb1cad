/**
 * `mlops test <params> [--path P]`: a real HTTPS request to the endpoint,
 * with its status code and latency; exit 1 with what to check when it fails.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { testEndpoint, type EndpointTestResult } from "../deploy/operations/request-test.js";
import { AwsError, InputError } from "../errors.js";
import { timingLine } from "../deploy/steps/request.js";
import { deployContext, globalOptionsSchema, loadConfig, paramOverridesSchema, parseOptions, type CommandDeps } from "./shared.js";
import { TEST_DEFAULTS } from "./test.def.js";

/** `HOST:PORT`, `[IPv6]:PORT`. */
const connectToPattern = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/;

/** Options of test. */
export const testOptionsSchema = globalOptionsSchema.merge(paramOverridesSchema).extend({
  params: z.string().min(1),
  path: z.string().startsWith("/", "a path starts with /").optional(),
  connectTo: z
    .string()
    .regex(connectToPattern, "HOST:PORT, e.g. 127.0.0.1:8443")
    .refine((v) => Number(connectToPattern.exec(v)?.[3]) >= 1 && Number(connectToPattern.exec(v)?.[3]) <= 65535, "the port is 1-65535")
    .optional(),
  caBundle: z.string().min(1).optional(),
  timeout: z.coerce.number().positive().max(300).default(TEST_DEFAULTS.timeout),
});

/** Runs test. */
export async function runTest(raw: unknown, deps: CommandDeps): Promise<EndpointTestResult> {
  const options = parseOptions(testOptionsSchema, raw);
  const config = await loadConfig(options.params, options, deps);
  let extraCa: string | undefined;
  if (options.caBundle) {
    try {
      extraCa = await readFile(options.caBundle, "utf8");
    } catch (error) {
      throw new InputError([{ path: "--ca-bundle", message: `cannot read ${options.caBundle}: ${(error as Error).message}` }]);
    }
    if (!extraCa.includes("-----BEGIN CERTIFICATE-----"))
      throw new InputError([{ path: "--ca-bundle", message: `${options.caBundle} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` }]);
  }
  const match = options.connectTo ? connectToPattern.exec(options.connectTo) : null;
  const connectTo = match ? { host: match[1] ?? match[2]!, port: Number(match[3]) } : undefined;
  const ctx = await deployContext(deps, options);
  const result = await testEndpoint(config, { path: options.path, connectTo, extraCa, timeoutMs: options.timeout * 1000 }, ctx);
  deps.out.result(
    result,
    () => `${result.url}: ${result.outcome.kind === "response" ? result.outcome.status : result.outcome.kind} (${timingLine(result.outcome.timings)})`,
  );
  // Printed first (with --json, the result on stdout), then exit 1 with what to check.
  if (!result.ok) throw new AwsError(result.problem ?? "The request failed.", { hint: result.hint });
  return result;
}
