/** The command line's `mlops weights push|schedule|rollback|restart|ls`; the work is in weights.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** Defaults of the weights commands' options (timeouts in minutes). */
export const WEIGHTS_DEFAULTS = { pushTimeout: 60, rollbackTimeout: 15, lsTimeout: 15, lsPath: "" } as const;

/** The AWS clients the weights commands call. */
const WEIGHTS_CLIENTS = ["ssm", "cloudFormation", "s3", "ecs", "logs"] as const;

/** `mlops weights push|schedule|rollback|restart|ls`. */
export const weightsCommand: CommandDefinition = {
  name: "weights",
  description: "model weights onto the endpoint's EFS volume by a one-off Fargate task (no bastion), on a schedule, and a listing of the volume",
  examples: ["mlops weights push params/ep-a.yaml ./weights", 'mlops weights push params/ep-a.yaml s3://my-models/llm/ --schedule "rate(3 minutes)"'],
  subcommands: [
    {
      name: "push",
      description:
        "sync s3://bucket/prefix/ (or a local folder, uploaded first) into a new version on the weights volume and switch `current` to it once complete; streams the task's log lines",
      arguments: [PARAMS_ARGUMENT, { syntax: "<source>", description: "s3://bucket/prefix/ or a local folder" }],
      options: [
        { flags: "--delete", description: "also delete files on the volume that are not in the source" },
        { flags: "--schedule <expression>", description: "repeat the sync from S3: rate(3 minutes), cron(0 3 * * ? *) or at(2030-01-01T00:00:00)" },
        { flags: "--restart", description: "then start a new deployment, so that running tasks load the new weights now (otherwise at their next start)" },
        { flags: "--timeout <minutes>", description: "how long to wait for the sync task", default: WEIGHTS_DEFAULTS.pushTimeout },
      ],
      tutorialFlags: true,
      examples: [
        "mlops weights push params/ep-a.yaml ./weights --delete --restart",
        'mlops weights push params/ep-a.yaml s3://my-models/llm/ --schedule "rate(3 minutes)"',
      ],
      clients: WEIGHTS_CLIENTS,
      run: async (input, deps) => {
        await (await import("./weights.js")).runWeightsPush(input, deps);
      },
    },
    {
      name: "schedule",
      description: "set the schedule that repeats the sync from the endpoint's S3 source, or remove it (--off)",
      arguments: [PARAMS_ARGUMENT, { syntax: "[expression]", description: "rate(...), cron(...) or at(...)" }],
      options: [{ flags: "--off", description: "remove the schedule" }],
      tutorialFlags: true,
      examples: ['mlops weights schedule params/ep-a.yaml "cron(0 3 * * ? *)"', "mlops weights schedule params/ep-a.yaml --off"],
      clients: WEIGHTS_CLIENTS,
      run: async (input, deps) => {
        await (await import("./weights.js")).runWeightsSchedule(input, deps);
      },
    },
    {
      name: "rollback",
      description: "switch the weights back to the version before the last push (again: forward), by the same one-off task",
      arguments: [PARAMS_ARGUMENT],
      options: [
        { flags: "--restart", description: "then start a new deployment, so that running tasks load those weights now" },
        { flags: "--timeout <minutes>", description: "how long to wait for the task", default: WEIGHTS_DEFAULTS.rollbackTimeout },
      ],
      tutorialFlags: true,
      examples: ["mlops weights rollback params/ep-a.yaml", "mlops weights rollback params/ep-a.yaml --restart --yes   # tasks load the previous weights now"],
      clients: WEIGHTS_CLIENTS,
      run: async (input, deps) => {
        await (await import("./weights.js")).runWeightsRollback(input, deps);
      },
    },
    {
      name: "restart",
      description:
        "start a new deployment of the endpoint's service (a forced new deployment), so that running tasks load the weights `current` names now; uploads nothing",
      arguments: [PARAMS_ARGUMENT],
      tutorialFlags: true,
      examples: ["mlops weights restart params/ep-a.yaml", "mlops weights restart params/ep-a.yaml --yes"],
      clients: WEIGHTS_CLIENTS,
      run: async (input, deps) => {
        await (await import("./weights.js")).runWeightsRestart(input, deps);
      },
    },
    {
      name: "ls",
      description:
        "list the files on the weights volume (or --assets), with sizes and dates, by the same one-off task (it starts a Fargate task: about a minute on AWS)",
      arguments: [PARAMS_ARGUMENT, { syntax: "[path]", description: "a folder or file on the volume", default: WEIGHTS_DEFAULTS.lsPath }],
      options: [
        { flags: "--assets", description: "list the assets volume instead (read only)" },
        { flags: "--timeout <minutes>", description: "how long to wait for the listing task", default: WEIGHTS_DEFAULTS.lsTimeout },
      ],
      tutorialFlags: true,
      globals: READING_GLOBALS,
      examples: ["mlops weights ls params/ep-a.yaml", "mlops weights ls params/ep-a.yaml models/ --assets --json"],
      clients: WEIGHTS_CLIENTS,
      run: async (input, deps) => {
        await (await import("./weights.js")).runWeightsLs(input, deps);
      },
    },
  ],
};
