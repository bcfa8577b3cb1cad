/**
 * A strict JSON reader on top of jsonc-parser (the parser of VS Code's JSON
 * support). `JSON.parse` silently keeps the last of two equal keys and
 * locates syntax errors only by character offset (and differently in each
 * Node version); parameter files need both reported by line and column.
 */
import { ParseErrorCode, visit, type JSONVisitor, type ParseOptions } from "jsonc-parser";

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

/** Plain JSON: no comments, no trailing commas, one value. */
const STRICT: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };
/** Deep structures only come from broken or hostile files; stop descending before the call stack does. */
const MAX_DEPTH = 200;

/** An object or list being read, with the keys seen so far (objects) and the line of each. */
interface Open {
  value: Record<string, unknown> | unknown[];
  keys: Map<string, number>;
  /** The key whose value comes next (objects). */
  key?: string;
  /** True right after "{" or ",": the next token must be a key. */
  expectKey: boolean;
}

/** Parses JSON text; throws `JsonError` (1-based line and column) on a syntax error or a duplicate key. */
export function parseJson(text: string): unknown {
  let problem: JsonError | undefined;
  let root: unknown;
  const open: Open[] = [];
  // The parser reports a missing "}" at the end of the file after it has closed the object.
  let closed: Open | undefined;
  const fail = (error: JsonError) => (problem ??= error);
  const add = (value: unknown) => {
    const parent = open.at(-1);
    if (!parent) root = value;
    else if (Array.isArray(parent.value)) parent.value.push(value);
    // Defined, not assigned: a key named __proto__ stays an ordinary key.
    else if (parent.key !== undefined) Object.defineProperty(parent.value, parent.key, { value, enumerable: true, writable: true, configurable: true });
  };
  const begin = (value: Open["value"], line: number, column: number) => {
    add(value);
    open.push({ value, keys: new Map(), expectKey: !Array.isArray(value) });
    if (open.length <= MAX_DEPTH) return true;
    fail(new JsonError(`nested more than ${MAX_DEPTH} levels deep`, line + 1, column + 1));
    return false;
  };
  const visitor: JSONVisitor = {
    onObjectBegin: (_offset, _length, line, column) => begin({}, line, column),
    onArrayBegin: (_offset, _length, line, column) => begin([], line, column),
    onObjectEnd: () => void (closed = open.pop()),
    onArrayEnd: () => void (closed = open.pop()),
    onObjectProperty: (key, _offset, _length, line, column) => {
      const object = open.at(-1);
      if (!object) return;
      const first = object.keys.get(key);
      if (first !== undefined) fail(new JsonError(`key "${key}" is given twice (first on line ${first + 1})`, line + 1, column + 1, key));
      object.keys.set(key, line);
      object.key = key;
      object.expectKey = false;
    },
    onSeparator: (character) => {
      const container = open.at(-1);
      if (container && character === "," && !Array.isArray(container.value)) container.expectKey = true;
    },
    onLiteralValue: (value) => add(value),
    onError: (code, offset, length, line, column) => {
      const located = locateInToken(code, text, offset, length);
      const message = located.message ?? syntaxMessage(code, text, located.offset, length, open.at(-1) ?? closed);
      fail(new JsonError(message, line + 1, column + 1 + located.offset - offset));
    },
  };
  try {
    visit(text, visitor, STRICT);
  } catch (error) {
    // The parser recurses once per level and keeps going past MAX_DEPTH; the depth was reported first.
    if (!(error instanceof RangeError)) throw error;
    throw problem ?? new JsonError(`nested more than ${MAX_DEPTH} levels deep`, 1, 1);
  }
  if (problem) throw problem;
  return root;
}

/** Points inside the token at what is wrong: the bad escape in a string, the start of a bad number. */
function locateInToken(code: ParseErrorCode, text: string, offset: number, length: number): { offset: number; message?: string } {
  if (code === ParseErrorCode.InvalidEscapeCharacter || code === ParseErrorCode.InvalidUnicode) {
    const escape = text.slice(offset, offset + length).search(/\\(?:[^"\\/bfnrtu]|u(?![0-9a-fA-F]{4}))/);
    if (escape >= 0) return { offset: offset + escape };
  }
  if (code === ParseErrorCode.UnexpectedEndOfString && /[\r\n]/.test(text[offset + length] ?? "")) {
    return { offset: offset + length, message: "line break inside a string (missing closing quote?)" };
  }
  if (code === ParseErrorCode.CommaExpected && /[0-9]/.test(text[offset] ?? "") && /[0-9]/.test(text[offset - 1] ?? "")) {
    let start = offset;
    while (start > 0 && /[0-9.eE+-]/.test(text[start - 1] ?? "")) start--;
    return { offset: start, message: "invalid number (no leading zeros; digits after a decimal point)" };
  }
  return { offset };
}

/** What a parameter file's author needs to hear about one syntax error. */
function syntaxMessage(code: ParseErrorCode, text: string, offset: number, length: number, container: Open | undefined): string {
  const found = text.slice(offset, offset + Math.max(length, 1));
  const shown =
    offset >= text.length ? "the end of the file" : found === "\n" ? "a line break" : JSON.stringify(found.length > 20 ? `${found.slice(0, 20)}…` : found);
  const before = text.slice(0, offset).trimEnd().at(-1);
  const inList = Array.isArray(container?.value);
  const afterValue = inList ? 'expected "," or "]" after a list item' : `expected "," or "}" after the value of "${container?.key ?? ""}"`;
  switch (code) {
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return "comments are not allowed in JSON (write the file in YAML to comment it)";
    case ParseErrorCode.PropertyNameExpected:
    case ParseErrorCode.ValueExpected:
    case ParseErrorCode.InvalidSymbol:
      if (before === "," && (found === "}" || found === "]")) return `trailing comma before ${found} is not allowed in JSON`;
      if (container?.expectKey) return `expected a key in double quotes, got ${shown}`;
      if (found.startsWith("'")) return "strings must be in double quotes";
      return `expected a value, got ${shown}`;
    case ParseErrorCode.ColonExpected:
      return `expected ":" after the key "${container?.key ?? ""}", got ${shown}`;
    case ParseErrorCode.CommaExpected:
    case ParseErrorCode.CloseBraceExpected:
    case ParseErrorCode.CloseBracketExpected:
      return `${afterValue}, got ${shown}`;
    case ParseErrorCode.EndOfFileExpected:
      return "unexpected text after the end of the JSON value";
    case ParseErrorCode.InvalidNumberFormat:
    case ParseErrorCode.UnexpectedEndOfNumber:
      return "invalid number (no leading zeros; digits after a decimal point)";
    case ParseErrorCode.UnexpectedEndOfString:
      return "unterminated string (missing closing quote?)";
    case ParseErrorCode.InvalidUnicode:
      return "invalid \\u escape (expected 4 hex digits)";
    case ParseErrorCode.InvalidEscapeCharacter:
      return `invalid escape "${text.slice(offset, offset + 2)}" in a string`;
    case ParseErrorCode.InvalidCharacter:
      return "control character inside a string";
    default:
      return `unexpected ${shown}`;
  }
}
