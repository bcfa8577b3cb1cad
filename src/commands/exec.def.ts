/** The command line's `mlops exec`; the work is in exec.ts. */
import { PARAMS_ARGUMENT, type CommandDefinition } from "./definition.js";

/** `mlops exec <params> [-- command...]`. */
export const execCommand: CommandDefinition = {
  name: "exec",
  description: "a shell (or -- CMD) in a running container of the endpoint through ECS Exec, after checking every prerequisite",
  arguments: [PARAMS_ARGUMENT, { syntax: "[command...]", description: "command to run after -- (default: /bin/sh)" }],
  options: [{ flags: "--task <id>", description: "the task (its id or first characters, as mlops logs shows them); default: a running one" }],
  tutorialFlags: true,
  globals: ["region", "profile", "endpointUrl", "color"],
  examples: ["mlops exec params/ep-a.yaml", "mlops exec params/ep-a.yaml --task 0123abcd -- ls -la /app/weights"],
  clients: ["cloudFormation", "ecs", "iam"],
  run: async (input, deps) => ({ exitCode: (await (await import("./exec.js")).runExec(input, deps)).exitCode }),
};
