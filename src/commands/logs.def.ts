/** The command line's `mlops logs`; the work is in logs.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** `mlops logs <params>`. */
export const logsCommand: CommandDefinition = {
  name: "logs",
  description: "the container logs of the endpoint's tasks, interleaved by time, each line with its task id; or the latest build's log",
  arguments: [PARAMS_ARGUMENT],
  options: [
    { flags: "-f, --follow", description: "keep printing new lines until Ctrl-C (which ends it with exit 0)" },
    { flags: "--since <when>", description: "from a duration ago (30s, 10m, 2h, 7d) or an ISO 8601 time (default: 10m; with --build the whole build)" },
    { flags: "--build", description: "the log of the pipeline's latest CodeBuild run instead (--follow: until the build ends)" },
  ],
  tutorialFlags: true,
  globals: READING_GLOBALS,
  examples: [
    "mlops logs params/ep-a.yaml --since 1h",
    "mlops logs params/ep-a.yaml --follow     # until Ctrl-C (exit 0)",
    "mlops logs params/ep-a.yaml --build",
  ],
  clients: ["logs", "codeBuild"],
  run: async (input, deps) => ({ endedByCtrlC: (await (await import("./logs.js")).runLogs(input, deps)).interrupted }),
};
