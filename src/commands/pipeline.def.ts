/** The command line's `mlops pipeline`; the work is in pipeline.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** `mlops pipeline <params>`. */
export const pipelineCommand: CommandDefinition = {
  name: "pipeline",
  description: "the endpoint's latest pipeline run: stage states, the build's phases and log lines (exit 1 when the run failed)",
  arguments: [PARAMS_ARGUMENT],
  options: [{ flags: "-f, --follow", description: "show the run as it goes until it ends" }],
  tutorialFlags: true,
  globals: READING_GLOBALS,
  examples: ["mlops pipeline params/ep-a.yaml", "mlops pipeline params/ep-a.yaml --follow"],
  clients: ["codePipeline", "codeBuild", "logs"],
  run: async (input, deps) => {
    await (await import("./pipeline.js")).runPipeline(input, deps);
  },
};
