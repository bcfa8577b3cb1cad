/** Every command of the command line, in the order `mlops --help` lists them. */
import type { CommandDefinition } from "./definition.js";
import { addEndpointCommand, createEndpointCommand } from "./deploy-endpoint.def.js";
import { diffCommand } from "./diff.def.js";
import { execCommand } from "./exec.def.js";
import { historyCommand } from "./history.def.js";
import { initCommand } from "./init.def.js";
import { logsCommand } from "./logs.def.js";
import { pipelineCommand } from "./pipeline.def.js";
import { renderCommand } from "./render.def.js";
import { rollbackCommand } from "./rollback.def.js";
import { schemaCommand } from "./schema.def.js";
import { statusCommand } from "./status.def.js";
import { teardownCommand } from "./teardown.def.js";
import { testCommand } from "./test.def.js";
import { updateCommand } from "./update.def.js";
import { weightsCommand } from "./weights.def.js";

/** The commands, in help order. */
export const COMMANDS: readonly CommandDefinition[] = [
  renderCommand,
  createEndpointCommand,
  addEndpointCommand,
  diffCommand,
  updateCommand,
  rollbackCommand,
  historyCommand,
  statusCommand,
  initCommand,
  schemaCommand,
  testCommand,
  teardownCommand,
  weightsCommand,
  logsCommand,
  pipelineCommand,
  execCommand,
];
