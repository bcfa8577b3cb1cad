/**
 * The Session Manager plugin, the program that carries an ECS Exec session
 * between this terminal and the container: found on PATH and run with the
 * terminal handed over to it.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The full path of an executable found on PATH (with PATHEXT on Windows), or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string | undefined {
  const extensions = platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/**
 * Runs the plugin with this terminal (stdin, stdout, stderr) and resolves with its exit code. While
 * it runs, Ctrl-C, Ctrl-\ and Ctrl-Z belong to the session (the AWS CLI ignores them the same way):
 * the plugin passes them to the container's shell.
 */
export function runSessionPlugin(executable: string, args: string[]): Promise<number> {
  const signals = ["SIGINT", "SIGQUIT", "SIGTSTP"] as const;
  const ignore = () => {};
  // mlops's own Ctrl-C handling (stop, then exit) is set aside for the session and put back after it.
  const saved = signals.map((signal) => [signal, process.listeners(signal)] as const);
  for (const signal of signals) {
    process.removeAllListeners(signal);
    process.on(signal, ignore);
  }
  return new Promise<number>((resolve, reject) => {
    const child = spawn(executable, args, { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    for (const [signal, listeners] of saved) {
      process.off(signal, ignore);
      for (const listener of listeners) process.on(signal, listener as () => void);
    }
  });
}
