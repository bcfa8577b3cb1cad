#!/usr/bin/env node
// With MLOPS_DEBUG set, mlops prints the stack trace of an unexpected error, and source maps
// (dist/*.js.map) make it point at the TypeScript sources. Only then: turning them on costs about
// 9 ms of a 65 ms `mlops --version` (CPU profile), on every run. Turned on before the bundle loads,
// since Node reads a module's source map only when it compiles it.
if (process.env.MLOPS_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import("../dist/cli.js");

process.exitCode = await main(process.argv);
