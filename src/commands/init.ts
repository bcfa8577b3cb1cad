/**
 * `mlops init [file]`: writes a commented parameter file for a new endpoint.
 * At a terminal it asks for the name, host and region, and proposes
 * availability zones and a VPC block read from the account; off a terminal
 * the same answers come from flags, and a missing one is bad input (exit 2).
 * An existing file is never overwritten without `--force`.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { readAccountNetwork, type AccountNetwork } from "../deploy/operations/account-network.js";
import { AwsError, InputError, type InputIssue } from "../errors.js";
import type { Prompter } from "../io/prompt.js";
import { packageFile } from "../package-files.js";
import { initFileText, overlappingBlocks, proposeVpcCidr, subnetsFor, type InitNetwork } from "../params/init-file.js";
import { SCHEMA_FILE } from "../params/json-schema.js";
import { loadEndpointConfig } from "../params/load.js";
import { azRegion, checkAvailabilityZone, checkHostName, checkName, MAX_ENDPOINT_ID_LENGTH } from "../params/rules.js";
import { parseOptions, type CommandDeps } from "./shared.js";

/** Options of `init`. */
export const initOptionsSchema = z.object({
  file: z.string().min(1).optional(),
  name: z.string().optional(),
  environment: z.string().default("prod"),
  host: z.string().optional(),
  region: z.string().optional(),
  azs: z.string().optional(),
  vpcCidr: z.string().optional(),
  base: z.string().optional(),
  force: z.boolean().default(false),
  gpu: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** What `init` wrote. */
export interface InitResult {
  file: string;
  endpoint: string;
  kind: "base" | "added";
  region?: string;
  availabilityZones?: string[];
  vpcCidr?: string;
}

const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** Runs init. */
export async function runInit(raw: unknown, deps: CommandDeps): Promise<InitResult> {
  const options = parseOptions(initOptionsSchema, raw);
  const prompter = deps.prompter;
  const region = options.region ?? deps.region;
  const added = options.base !== undefined;

  const flagIssues: InputIssue[] = [];
  const flag = (path: string, value: string | undefined, check: (v: string) => string | undefined) => {
    const problem = value === undefined ? undefined : check(value);
    if (problem) flagIssues.push({ path, message: problem });
  };
  flag("--name", options.name, checkName);
  flag("--environment", options.environment, checkName);
  flag("--host", options.host, checkHostName);
  flag("--base", options.base, (b) => checkName(b) ?? (b === options.name ? "must differ from --name (an added endpoint joins another one)" : undefined));
  flag("--region", region, checkRegion);
  flag("--vpc-cidr", options.vpcCidr, checkVpcCidr);
  flag("--azs", options.azs, (v) => checkZones(v, region));
  const missing: InputIssue[] = [];
  if (!prompter) {
    const required = (path: string, value: string | undefined, what: string) => {
      if (value === undefined) missing.push({ path, message: `required off a terminal (no one can answer the question about ${what})` });
    };
    required("--name", options.name, "the endpoint's name");
    required("--host", options.host, "the host name it answers on");
    if (!added && options.azs === undefined) required("--region", region, "the region whose availability zones it uses");
  }
  if (missing.length > 0) {
    throw new InputError([...missing, ...flagIssues], "Give them as flags, e.g. mlops init --name ep-c --host ep-c.example.com --region us-east-1, or run mlops init in a terminal to be asked.");
  }
  if (flagIssues.length > 0) throw new InputError(flagIssues);

  if (options.file) await refuseExisting(resolve(deps.cwd, options.file), options.file, options.force);
  const name = options.name ?? (await (prompter as Prompter).ask("Endpoint name (project)", { check: (v) => checkName(v) ?? idLength(v, options.environment) }));
  const fileArg = options.file ?? `params/${name}.yaml`;
  const file = resolve(deps.cwd, fileArg);
  if (!options.file) await refuseExisting(file, fileArg, options.force);
  const host = options.host ?? (await (prompter as Prompter).ask("Host name the endpoint answers on (e.g. api.example.com)", { check: checkHostName }));

  let network: InitNetwork | undefined;
  let chosenRegion = region;
  if (!added) {
    chosenRegion =
      prompter && options.region === undefined && options.azs === undefined
        ? await prompter.ask("AWS region", { proposal: region, check: checkRegion })
        : (region ?? azRegion((options.azs as string).split(",")[0]!.trim()));
    network = await chooseNetwork(options, chosenRegion, deps);
  }

  const text = initFileText({
    project: name,
    environment: options.environment,
    hostHeader: host.toLowerCase(),
    base: options.base,
    network,
    schemaReference: schemaReference(file),
    gpu: options.gpu,
  });
  try {
    await mkdir(dirname(file), { recursive: true });
    // `wx` fails if the file appeared meanwhile: an existing file is never overwritten without --force.
    await writeFile(file, text, { flag: options.force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") await refuseExisting(file, fileArg, false);
    throw new InputError([{ path: fileArg, message: `cannot write the file: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  // The file must be one mlops accepts: read it back with the loader every command uses.
  await loadEndpointConfig(file, { region: chosenRegion, regionSource: "--region" });

  const result: InitResult = {
    file: fileArg,
    endpoint: `${name}-${options.environment}`,
    kind: added ? "added" : "base",
    ...(network ? { region: chosenRegion, availabilityZones: network.availabilityZones, vpcCidr: network.vpcCidr } : {}),
  };
  const verb = added ? "add-endpoint" : "create-endpoint";
  deps.out.result(result, () =>
    [
      `Wrote ${fileArg}: ${added ? `added endpoint ${result.endpoint} on ${options.base}` : `base endpoint ${result.endpoint} in ${chosenRegion} (${network?.availabilityZones.join(", ")}; VPC ${network?.vpcCidr})`}.`,
      `Next: review it, then mlops ${verb} ${fileArg}${added || !chosenRegion ? "" : ` --region ${chosenRegion}`}`,
    ].join("\n"),
  );
  return result;
}

/** Zones and VPC block: from the flags, else proposed from the account (and, at a terminal, confirmed or changed). */
async function chooseNetwork(options: z.infer<typeof initOptionsSchema>, region: string | undefined, deps: CommandDeps): Promise<InitNetwork> {
  const prompter = deps.prompter;
  let account: AccountNetwork | undefined;
  if (options.azs === undefined || options.vpcCidr === undefined) {
    const aws = await deps.aws(region);
    account = await readAccountNetwork(aws.ec2);
    if (account.zones.length < 2) {
      throw new AwsError(`Region ${region} has ${account.zones.length} availability zone(s) open to this account; a base endpoint needs two.`, {
        hint: "Choose another region (--region), or opt in to more zones in the EC2 console.",
      });
    }
  }
  const zonesProposal = account?.zones.slice(0, 2).join(",");
  let azs = options.azs ?? (zonesProposal as string);
  if (prompter && options.azs === undefined) {
    prompter.note(`Availability zones open to this account in ${region}: ${account?.zones.join(", ")}`);
    azs = await prompter.ask("Two availability zones", { proposal: zonesProposal, check: (v) => checkZones(v, region, account?.zones) });
  } else if (account && options.azs !== undefined) {
    const unknown = splitList(options.azs).filter((z) => !account.zones.includes(z));
    if (unknown.length > 0) throw new InputError([{ path: "--azs", message: `${unknown.join(", ")} not open to this account in ${region}; open zones: ${account.zones.join(", ")}` }]);
  }

  let vpcCidr = options.vpcCidr;
  if (vpcCidr === undefined) {
    const proposal = proposeVpcCidr(account?.vpcBlocks ?? []);
    if (prompter) {
      if (account?.vpcBlocks.length) prompter.note(`VPC blocks already in ${region}: ${account.vpcBlocks.join(", ")}`);
      vpcCidr = await prompter.ask("VPC address block", { proposal, check: checkVpcCidr });
    } else {
      if (!proposal) throw new InputError([{ path: "--vpc-cidr", message: `every private /16 overlaps a VPC in ${region}; give a block` }]);
      vpcCidr = proposal;
    }
  }
  const overlapping = overlappingBlocks(vpcCidr, account?.vpcBlocks ?? []);
  if (overlapping.length > 0) deps.out.warn(`${vpcCidr} overlaps VPC block(s) ${overlapping.join(", ")} in ${region}: fine alone, but such VPCs cannot be peered or joined by a transit gateway.`);
  const subnets = subnetsFor(vpcCidr) as { publicSubnets: [string, string]; privateSubnets: [string, string] };
  const [first, second] = splitList(azs) as [string, string];
  return { vpcCidr, ...subnets, availabilityZones: [first, second] };
}

async function refuseExisting(file: string, shown: string, force: boolean): Promise<void> {
  if (force) return;
  try {
    await stat(file);
  } catch {
    return;
  }
  throw new InputError([{ path: shown, message: "already exists; init never overwrites a file" }], "Give another file name, or --force to replace it.");
}

/** Where editors find the schema: the installed package's copy, relative to the new file. */
function schemaReference(file: string): string {
  const schema = fileURLToPath(packageFile(SCHEMA_FILE));
  return relative(dirname(file), schema).split("\\").join("/");
}

function splitList(text: string): string[] {
  return text.split(/[,\s]+/).filter((item) => item !== "");
}

function checkRegion(value: string): string | undefined {
  return REGION_PATTERN.test(value) ? undefined : `"${value}" is not an AWS region name (e.g. us-east-1)`;
}

function checkVpcCidr(value: string): string | undefined {
  const subnets = subnetsFor(value);
  return "error" in subnets ? subnets.error : undefined;
}

function checkZones(value: string, region: string | undefined, open?: string[]): string | undefined {
  const zones = splitList(value);
  if (zones.length !== 2) return `give two availability zones separated by a comma (e.g. us-east-1a,us-east-1b), got ${zones.length}`;
  for (const zone of zones) {
    const problem = checkAvailabilityZone(zone);
    if (problem) return problem;
  }
  if (zones[0] === zones[1]) return "the two availability zones must differ";
  if (region && zones.some((z) => azRegion(z) !== region)) return `both zones must be in ${region}`;
  if (azRegion(zones[0] as string) !== azRegion(zones[1] as string)) return "both zones must be in one region";
  if (open && zones.some((z) => !open.includes(z))) return `choose among the zones open to this account: ${open.join(", ")}`;
  return undefined;
}

function idLength(name: string, environment: string): string | undefined {
  const id = `${name}-${environment}`;
  return id.length > MAX_ENDPOINT_ID_LENGTH ? `"${id}" (name-environment) is ${id.length} characters; at most ${MAX_ENDPOINT_ID_LENGTH}` : undefined;
}
