/**
 * Questions at a terminal: one line each, with a proposed answer that Enter
 * accepts. Only built when a person can answer (stdin and stderr are a
 * terminal); commands then ask instead of requiring flags.
 */
import { createInterface } from "node:readline/promises";
import { InterruptedError } from "../errors.js";
import { paint } from "./output.js";

/** Asks questions and returns the answers. */
export interface Prompter {
  /**
   * Asks until `check` accepts the answer (it returns a problem to show, or undefined);
   * an empty answer takes `proposal`. Returns the trimmed answer.
   */
  ask(question: string, options?: { proposal?: string; check?: (answer: string) => string | undefined }): Promise<string>;
  /** Shows a line of explanation between questions. */
  note(text: string): void;
}

/** Options for the terminal prompter. */
export interface TerminalPrompterOptions {
  stdin: NodeJS.ReadableStream;
  stderr: NodeJS.WritableStream;
  color: boolean;
  /** Aborted on Ctrl-C: the pending question is abandoned. */
  signal?: AbortSignal;
}

/** A prompter on the terminal (questions on stderr, so that stdout stays data). */
export function terminalPrompter(options: TerminalPrompterOptions): Prompter {
  return {
    note(text) {
      options.stderr.write(`${paint(options.color, "dim", text)}\n`);
    },
    async ask(question, { proposal, check } = {}) {
      const rl = createInterface({ input: options.stdin, output: options.stderr });
      // On a terminal readline reads Ctrl-C as a key: hand it to the process's own handler, which aborts the signal.
      rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
      try {
        for (;;) {
          const shown = proposal ? ` [${proposal}]` : "";
          const typed = (
            await rl.question(`${paint(options.color, "yellow", "?")} ${question}${shown}: `, { signal: options.signal ?? new AbortController().signal })
          ).trim();
          const answer = typed === "" ? (proposal ?? "") : typed;
          const problem = answer === "" ? "an answer is needed" : check?.(answer);
          if (problem === undefined) return answer;
          options.stderr.write(`  ${paint(options.color, "red", problem)}\n`);
        }
      } catch (error) {
        if (error instanceof Error && error.name === "AbortError") throw new InterruptedError("Interrupted at the prompt: nothing was written.");
        throw error;
      } finally {
        rl.close();
      }
    },
  };
}
