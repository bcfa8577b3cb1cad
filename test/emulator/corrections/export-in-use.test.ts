/**
 * The emulator correction export-in-use (moto gap 10), shown through the AWS SDK for JavaScript v3: the
 * corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an emulator started
 * without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { DeleteStackCommand, ListImportsCommand, ListStacksCommand } from "@aws-sdk/client-cloudformation";
import { exporterTemplate, importerTemplate } from "../fixtures.js";
import { type Aws, createStack, describeStack, emulatorWithout, exportNames, main, uniqueName, WITHOUT_STACK_LIFECYCLE } from "./helpers.js";

let withoutLifecycle: Aws;
emulatorWithout(WITHOUT_STACK_LIFECYCLE, (a) => (withoutLifecycle = a));

describe("export-in-use (moto gap 10)", () => {
  it("an imported export protects its stack; ListImports names the importers", async () => {
    const base = uniqueName("x");
    const importer = uniqueName("y");
    await createStack(main, base, exporterTemplate());
    await createStack(main, importer, importerTemplate(), { BaseName: base });

    const imports = await main.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }));
    expect(imports.Imports).toEqual([importer]);

    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    const kept = await describeStack(main, base);
    expect(kept.StackStatus).toBe("CREATE_COMPLETE");
    expect(kept.StackStatusReason).toBe(`Export ${base}-Logs cannot be deleted as it is in use by ${importer}`);
    expect(await exportNames(main)).toContain(`${base}-Logs`);

    await main.cf.send(new DeleteStackCommand({ StackName: importer }));
    await expect(main.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }))).rejects.toThrow(/is not imported by any stack/);
    await main.cf.send(new DeleteStackCommand({ StackName: base }));
    await expect(describeStack(main, base)).rejects.toThrow(/does not exist/);
  });

  it("without it, the exporting stack is deleted under its importer and ListImports does not exist", async () => {
    const a = withoutLifecycle;
    const base = uniqueName("x");
    const importer = uniqueName("y");
    await createStack(a, base, exporterTemplate());
    await createStack(a, importer, importerTemplate(), { BaseName: base });

    await expect(a.cf.send(new ListImportsCommand({ ExportName: `${base}-Logs` }))).rejects.toThrow();
    await a.cf.send(new DeleteStackCommand({ StackName: base }));
    await expect(describeStack(a, base)).rejects.toThrow(/does not exist/);
    expect(await exportNames(a)).not.toContain(`${base}-Logs`);
    const live = await a.cf.send(new ListStacksCommand({ StackStatusFilter: ["CREATE_COMPLETE"] }));
    expect((live.StackSummaries ?? []).map((s) => s.StackName)).toContain(importer);
  });
});
