/**
 * `mlops schema [--out FILE]`: the JSON Schema of the parameter file, for
 * editors (completion, descriptions, defaults, checks as you type). No AWS call.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.js";
import { parameterJsonSchema, parameterJsonSchemaText } from "../params/json-schema.js";
import { parseOptions, type CommandDeps } from "./shared.js";

/** Options of `schema`. */
export const schemaOptionsSchema = z.object({
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/** Prints the schema, or writes it to `--out` (folders created as needed). */
export async function runSchema(raw: unknown, deps: CommandDeps): Promise<void> {
  const options = parseOptions(schemaOptionsSchema, raw);
  const text = parameterJsonSchemaText();
  if (!options.out) {
    deps.out.result(parameterJsonSchema(), () => text.trimEnd());
    return;
  }
  const file = resolve(deps.cwd, options.out);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError([{ path: "--out", message: `cannot write ${file}: ${reason}` }], "Pass --out with a file you can write to.");
  }
  deps.out.success(`Wrote the parameter file's JSON Schema to ${options.out}`);
}
