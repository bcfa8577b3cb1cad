/**
 * The one output host. Everything mlops shows a user goes through an `Output`;
 * no other module writes to the console.
 */
import { createInterface } from "node:readline/promises";
import { InterruptedError } from "../errors.js";

/** A live block of lines redrawn in place on a terminal, or printed line by line in logs. */
export interface LiveRegion {
  /** Replaces the block's lines (terminal) or prints lines not printed before (logs). */
  update(lines: string[]): void;
  /** Leaves the final lines on screen and stops redrawing. */
  close(): void;
}

/** Where commands and steps report progress, results and questions. */
export interface Output {
  /** True when a person watches a terminal: redraw in place, colours allowed, prompts possible. */
  readonly interactive: boolean;
  /** A step starts (e.g. "Creating stack ep-a-prod"). */
  step(message: string): void;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  /** Data a command returns; in JSON mode the only thing written to stdout. */
  result(data: unknown, render: () => string): void;
  /** One record of a stream (a log line): in JSON mode one compact JSON line on stdout, else `text`; written at once. */
  record(data: unknown, text: string): void;
  /** Starts a live region for per-resource progress. */
  live(): LiveRegion;
  /**
   * Asks a yes/no question; false when no one can answer. With `typed`, the user must type one of
   * those words instead of "y" (for what deletes much at once), and anything else is a no.
   */
  confirm(question: string, typed?: string[]): Promise<boolean>;
}

/** Options for the console output. */
export interface ConsoleOutputOptions {
  json: boolean;
  interactive: boolean;
  color: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C: a pending question is abandoned. */
  signal?: AbortSignal;
}

const codes = { green: 32, yellow: 33, red: 31, cyan: 36, dim: 2, bold: 1 } as const;

/** Wraps text in an ANSI colour when colours are on. */
export function paint(enabled: boolean, colour: keyof typeof codes, text: string): string {
  return enabled ? `\u001b[${codes[colour]}m${text}\u001b[0m` : text;
}

/** Output to a terminal or a log: progress on stderr, results on stdout. */
export class ConsoleOutput implements Output {
  readonly interactive: boolean;
  private readonly json: boolean;
  private readonly color: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private readonly stdin: NodeJS.ReadableStream;
  /** The block being redrawn on a terminal: a line printed meanwhile goes above it, not over it. */
  private region?: RedrawnRegion;
  private readonly signal?: AbortSignal;

  constructor(options: ConsoleOutputOptions) {
    this.json = options.json;
    this.interactive = options.interactive;
    this.color = options.color;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.stdin = options.stdin ?? process.stdin;
    this.signal = options.signal;
  }

  step(message: string): void {
    this.line(`${paint(this.color, "cyan", "==>")} ${paint(this.color, "bold", message)}`);
  }

  info(message: string): void {
    this.line(`    ${message}`);
  }

  success(message: string): void {
    this.line(`${paint(this.color, "green", "✔")} ${message}`);
  }

  warn(message: string): void {
    this.line(`${paint(this.color, "yellow", "!")} ${message}`);
  }

  /** Prints an error; used only by the CLI's error handler. */
  error(message: string, hint?: string): void {
    this.stderr.write(`${paint(this.color, "red", "✖")} ${message}\n`);
    if (hint) this.stderr.write(`  ${paint(this.color, "dim", hint)}\n`);
  }

  result(data: unknown, render: () => string): void {
    if (this.json) this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else this.stdout.write(`${render()}\n`);
  }

  record(data: unknown, text: string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${text}\n`);
  }

  live(): LiveRegion {
    if (!this.interactive) return new AppendedRegion((text) => this.line(text));
    const region = new RedrawnRegion(this.stderr, () => {
      if (this.region === region) this.region = undefined;
    });
    this.region = region;
    return region;
  }

  async confirm(question: string, typed?: string[]): Promise<boolean> {
    if (!this.interactive) return false;
    const rl = createInterface({ input: this.stdin, output: this.stderr });
    // On a terminal readline reads Ctrl-C as a key: hand it to the process's own handler, which aborts the signal.
    rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
    try {
      const asked = typed ? `${question}: ` : `${question} [y/N] `;
      const answer = (await rl.question(`${paint(this.color, "yellow", "?")} ${asked}`, { signal: this.signal ?? new AbortController().signal })).trim();
      return typed ? typed.includes(answer) : /^y(es)?$/i.test(answer);
    } catch (error) {
      // Ctrl-C at the prompt closes readline, which rejects the question with an AbortError.
      if (error instanceof Error && error.name === "AbortError") throw new InterruptedError("Interrupted at the prompt: nothing was changed by this step.");
      throw error;
    } finally {
      rl.close();
    }
  }

  private line(text: string): void {
    if (this.region) this.region.printAbove(`${text}\n`);
    else this.stderr.write(`${text}\n`);
  }
}

/** Redraws its lines in place with cursor movements (terminals only). */
class RedrawnRegion implements LiveRegion {
  private drawn = 0;
  private lines: string[] = [];
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly onClose: () => void,
  ) {}

  /** Erases the block, prints the text where it was, and draws the block again below it. */
  printAbove(text: string): void {
    if (this.drawn === 0) {
      this.stream.write(text);
      return;
    }
    this.stream.write(`\u001b[${this.drawn}A\u001b[0J${text}`);
    this.drawn = 0;
    this.update(this.lines);
  }

  update(lines: string[]): void {
    this.lines = lines;
    let text = this.drawn > 0 ? `\u001b[${this.drawn}A` : "";
    for (const line of lines) text += `\u001b[2K${line}\n`;
    // Lines left over from a longer previous frame are cleared.
    for (let i = lines.length; i < this.drawn; i++) text += "\u001b[2K\n";
    const extra = Math.max(0, this.drawn - lines.length);
    if (extra > 0) text += `\u001b[${extra}A`;
    this.stream.write(text);
    this.drawn = lines.length;
  }

  close(): void {
    this.drawn = 0;
    this.onClose();
  }
}

/** Prints each distinct line once, in order: readable in CI logs. */
class AppendedRegion implements LiveRegion {
  private readonly printed = new Set<string>();
  constructor(private readonly print: (text: string) => void) {}

  update(lines: string[]): void {
    for (const line of lines) {
      if (this.printed.has(line)) continue;
      this.printed.add(line);
      this.print(`    ${line}`);
    }
  }

  close(): void {}
}
