/** The command line's `mlops test`; the work is in test.ts. */
import { PARAMS_ARGUMENT, READING_GLOBALS, type CommandDefinition } from "./definition.js";

/** Defaults of test's options, in seconds. */
export const TEST_DEFAULTS = { timeout: 10 } as const;

/** `mlops test <params>`. */
export const testCommand: CommandDefinition = {
  name: "test",
  description: "send a real HTTPS request to the endpoint and show the status code and latency; exit 1 with what to check when it fails",
  arguments: [PARAMS_ARGUMENT],
  options: [
    { flags: "--path <path>", description: "path to request (default: the health check path, api.healthCheckPath)" },
    {
      flags: "--connect-to <host:port>",
      description: "connect there instead of the endpoint's address, keeping its host as TLS name and Host header (as curl's --connect-to)",
    },
    { flags: "--ca-bundle <file>", description: "also trust the CA certificates in this PEM file (also: NODE_EXTRA_CA_CERTS)" },
    { flags: "--timeout <seconds>", description: "how long the request may take", default: TEST_DEFAULTS.timeout },
  ],
  tutorialFlags: true,
  globals: READING_GLOBALS,
  examples: ["mlops test params/ep-a.yaml --path /predict", "mlops test params/ep-a.yaml --connect-to 127.0.0.1:8443 --ca-bundle ca.pem"],
  clients: ["cloudFormation", "elb"],
  run: async (input, deps) => {
    await (await import("./test.js")).runTest(input, deps);
  },
};
