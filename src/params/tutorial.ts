/**
 * The tutorial's format: a CloudFormation parameter list. It is converted into
 * an object of our format and validated by the same schema, so both formats
 * get the same checks and messages; field names in messages are mapped back
 * to the tutorial's ParameterKeys (and to the pipeline flags).
 */
import type { FieldIssue, FieldNamer } from "./checks.js";
import type { ParamOverrides } from "./model.js";
import { nearest, optionInstead } from "./suggest.js";
import { KEY, NETWORK_KEYS, PIPELINE_FLAGS, TUTORIAL_PARAMETERS, type TutorialParameter } from "./tutorial-keys.js";
import { describeValue, isPlainObject } from "./validate.js";
import { schemaPaths } from "./schema.js";

/** A tutorial-format file turned into our format. */
export interface ConvertedTutorial {
  /** An object of our format, ready for the schema. */
  raw: Record<string, unknown>;
  /** Problems found while converting, already named in the tutorial's terms. */
  issues: FieldIssue[];
  /** Names whose problems were already reported: the schema's issues for them would only repeat them. */
  reported: Set<string>;
  /** Names a field path of our format as the user wrote it (ParameterKey or flag). */
  name: FieldNamer;
}

const ITEM_KEYS = ["ParameterKey", "ParameterValue"];
const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/** Sets a dotted path in a nested object, creating sections on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let current = target;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (isPlainObject(next)) current = next;
    else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  }
  current[keys[keys.length - 1] ?? ""] = value;
}

/** The ParameterKey closest to a key that is not one, including keys of our format written here. */
function unknownParameterMessage(key: string): string {
  // "TaskGPU" is one letter from "TaskCPU": a GPU key must not be taken for a misspelt CPU one.
  if (/gpu|neuron|accelerat|instancetype|launchtype|computetype|capacityprovider/i.test(key)) {
    return "unknown parameter; GPU and Neuron endpoints need mlops's own YAML format (`compute.type: gpu`; `mlops init --gpu` writes one), the CloudFormation format runs on Fargate only";
  }
  const close = nearest(
    key,
    TUTORIAL_PARAMETERS.map((parameter) => parameter.key),
  );
  if (close !== undefined) return `unknown parameter; did you mean "${close}"?`;
  const option = optionInstead(key);
  if (option !== undefined) return `unknown parameter; "${key}" is a command-line option, not a parameter: ${option}`;
  const ours = schemaPaths().find(({ path }) => path.split(".").pop()?.toLowerCase() === key.toLowerCase());
  const mapped = ours === undefined ? undefined : TUTORIAL_PARAMETERS.find((parameter) => parameter.paths.includes(ours.path));
  if (mapped !== undefined) return `unknown parameter; in this format "${key}" is "${mapped.key}"`;
  if (ours !== undefined) return `unknown parameter; "${ours.path}" can only be set in mlops's own YAML format`;
  return "unknown parameter";
}

/** Records a problem at a field path (a ParameterKey, an item or a flag). */
type Report = (path: string, message: string) => void;

/** A ParameterKey's text value (undefined when the value itself was unusable) and the index of its item. */
type GivenValues = Map<string, { value: string | undefined; index: number }>;

/** Converts the parameter list; `overrides` supply the base endpoint and the pipeline. */
export function convertTutorial(items: readonly unknown[], overrides: ParamOverrides = {}): ConvertedTutorial {
  const issues: FieldIssue[] = [];
  const reported = new Set<string>();
  const report: Report = (path, message) => {
    issues.push({ path, message });
    reported.add(path);
  };

  const given = readItems(items, report);
  const isBase = given.has(KEY.network);
  const raw = convertValues(given, isBase, report);
  const baseFromFlag = settleBase(raw, isBase, overrides, reported, report);

  const flags = pipelineFlags(overrides);
  if (flags.missing.length > 0 && flags.missing.length < 3) {
    report("pipeline", `${Object.values(PIPELINE_FLAGS).join(", ")} go together; missing ${flags.missing.join(", ")}`);
  } else if (flags.missing.length === 0) {
    raw.pipeline = flags.values;
  }

  return { raw, issues, reported, name: tutorialNamer(baseFromFlag) };
}

/** Checks each item's shape and key, and keeps the first value of each known ParameterKey. */
function readItems(items: readonly unknown[], report: Report): GivenValues {
  const given: GivenValues = new Map();
  items.forEach((item, index) => {
    if (!isPlainObject(item)) {
      report(`[${index}]`, `expected {"ParameterKey": "…", "ParameterValue": "…"}, got ${describeValue(item)}`);
      return;
    }
    for (const extra of Object.keys(item).filter((key) => !ITEM_KEYS.includes(key))) {
      const close = nearest(extra, ITEM_KEYS);
      report(
        `[${index}].${extra}`,
        close === undefined ? "unknown key; an item has only ParameterKey and ParameterValue" : `unknown key; did you mean "${close}"?`,
      );
    }
    const key = item.ParameterKey;
    if (typeof key !== "string") {
      report(`[${index}].ParameterKey`, key === undefined ? "required" : `expected text, got ${describeValue(key)}`);
      return;
    }
    if (!TUTORIAL_PARAMETERS.some((parameter) => parameter.key === key)) {
      report(key, unknownParameterMessage(key));
      return;
    }
    const earlier = given.get(key);
    if (earlier !== undefined) {
      report(key, `given twice (items [${earlier.index}] and [${index}]); keep one`);
      return;
    }
    const value = item.ParameterValue;
    if (typeof value === "string") given.set(key, { value, index });
    else if (typeof value === "number" || typeof value === "boolean") given.set(key, { value: String(value), index });
    else {
      given.set(key, { value: undefined, index });
      report(key, value === undefined ? "ParameterValue is missing" : `ParameterValue: expected text, got ${describeValue(value)}`);
    }
  });
  return given;
}

/** Fills an object of our format from the usable values, refusing keys that belong to the other kind of endpoint. */
function convertValues(given: GivenValues, isBase: boolean, report: Report): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const parameter of TUTORIAL_PARAMETERS) {
    const entry = given.get(parameter.key);
    if (entry === undefined || entry.value === undefined) continue;
    if (!isBase && NETWORK_KEYS.includes(parameter.key)) {
      report(parameter.key, `only for a base endpoint (a file with ${KEY.network}); an added endpoint uses its base endpoint's network`);
      continue;
    }
    if (isBase && parameter.key === KEY.base) {
      report(parameter.key, `only for an added endpoint (a file without ${KEY.network}); this file creates a base endpoint`);
      continue;
    }
    convertValue(parameter, entry.value, raw, report);
  }
  return raw;
}

/** Reconciles BaseProjectName with --base; true when the base endpoint came from the flag. */
function settleBase(raw: Record<string, unknown>, isBase: boolean, overrides: ParamOverrides, reported: Set<string>, report: Report): boolean {
  if (isBase) {
    if (overrides.base !== undefined) report("--base", `given, but this file describes a base endpoint (it has ${KEY.network})`);
    return false;
  }
  if (reported.has(KEY.base)) return false;
  // The base key is a text parameter: when set, base holds its text.
  const fromFile = typeof raw.base === "string" ? raw.base : undefined;
  if (fromFile === undefined && overrides.base !== undefined) {
    raw.base = overrides.base;
    return true;
  }
  if (fromFile === undefined) {
    report(
      KEY.base,
      `required for an added endpoint (a file without ${KEY.network}): add the base endpoint's ${KEY.project} as ${KEY.base}, or pass --base NAME`,
    );
    // The schema would add "network required": the same problem seen from the base endpoint's side.
    reported.add(KEY.network);
  } else if (overrides.base !== undefined && overrides.base !== fromFile) {
    report(KEY.base, `is "${fromFile}" but --base gives "${overrides.base}"; they must agree`);
  }
  return false;
}

/** Names a field path of our format by the ParameterKey (or flag) that filled it. */
function tutorialNamer(baseFromFlag: boolean): FieldNamer {
  return (path) => {
    if (path === "base" && baseFromFlag) return "--base";
    const flag = Object.entries(PIPELINE_FLAGS).find(([field]) => path === `pipeline.${field}`);
    if (flag !== undefined) return flag[1];
    // One ParameterKey holds a whole list: network.publicSubnets[1] is named by the subnets key.
    const bare = path.replace(/\[\d+\]/g, "");
    const match = TUTORIAL_PARAMETERS.find((parameter) => parameter.paths.includes(bare));
    if (match !== undefined) return match.key;
    if (bare === "network") return KEY.network;
    // The api section is missing only when its one required key is.
    if (bare === "api") return KEY.host;
    return path;
  };
}

/** The pipeline flags given, and the ones missing. */
function pipelineFlags(overrides: ParamOverrides): { values: Record<string, string>; missing: string[] } {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [field, flag] of Object.entries(PIPELINE_FLAGS)) {
    const value = overrides[field as keyof typeof PIPELINE_FLAGS];
    if (value === undefined) missing.push(flag);
    else values[field] = value;
  }
  return { values, missing };
}

/** Reads one ParameterValue into the fields it fills. */
function convertValue(parameter: TutorialParameter, text: string, raw: Record<string, unknown>, report: Report): void {
  if (parameter.placeholders?.includes(text.trim())) return;
  const [path = ""] = parameter.paths;
  if (parameter.kind === "number") {
    setPath(raw, path, NUMBER_TEXT.test(text) ? Number(text) : text);
    return;
  }
  if (parameter.kind === "text") {
    setPath(raw, path, text);
    return;
  }
  const parts = text.split(",").map((part) => part.trim());
  const expected = parameter.items?.count ?? 0;
  if (parts.length !== expected) {
    report(parameter.key, `expected ${expected} comma-separated values (${parameter.items?.meaning ?? ""}), got ${parts.length}`);
    return;
  }
  // Each path takes an equal share of the list, in order.
  const share = expected / parameter.paths.length;
  parameter.paths.forEach((target, index) => setPath(raw, target, parts.slice(index * share, (index + 1) * share)));
}
