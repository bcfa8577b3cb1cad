#!/usr/bin/env node
// Regenerates the parameter reference in README.md from the schema (run after `npm run build`).
import { readFileSync, writeFileSync } from "node:fs";
import { renderParamReference } from "../dist/params/load.js";

const readme = new URL("../README.md", import.meta.url);
const text = readFileSync(readme, "utf8");
const start = "<!-- param-reference:start -->";
const end = "<!-- param-reference:end -->";
const before = text.slice(0, text.indexOf(start) + start.length);
const after = text.slice(text.indexOf(end));
writeFileSync(readme, `${before}\n${renderParamReference().trim()}\n${after}`);
