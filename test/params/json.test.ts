/** The strict JSON reader: values, duplicate keys and located syntax errors. */
import { describe, expect, it } from "vitest";
import { JsonError, parseJson } from "../../src/params/json.js";

/** The JsonError a text must raise. */
function jsonError(text: string): JsonError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonError) return error;
    throw error;
  }
  throw new Error("parsed without error");
}

describe("parseJson", () => {
  it.each([
    '{"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}}',
    '"text with \\"quotes\\", \\\\ \\/ \\b\\f\\n\\r\\t and \\u00e9\\ud83d\\ude00"',
    "[]",
    "{}",
    " \n\t 0 \r\n",
    "[[[[]]]]",
  ])("reads %s as JSON.parse does", (text) => {
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it("reports a duplicate key with both lines, in nested objects too", () => {
    const error = jsonError('{\n  "a": {\n    "x": 1,\n    "y": 2,\n    "x": 3\n  }\n}');
    expect(error).toMatchObject({ line: 5, column: 5, duplicateKey: "x", message: 'key "x" is given twice (first on line 3)' });
  });

  it("allows the same key in different objects", () => {
    expect(parseJson('[{"k": 1}, {"k": 2}]')).toEqual([{ k: 1 }, { k: 2 }]);
  });

  it.each([
    ['{"a": 1,}', 1, 9, "trailing comma before }"],
    ["[1, 2,\n]", 2, 1, "trailing comma before ]"],
    ['{"a" 1}', 1, 6, 'expected ":" after the key "a"'],
    ["{a: 1}", 1, 2, "expected a key in double quotes"],
    ["{'a': 1}", 1, 2, "expected a key in double quotes"],
    ["['a']", 1, 2, "strings must be in double quotes"],
    ['{"a": 1', 1, 8, 'expected "," or "}" after the value of "a", got the end of the file'],
    ['{\n  "a": "b\n}', 2, 10, "line break inside a string"],
    ["[01]", 1, 2, "invalid number"],
    ["[1.]", 1, 2, "invalid number"],
    ["[.5]", 1, 2, "expected a value"],
    ["[tru]", 1, 2, "expected a value"],
    ['"\\x"', 1, 2, 'invalid escape "\\x"'],
    ['"\\u12"', 1, 2, "invalid \\u escape"],
    ["{} {}", 1, 4, "unexpected text after the end"],
    ["// c\n{}", 1, 1, "comments are not allowed"],
    ["", 1, 1, "expected a value, got the end of the file"],
  ])("%j fails at line %i, column %i: %s", (text, line, column, message) => {
    const error = jsonError(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(message);
  });

  it("keeps __proto__ as an ordinary key", () => {
    const value = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});
