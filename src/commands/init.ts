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
import { readAccountNetwork, readBaseEndpoints, type AccountNetwork } from "../deploy/operations/account-network.js";
import { AwsError, InputError, type InputIssue } from "../errors.js";
import { runnable } from "../io/invocation.js";
import type { Prompter } from "../io/prompt.js";
import { packageFile } from "../package-files.js";
import { regionProblem } from "../aws/regions.js";
import { emulatorPushCommand, FIRST_PUSHED_TAG } from "../deploy/steps/image.js";
import { initFileText, overlappingBlocks, proposeVpcCidr, subnetsFor, type InitNetwork, type InitPipeline } from "../params/init-file.js";
import { SCHEMA_FILE } from "../params/json-schema.js";
import { loadEndpointConfig } from "../params/load.js";
import {
  azRegion,
  checkAvailabilityZone,
  checkBranch,
  checkConnectionArn,
  checkHostName,
  checkName,
  checkRepository,
  MAX_ENDPOINT_ID_LENGTH,
} from "../params/rules.js";
import { INIT_DEFAULTS } from "./init.def.js";
import { parseOptions, type CommandDeps } from "./shared.js";

/** Options of `init`. */
export const initOptionsSchema = z.object({
  file: z.string().min(1).optional(),
  name: z.string().optional(),
  environment: z.string().default(INIT_DEFAULTS.environment),
  host: z.string().optional(),
  region: z.string().optional(),
  azs: z.string().optional(),
  vpcCidr: z.string().optional(),
  base: z.string().optional(),
  /** How images arrive: built by a pipeline, or pushed by hand. */
  images: z.enum(["pipeline", "push"]).optional(),
  connectionArn: z.string().optional(),
  repository: z.string().optional(),
  branch: z.string().optional(),
  force: z.boolean().default(false),
  gpu: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** What `init` wrote. */
export interface InitResult {
  file: string;
  endpoint: string;
  kind: "base" | "added";
  /** How images arrive: a pipeline builds them, or they are pushed by hand. */
  images: "pipeline" | "push";
  region?: string;
  availabilityZones?: string[];
  vpcCidr?: string;
}

/** Options after parsing. */
type InitOptions = z.infer<typeof initOptionsSchema>;

/** The answers gathered from flags and questions, from which the file is written. */
interface Gathered {
  name: string;
  file: string;
  fileArg: string;
  host: string;
  region?: string;
  network?: InitNetwork;
  pipeline?: InitPipeline;
}

/** Runs init. */
export async function runInit(raw: unknown, deps: CommandDeps): Promise<InitResult> {
  const parsed = parseOptions(initOptionsSchema, raw);
  const options = { ...parsed, base: baseProject(parsed.base, parsed.environment) };
  checkFlags(options, deps);
  const answers = await gatherAnswers(options, deps);
  const text = initFileText({
    project: answers.name,
    environment: options.environment,
    hostHeader: answers.host.toLowerCase(),
    base: options.base,
    network: answers.network,
    pipeline: answers.pipeline,
    schemaReference: schemaReference(answers.file),
    gpu: options.gpu,
  });
  await writeNewFile(answers.file, answers.fileArg, text, options.force);
  // The file must be one mlops accepts: read it back with the loader every command uses.
  await loadEndpointConfig(answers.file, { region: answers.region, regionSource: "--region" });

  const network = answers.network;
  const result: InitResult = {
    file: answers.fileArg,
    endpoint: `${answers.name}-${options.environment}`,
    kind: options.base !== undefined ? "added" : "base",
    images: answers.pipeline ? "pipeline" : "push",
    ...(network ? { region: answers.region, availabilityZones: network.availabilityZones, vpcCidr: network.vpcCidr } : {}),
  };
  deps.out.result(result, () => nextSteps(result, answers, options, deps).join("\n"));
  return result;
}

/**
 * The file's `base` is the base endpoint's project, but `status` lists endpoints as `project-environment`
 * (`ep-a-prod`): a --base naming the endpoint that way means its project, or add-endpoint would look for `ep-a-prod-prod`.
 */
function baseProject(base: string | undefined, environment: string): string | undefined {
  const suffix = `-${environment}`;
  return base !== undefined && base.length > suffix.length && base.endsWith(suffix) ? base.slice(0, -suffix.length) : base;
}

/** Refuses bad flags, and off a terminal missing ones, before any question or AWS call. */
function checkFlags(options: InitOptions, deps: CommandDeps): void {
  const region = options.region ?? deps.region;
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
  flag("--connection-arn", options.connectionArn, checkConnectionArn);
  flag("--repository", options.repository, checkRepository);
  flag("--branch", options.branch, checkBranch);
  const pipelineFlags = options.connectionArn !== undefined || options.repository !== undefined;
  if (options.images === "push" && pipelineFlags)
    flagIssues.push({ path: "--images", message: "push means no pipeline: leave out --connection-arn and --repository, or say --images pipeline" });
  const missing: InputIssue[] = [];
  const required = (path: string, value: string | undefined, what: string) => {
    if (value === undefined) missing.push({ path, message: `required off a terminal (no one can answer the question about ${what})` });
  };
  if (!deps.prompter) {
    required("--name", options.name, "the endpoint's name");
    required("--host", options.host, "the host name it answers on");
    if (options.base === undefined && options.azs === undefined) required("--region", region, "the region whose availability zones it uses");
  }
  if (!deps.prompter && (options.images === "pipeline" || pipelineFlags)) {
    // Half a pipeline is no pipeline: both where to build from and through which connection.
    required("--connection-arn", options.connectionArn, "the CodeStar connection to GitHub");
    required("--repository", options.repository, "the GitHub repository to build");
  }
  if (missing.length > 0) {
    throw new InputError(
      [...missing, ...flagIssues],
      `Give them as flags, e.g. ${runnable("mlops init --name ep-c --host ep-c.example.com --region us-east-1", deps.invocation)}, or run ${runnable("mlops init", deps.invocation)} in a terminal to be asked.`,
    );
  }
  if (flagIssues.length > 0) throw new InputError(flagIssues);
}

/** The name, file, host, region, network and image source: from the flags, else asked at the terminal. */
async function gatherAnswers(options: InitOptions, deps: CommandDeps): Promise<Gathered> {
  const prompter = deps.prompter;
  const region = options.region ?? deps.region;
  if (options.file) await refuseExisting(resolve(deps.cwd, options.file), options.file, options.force);
  const name =
    options.name ?? (await (prompter as Prompter).ask("Endpoint name (project)", { check: (v) => checkName(v) ?? idLength(v, options.environment) }));
  const fileArg = options.file ?? `params/${name}.yaml`;
  const file = resolve(deps.cwd, fileArg);
  if (!options.file) await refuseExisting(file, fileArg, options.force);
  const host = options.host ?? (await (prompter as Prompter).ask("Host name the endpoint answers on (e.g. api.example.com)", { check: checkHostName }));

  let network: InitNetwork | undefined;
  let chosenRegion = region;
  if (options.base === undefined) {
    chosenRegion =
      prompter && options.region === undefined && options.azs === undefined
        ? await prompter.ask("AWS region", { proposal: region, check: checkRegion })
        : (region ?? azRegion((options.azs as string).split(",")[0]!.trim()));
    network = await chooseNetwork(options, chosenRegion, deps, name);
  }
  const pipeline = await choosePipeline(options, prompter);
  return { name, file, fileArg, host, region: chosenRegion, network, pipeline };
}

/**
 * How images arrive: a pipeline building a GitHub branch (from the flags, or asked), or pushed by hand.
 * Off a terminal, no pipeline flag means pushed by hand.
 */
async function choosePipeline(options: InitOptions, prompter: Prompter | undefined): Promise<InitPipeline | undefined> {
  const given = options.connectionArn !== undefined || options.repository !== undefined;
  let images = options.images ?? (given ? "pipeline" : undefined);
  if (images === undefined && prompter) {
    prompter.note(
      "Images: a pipeline (CodePipeline + CodeBuild) can build one on every push to a GitHub branch, through a CodeStar connection; or you build and push them yourself (docker push).",
    );
    images = (await prompter.ask("How do images arrive: pipeline or push", {
      proposal: "push",
      check: (v) => (v === "pipeline" || v === "push" ? undefined : 'answer "pipeline" or "push"'),
    })) as "pipeline" | "push";
  }
  if (images !== "pipeline") return undefined;
  const ask = (question: string, check: (v: string) => string | undefined, proposal?: string) =>
    (prompter as Prompter).ask(question, { check, ...(proposal ? { proposal } : {}) });
  return {
    connectionArn: options.connectionArn ?? (await ask("CodeStar connection ARN (Developer Tools console > Settings > Connections)", checkConnectionArn)),
    repository: options.repository ?? (await ask("GitHub repository (owner/name)", checkRepository)),
    branch: options.branch ?? (prompter && !given ? await ask("Branch to build", checkBranch, "main") : "main"),
  };
}

/** Writes the file; never overwrites one without --force, even one that appeared meanwhile. */
async function writeNewFile(file: string, fileArg: string, text: string, force: boolean): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    // `wx` fails if the file appeared meanwhile: an existing file is never overwritten without --force.
    await writeFile(file, text, { flag: force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") await refuseExisting(file, fileArg, false);
    throw new InputError([{ path: fileArg, message: `cannot write the file: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

/** What was written, and the commands that take the new file to a running endpoint. */
function nextSteps(result: InitResult, answers: Gathered, options: InitOptions, deps: CommandDeps): string[] {
  const added = result.kind === "added";
  const n = answers.network;
  const command = `${deps.invocation ?? "mlops"} ${added ? "add-endpoint" : "create-endpoint"} ${answers.fileArg}${added || !answers.region ? "" : ` --region ${answers.region}`}`;
  const lines = [
    `Wrote ${answers.fileArg}: ${added ? `added endpoint ${result.endpoint} on ${options.base}-${options.environment}` : `base endpoint ${result.endpoint} in ${answers.region} (${n?.availabilityZones.join(", ")}; VPC ${n?.vpcCidr})`}.`,
    `Next: review it, then ${command}`,
  ];
  if (answers.pipeline) {
    lines.push(
      `  It creates the pipeline, which builds the image from ${answers.pipeline.repository}@${answers.pipeline.branch} (a Dockerfile at the repository's root), and deploys it.`,
      "  A new connection waits for its handshake: the command says so and waits while you complete it in the console (Developer Tools > Settings > Connections).",
    );
    return lines;
  }
  lines.push(
    `  It creates the stack and the ECR repository ${result.endpoint} with no tasks, then waits for the first image, tag ${FIRST_PUSHED_TAG}, printing the commands that push it.`,
    deps.endpointUrl
      ? `  In another terminal, push it to the emulator: ${emulatorPushCommand(result.endpoint, FIRST_PUSHED_TAG, deps.endpointUrl)}`
      : `  In another terminal, from your image's folder (its Dockerfile): docker build -t ${result.endpoint}:${FIRST_PUSHED_TAG} . then the docker login, tag and push commands it prints.`,
  );
  return lines;
}

/** Zones and VPC block: from the flags, else proposed from the account (and, at a terminal, confirmed or changed). */
async function chooseNetwork(options: InitOptions, region: string | undefined, deps: CommandDeps, name: string): Promise<InitNetwork> {
  const prompter = deps.prompter;
  let account: AccountNetwork | undefined;
  if (options.azs === undefined || options.vpcCidr === undefined) {
    const aws = await deps.aws(region);
    // At a terminal, the bases already there are named: a new base pays for a network and load balancer of its own.
    const [network, bases] = await Promise.all([readAccountNetwork(aws.ec2), prompter ? readBaseEndpoints(aws.cloudFormation) : []]);
    account = network;
    if (bases.length > 0) {
      const first = bases[0] as { endpoint: string; project?: string };
      prompter?.note(
        `Base endpoints already in ${region}: ${bases.map((b) => b.endpoint).join(", ")}. This writes a new base (its own VPC, NAT gateway and load balancer); to add ${name} to one instead, sharing them: ${runnable(`mlops init --base ${first.project ?? first.endpoint}`, deps.invocation)}`,
      );
    }
    if (account.zones.length < 2) {
      throw new AwsError(`Region ${region} has ${account.zones.length} availability zone(s) open to this account; a base endpoint needs two.`, {
        hint: "Choose another region (--region), or opt in to more zones in the EC2 console.",
      });
    }
  }
  const zonesProposal = account?.zones.slice(0, 2).join(",");
  // Without --azs the account was read above, and it has at least two zones.
  let azs: string = options.azs ?? (zonesProposal as string);
  if (prompter && options.azs === undefined) {
    prompter.note(`Availability zones open to this account in ${region}: ${account?.zones.join(", ")}`);
    azs = await prompter.ask("Two availability zones", { proposal: zonesProposal, check: (v) => checkZones(v, region, account?.zones) });
  } else if (account && options.azs !== undefined) {
    const unknown = splitList(options.azs).filter((z) => !account.zones.includes(z));
    if (unknown.length > 0)
      throw new InputError([
        { path: "--azs", message: `${unknown.join(", ")} not open to this account in ${region}; open zones: ${account.zones.join(", ")}` },
      ]);
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
  if (overlapping.length > 0)
    deps.out.warn(
      `${vpcCidr} overlaps VPC block(s) ${overlapping.join(", ")} in ${region}: fine alone, but such VPCs cannot be peered or joined by a transit gateway.`,
    );
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
  return regionProblem(value);
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
