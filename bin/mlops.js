#!/usr/bin/env node
// Stack traces point at the TypeScript sources through dist/*.js.map. Turned on
// before the bundle loads: Node reads a module's source map only when it compiles it.
process.setSourceMapsEnabled(true);
const { main } = await import("../dist/cli.js");

process.exitCode = await main(process.argv);
