/** The command line's `mlops schema`; the work is in schema.ts. */
import type { CommandDefinition } from "./definition.js";

/** `mlops schema`. */
export const schemaCommand: CommandDefinition = {
  name: "schema",
  description: "print the JSON Schema (draft 2020-12) of the parameter file, for editors; no AWS call",
  options: [{ flags: "-o, --out <file>", description: "write it to this file instead" }],
  globals: ["color"],
  examples: ["mlops schema --out schema/params.schema.json", "mlops schema > params.schema.json"],
  run: async (input, deps) => {
    await (await import("./schema.js")).runSchema(input, deps);
  },
};
