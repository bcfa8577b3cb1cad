// Loaded with `node --import`: records every module URL Node loads into the file MLOPS_MODULE_LOG names.
import { register } from "node:module";

register(new URL("./module-log-hooks.mjs", import.meta.url), { data: { file: process.env.MLOPS_MODULE_LOG } });
