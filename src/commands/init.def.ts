/** The command line's `mlops init`; the work is in init.ts. */
import { READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** Defaults of init's options. */
export const INIT_DEFAULTS = { environment: "prod" } as const;

/** `mlops init [file]`. */
export const initCommand: CommandDefinition = {
  name: "init",
  description:
    "write a commented parameter file for a new endpoint; asks at a terminal (zones and a free VPC block proposed from the account), takes flags elsewhere",
  arguments: [{ syntax: "[file]", description: "file to write (default: params/NAME.yaml)" }],
  options: [
    { flags: "--name <name>", description: "endpoint name (the file's project)" },
    { flags: "--host <host>", description: "host name the endpoint answers on" },
    {
      flags: "--base <name>",
      description: "write an added endpoint joining this base endpoint, by its project (ep-a) or as status lists it (ep-a-prod); no network of its own",
    },
    { flags: "--azs <zones>", description: "two availability zones, e.g. us-east-1a,us-east-1b (default: the first two open to the account)" },
    { flags: "--vpc-cidr <cidr>", description: "the VPC's address block (default: the first private /16 no VPC in the region overlaps)" },
    { flags: "--environment <name>", description: "environment name", default: INIT_DEFAULTS.environment },
    {
      flags: "--images <source>",
      description:
        "how images arrive: built by a pipeline from a GitHub branch, or pushed by hand (default: asked at a terminal; elsewhere push unless --connection-arn and --repository are given)",
      choices: ["pipeline", "push"],
    },
    { flags: "--connection-arn <arn>", description: "the pipeline's CodeStar connection to GitHub" },
    { flags: "--repository <owner/name>", description: "the GitHub repository the pipeline builds" },
    { flags: "--branch <branch>", description: "the branch the pipeline builds (default: main)" },
    { flags: "--force", description: "replace an existing file" },
    { flags: "--gpu", description: "write a GPU endpoint (ECS Managed Instances with an NVIDIA GPU) instead of a Fargate one" },
  ],
  globals: READING_GLOBALS,
  examples: [
    "mlops init                      # asks for the name, host, region and how images arrive",
    "mlops init params/ep-c.yaml --name ep-c --host ep-c.example.com --region eu-west-1 --connection-arn arn:aws:codeconnections:eu-west-1:123456789012:connection/ID --repository org/repo",
  ],
  clients: ["ec2", "cloudFormation"],
  // --region also tells init not to ask for a region.
  run: async (input, deps, globals) => {
    await (await import("./init.js")).runInit({ ...input, region: globals.region }, deps);
  },
};
