/** The command line's `mlops history`; the work is in history.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** `mlops history <params>`. */
export const historyCommand: CommandDefinition = {
  name: "history",
  description: "the endpoint's deployments, newest first: tag, start, duration, strategy and outcome (ECS's record)",
  arguments: [PARAMS_ARGUMENT],
  tutorialFlags: true,
  globals: READING_GLOBALS,
  examples: ["mlops history params/ep-a.yaml", "mlops history params/ep-a.yaml --json"],
  clients: ["cloudFormation", "ecs"],
  run: async (input, deps) => {
    await (await import("./history.js")).runHistory(input, deps);
  },
};
