/**
 * How the user starts mlops from their shell, so that the commands mlops prints for them to run (Next lines,
 * resume hints) run as printed: `mlops` when the `mlops` their PATH finds is this very program (an installed
 * bin), else `npx mlops` (run from a checkout with `node bin/mlops.js`, or through npx).
 */
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The command word that starts mlops from the user's shell. */
export type Invocation = "mlops" | "npx mlops";

/** What the choice reads from the process, given by the CLI (tests give their own). */
export interface InvocationProbe {
  /** The script Node runs (`process.argv[1]`). */
  script: string | undefined;
  /** The PATH the process got. */
  path: string | undefined;
  /** The file a path names once links are followed; undefined when it does not exist or cannot be run. */
  executable(path: string): string | undefined;
}

/**
 * `mlops` when the first `mlops` on PATH is this script, `npx mlops` otherwise. The `node_modules/.bin` folders npm
 * and npx put in front of PATH for their child are skipped: the user's shell does not have them.
 */
export function chooseInvocation(probe: InvocationProbe): Invocation {
  if (!probe.script) return "npx mlops";
  const self = probe.executable(probe.script) ?? probe.script;
  for (const dir of (probe.path ?? "").split(delimiter)) {
    if (!dir || dir.split(/[\\/]/).slice(-2).join("/") === "node_modules/.bin") continue;
    const found = probe.executable(join(dir, "mlops"));
    if (found) return found === self ? "mlops" : "npx mlops";
  }
  return "npx mlops";
}

/** The probe of this process: its script, PATH and file system. */
export function processProbe(): InvocationProbe {
  return {
    script: process.argv[1],
    path: process.env.PATH,
    executable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return realpathSync(path);
      } catch {
        return undefined;
      }
    },
  };
}

/** A full mlops command line as the user can run it: `runnable("mlops status", "npx mlops")` is `npx mlops status`. */
export function runnable(command: string, invocation: Invocation | undefined): string {
  if (!invocation || invocation === "mlops") return command;
  return command.replace(/^mlops(?= |$)/, invocation);
}
