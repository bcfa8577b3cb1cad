/**
 * The emulator correction change-set-execute (moto: change sets work only partly), shown through the AWS SDK for
 * JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong behaviour on an
 * emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import { ecsTemplate, exporterTemplate, importerTemplate } from "../fixtures.js";
import {
  type Aws,
  describeService,
  describeStack,
  emulatorWithout,
  exportNames,
  main,
  stackResources,
  throughChangeSet,
  uniqueName,
  WITHOUT_STACK_LIFECYCLE,
} from "./helpers.js";

let withoutLifecycle: Aws;
emulatorWithout(WITHOUT_STACK_LIFECYCLE, (a) => (withoutLifecycle = a));

describe("change-set-execute (moto: change sets work only partly)", () => {
  it("a stack created through a change set has its outputs and exports, and another can import them", async () => {
    const base = uniqueName("x");
    const changes = await throughChangeSet(main, base, "CREATE", { body: exporterTemplate() });
    expect(changes.map((c) => [c.ResourceChange?.Action, c.ResourceChange?.LogicalResourceId])).toEqual([["Add", "Logs"]]);
    const stack = await describeStack(main, base);
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Outputs?.find((o) => o.OutputKey === "LogsName")?.OutputValue).toBe(`/emu/${base}`);
    expect(await exportNames(main)).toContain(`${base}-Logs`);

    const importer = uniqueName("y");
    await throughChangeSet(main, importer, "CREATE", { body: importerTemplate(), values: { BaseName: base } });
    expect((await describeStack(main, importer)).StackStatus).toBe("CREATE_COMPLETE");
  });

  it("an UPDATE change set lists what a parameter change modifies, and executing it applies it", async () => {
    const name = uniqueName("u");
    await throughChangeSet(main, name, "CREATE", { body: ecsTemplate(), values: { APITag: "v1", DesiredCount: 1 } });
    const changes = await throughChangeSet(main, name, "UPDATE", { values: { APITag: "v2" }, previous: ["DesiredCount"] });
    expect(changes.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`).sort()).toEqual(["Modify Service", "Modify TaskDef"]);
    const stack = await describeStack(main, name);
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(stack.Parameters?.find((p) => p.ParameterKey === "APITag")?.ParameterValue).toBe("v2");
    const made = await stackResources(main, name);
    const service = await describeService(main, made.Cluster!, made.Service!);
    expect(service.taskDefinition).toMatch(/:2$/);
    expect(service.desiredCount).toBe(1);
  });

  it("without it, a stack created through a change set has no outputs and exports nothing", async () => {
    const a = withoutLifecycle;
    const base = uniqueName("x");
    await throughChangeSet(a, base, "CREATE", { body: exporterTemplate() });
    const stack = await describeStack(a, base);
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack.Outputs ?? []).toEqual([]);
    expect(await exportNames(a)).not.toContain(`${base}-Logs`);
  });
});
