/** The command line's `mlops render`; the work is in render.ts. */
import type { CommandDefinition } from "./definition.js";

/** The template formats render writes. */
export const RENDER_FORMATS = ["yaml", "json"] as const;

/** Defaults of render's options. */
export const RENDER_DEFAULTS = { out: "out", format: "yaml" } as const satisfies { out: string; format: (typeof RENDER_FORMATS)[number] };

/** `mlops render <params>`. */
export const renderCommand: CommandDefinition = {
  name: "render",
  description: "write the stack's template and parameters (also in `aws cloudformation --parameters` format); no AWS call",
  arguments: [{ syntax: "<params>", description: "parameter file (YAML/JSON, ours or the tutorial's format)" }],
  options: [
    { flags: "-o, --out <dir>", description: "output directory", default: RENDER_DEFAULTS.out },
    { flags: "--format <format>", description: "template format", choices: RENDER_FORMATS, default: RENDER_DEFAULTS.format },
  ],
  tutorialFlags: true,
  globals: ["region", "json", "color"],
  examples: ["mlops render params/ep-a.yaml --out out/ep-a", "mlops render params/add-ep-b.json --base ep-a --format json"],
  run: async (input, deps) => {
    await (await import("./render.js")).runRender(input, deps);
  },
};
