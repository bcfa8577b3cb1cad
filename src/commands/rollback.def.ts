/** The command line's `mlops rollback`; the work is in rollback.ts. */
import { PARAMS_ARGUMENT, type CommandDefinition } from "./definition.js";
import { UPDATE_CLIENTS } from "./update.def.js";

/** Defaults of rollback's options, in minutes. */
export const ROLLBACK_DEFAULTS = { rolloutTimeout: 15 } as const;

/** `mlops rollback <params>`. */
export const rollbackCommand: CommandDefinition = {
  name: "rollback",
  description: "roll the endpoint back to the image of its last successful deployment (or --to TAG), after showing the plan",
  arguments: [PARAMS_ARGUMENT],
  options: [
    { flags: "--to <tag>", description: "image tag to go back to (default: the last successful deployment's before the running one)" },
    { flags: "--strategy <strategy>", description: "rolling, blue-green, canary or linear, for this rollout (default: the file's rollout.strategy)" },
    { flags: "--rollout-timeout <minutes>", description: "how long to wait for the rollout", default: ROLLBACK_DEFAULTS.rolloutTimeout },
  ],
  tutorialFlags: true,
  examples: ["mlops rollback params/ep-a.yaml", "mlops rollback params/ep-a.yaml --to v1 --strategy blue-green --yes"],
  clients: UPDATE_CLIENTS,
  run: async (input, deps) => {
    await (await import("./rollback.js")).runRollback(input, deps);
  },
};
