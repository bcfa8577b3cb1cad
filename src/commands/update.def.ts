/** The command line's `mlops update`; the work is in update.ts. */
import { PARAMS_ARGUMENT, type CommandDefinition } from "./definition.js";

/** Defaults of update's options, in minutes. */
export const UPDATE_DEFAULTS = { rolloutTimeout: 15 } as const;

/** The AWS clients an update (or a rollback, an update to an earlier image) calls. */
export const UPDATE_CLIENTS = ["ssm", "cloudFormation", "ecr", "ecs", "elb", "logs", "cloudWatch", "route53"] as const;

/** `mlops update <params>`. */
export const updateCommand: CommandDefinition = {
  name: "update",
  description: "apply the parameter file's changes and roll out an image, after showing the plan; nothing to change is a no-op",
  arguments: [PARAMS_ARGUMENT],
  options: [
    {
      flags: "--tag [tag]",
      description:
        "image tag (default: tag-<git HEAD sha>, the pipeline's build of the checked-out commit, when it is in ECR, else the running image; --tag alone: that build, always)",
    },
    { flags: "--strategy <strategy>", description: "rolling, blue-green, canary or linear, for this rollout (default: the file's rollout.strategy)" },
    { flags: "--rollout-timeout <minutes>", description: "how long to wait for the rollout", default: UPDATE_DEFAULTS.rolloutTimeout },
    { flags: "--verbose", description: "the plan lists every resource of a stack it creates (default: counted by kind, IAM and security groups named)" },
  ],
  tutorialFlags: true,
  examples: [
    "mlops update params/ep-a.yaml --tag v2 --strategy canary",
    "mlops update params/ep-a.yaml          # config change: keeps the running image unless git HEAD's build is in ECR",
  ],
  clients: UPDATE_CLIENTS,
  run: async (input, deps) => {
    await (await import("./update.js")).runUpdate(input, deps);
  },
};
