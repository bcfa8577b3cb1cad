/** The command line's `mlops diff`; the work is in diff.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** `mlops diff <params>`. */
export const diffCommand: CommandDefinition = {
  name: "diff",
  description: "show what create-endpoint, add-endpoint or update would change, property by property; changes nothing (exit 0: no changes, 3: changes)",
  arguments: [PARAMS_ARGUMENT],
  options: [
    { flags: "--tag <tag>", description: "image tag to compare with (default: the running one, or the file's container.tag)" },
    { flags: "--no-pipeline", description: "leave the pipeline out of the comparison" },
    { flags: "--no-dns", description: "leave the Route 53 records out of the comparison" },
  ],
  tutorialFlags: true,
  globals: READING_GLOBALS,
  examples: ["mlops diff params/ep-a.yaml --tag v2", "mlops diff params/ep-a.yaml || [ $? -eq 3 ] && echo 'changes to apply'"],
  clients: ["cloudFormation", "acm", "elb", "efs", "logs", "ec2", "ecr", "route53"],
  run: async (input, deps) => ({ exitCode: (await (await import("./diff.js")).runDiff(input, deps)).exitCode }),
};
