/** The command line's `mlops status`; the work is in status.ts. */
import { READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** `mlops status [name]`. */
export const statusCommand: CommandDefinition = {
  name: "status",
  description:
    "every endpoint mlops manages in the account and region (or one), and the data teardowns kept; exits 0 whenever the account can be read, listing each broken endpoint's problems under the table (`problems` and `healthy` with --json)",
  arguments: [{ syntax: "[name]", description: "one endpoint: its project (ep-a) or project-environment (ep-a-prod)" }],
  globals: READING_GLOBALS,
  examples: ["mlops status", "mlops status ep-a --json"],
  clients: ["cloudFormation", "ecs", "elb", "ecr", "codePipeline", "efs", "logs", "acm", "s3", "route53", "cloudWatch"],
  run: async (input, deps) => {
    await (await import("./status.js")).runStatus(input, deps);
  },
};
