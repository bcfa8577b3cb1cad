/**
 * A strict JSON reader. `JSON.parse` silently keeps the last of two equal keys
 * and locates syntax errors only by character offset (and differently in each
 * Node version); parameter files need both reported by line and column.
 */

/** A JSON syntax error or a duplicate key, located in the text. */
export class JsonError extends Error {
  readonly line: number;
  readonly column: number;
  /** Set when the error is a key given twice. */
  readonly duplicateKey?: string;

  constructor(message: string, line: number, column: number, duplicateKey?: string) {
    super(message);
    this.name = "JsonError";
    this.line = line;
    this.column = column;
    this.duplicateKey = duplicateKey;
  }
}

/** Deep structures only come from broken or hostile files; stop before the call stack does. */
const MAX_DEPTH = 200;

/** Parses JSON text; throws `JsonError` (1-based line and column) on a syntax error or a duplicate key. */
export function parseJson(text: string): unknown {
  const reader = new Reader(text);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (!reader.atEnd()) reader.fail("unexpected text after the end of the JSON value");
  return value;
}

class Reader {
  private index = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  /** Offsets where lines start, computed once: keys are located often and files may be large. */
  private lineStarts: number[] | undefined;

  /** Line and column of a character offset. */
  private locate(offset: number): { line: number; column: number } {
    if (this.lineStarts === undefined) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text[i] === "\n") this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
  }

  fail(message: string, offset = this.index): never {
    const { line, column } = this.locate(offset);
    throw new JsonError(message, line, column);
  }

  /** Shows the character at the cursor in messages. */
  private shown(): string {
    if (this.atEnd()) return "the end of the file";
    const char = this.text[this.index] ?? "";
    if (char === "\n") return "a line break";
    return char === '"' ? "'\"'" : `"${char}"`;
  }

  skipSpace(): void {
    while (!this.atEnd()) {
      const char = this.text[this.index];
      if (char === " " || char === "\t" || char === "\n" || char === "\r") this.index++;
      else if (char === "/" && (this.text[this.index + 1] === "/" || this.text[this.index + 1] === "*")) {
        this.fail("comments are not allowed in JSON (write the file in YAML to comment it)");
      } else return;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    const char = this.text[this.index];
    switch (char) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "'":
        return this.fail("strings must be in double quotes");
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      default:
        if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return this.number();
        return this.fail(`expected a value, got ${this.shown()}`);
    }
  }

  private literal<T>(word: string, result: T): T {
    if (this.text.startsWith(word, this.index)) {
      this.index += word.length;
      return result;
    }
    return this.fail(`expected a value, got ${this.shown()}`);
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.index;
    const found = match.exec(this.text);
    if (!found) this.fail("invalid number");
    const next = this.text[this.index + found[0].length];
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail("invalid number (no leading zeros; digits after a decimal point)");
    this.index += found[0].length;
    return Number(found[0]);
  }

  private string(): string {
    const start = this.index;
    this.index++;
    let result = "";
    for (;;) {
      if (this.atEnd()) this.fail("unterminated string", start);
      const char = this.text[this.index] ?? "";
      if (char === '"') {
        this.index++;
        return result;
      }
      if (char === "\\") {
        result += this.escape();
        continue;
      }
      if (char < " ") this.fail(char === "\n" ? "line break inside a string (missing closing quote?)" : "control character inside a string");
      result += char;
      this.index++;
    }
  }

  private escape(): string {
    const code = this.text[this.index + 1];
    const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
    if (code !== undefined && code in simple) {
      this.index += 2;
      return simple[code] ?? "";
    }
    if (code === "u") {
      const hex = this.text.slice(this.index + 2, this.index + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape (expected 4 hex digits)");
      this.index += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return this.fail(`invalid escape "\\${code ?? ""}" in a string`);
  }

  private array(depth: number): unknown[] {
    this.index++;
    const items: unknown[] = [];
    this.skipSpace();
    if (this.text[this.index] === "]") {
      this.index++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === "]") this.fail("trailing comma before ] is not allowed in JSON");
      items.push(this.value(depth + 1));
      this.skipSpace();
      const char = this.text[this.index];
      if (char === ",") {
        this.index++;
        continue;
      }
      if (char === "]") {
        this.index++;
        return items;
      }
      this.fail(`expected "," or "]" after a list item, got ${this.shown()}`);
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.index++;
    const result: Record<string, unknown> = {};
    const keyLines = new Map<string, number>();
    this.skipSpace();
    if (this.text[this.index] === "}") {
      this.index++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.index] === "}") this.fail("trailing comma before } is not allowed in JSON");
      if (this.text[this.index] !== '"') this.fail(`expected a key in double quotes, got ${this.shown()}`);
      const keyOffset = this.index;
      const key = this.string();
      const { line, column } = this.locate(keyOffset);
      const firstLine = keyLines.get(key);
      if (firstLine !== undefined) {
        const first = firstLine === line ? "earlier on the same line" : `on line ${firstLine}`;
        throw new JsonError(`key "${key}" is given twice (first ${first})`, line, column, key);
      }
      keyLines.set(key, line);
      this.skipSpace();
      if (this.text[this.index] !== ":") this.fail(`expected ":" after the key "${key}", got ${this.shown()}`);
      this.index++;
      this.skipSpace();
      // defineProperty: a key named __proto__ must stay data, not replace the prototype.
      Object.defineProperty(result, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const char = this.text[this.index];
      if (char === ",") {
        this.index++;
        continue;
      }
      if (char === "}") {
        this.index++;
        return result;
      }
      this.fail(`expected "," or "}" after the value of "${key}", got ${this.shown()}`);
    }
  }
}
