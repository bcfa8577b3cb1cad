import { test } from "vitest";
import { loadEndpointConfig, renderParamReference } from "../../src/params/load.js";
import { InputError } from "../../src/errors.js";
test("s", async () => {
  for (const f of ["ep-a.yaml", "ep-b.yaml", "create-ep-a.json", "add-ep-b.json"]) {
    try { process.stdout.write(JSON.stringify(await loadEndpointConfig(`params/${f}`, { region: "us-east-1" })) + "\n"); }
    catch (e) { process.stdout.write(String((e as InputError).message) + "\n"); }
  }
  process.stdout.write(renderParamReference());
});
