/**
 * Outputs for tests: `MemoryOutput` records everything; a `MemoryOutput` that claims to be a terminal: tests of prompts and of the
 * redrawn progress table need `interactive: true`.
 */
import type { LiveRegion, Output } from "../../src/io/output.js";

/** Records like `MemoryOutput`, answers `confirm` from `answers`, and reports itself interactive. */
export class InteractiveMemoryOutput implements Output {
  readonly interactive = true;
  private readonly memory: MemoryOutput;
  /** How many times a live region was redrawn. */
  redraws = 0;

  constructor(answers: boolean[] = []) {
    this.memory = new MemoryOutput(answers);
  }

  get lines(): string[] {
    return this.memory.lines;
  }

  step(message: string): void {
    this.memory.step(message);
  }
  info(message: string): void {
    this.memory.info(message);
  }
  success(message: string): void {
    this.memory.success(message);
  }
  warn(message: string): void {
    this.memory.warn(message);
  }
  result(data: unknown, render: () => string): void {
    this.memory.result(data);
    render();
  }
  record(data: unknown, text: string): void {
    this.memory.record(data, text);
  }
  live(): LiveRegion {
    const region = this.memory.live();
    return {
      update: (lines) => {
        this.redraws++;
        region.update(lines);
      },
      close: () => region.close(),
    };
  }
  confirm(question: string): Promise<boolean> {
    return this.memory.confirm(question);
  }
}

/** Output that records everything, answering `confirm` from a list. */
export class MemoryOutput implements Output {
  readonly interactive = false;
  readonly lines: string[] = [];
  readonly results: unknown[] = [];
  /** Answers returned to `confirm`, in order; false when exhausted. */
  constructor(private readonly answers: boolean[] = []) {}

  step(message: string): void {
    this.lines.push(`step: ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  success(message: string): void {
    this.lines.push(`success: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  result(data: unknown): void {
    this.results.push(data);
  }
  record(data: unknown, text: string): void {
    this.results.push(data);
    this.lines.push(`record: ${text}`);
  }
  live(): LiveRegion {
    return { update: (lines) => this.lines.push(...lines.map((l) => `live: ${l}`)), close: () => {} };
  }
  async confirm(question: string): Promise<boolean> {
    this.lines.push(`confirm: ${question}`);
    return this.answers.shift() ?? false;
  }
}
