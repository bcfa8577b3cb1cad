/**
 * The words other deployment tools use for mlops's commands, so that an unknown
 * command names the right one (`deploy` -> create-endpoint or update) where
 * commander's spelling suggestion finds none.
 */

/** For each word, the commands it may mean and when. */
const SYNONYMS: Record<string, string> = {
  deploy: "create-endpoint (a new base endpoint), add-endpoint (a new one on a base) or update (a deployed one)",
  create: "create-endpoint (a base endpoint) or add-endpoint (one that joins a base)",
  add: "add-endpoint",
  up: "create-endpoint or add-endpoint",
  apply: "update (or create-endpoint / add-endpoint the first time)",
  rollout: "update",
  upgrade: "update",
  release: "update",
  plan: "diff",
  destroy: "teardown",
  delete: "teardown",
  remove: "teardown",
  rm: "teardown",
  down: "teardown",
  list: "status",
  ls: "status",
  ps: "status",
  show: "status NAME",
  describe: "status NAME",
  get: "status NAME",
  log: "logs",
  new: "init",
  generate: "init",
  revert: "rollback",
  undo: "rollback",
  ssh: "exec",
  shell: "exec",
  validate: "render (checks the file, no AWS call) or test (a request to the endpoint)",
  check: "render (checks the file, no AWS call) or test (a request to the endpoint)",
};

/** "Did you mean ..." for a command another tool has, or undefined. */
export function commandForWord(word: string): string | undefined {
  const meaning = SYNONYMS[word.toLowerCase()];
  return meaning ? `(mlops has no ${word} command: did you mean ${meaning}?)` : undefined;
}
