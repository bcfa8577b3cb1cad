/**
 * The emulator correction conditional-resources-update (a Condition flipped by an update), shown through the AWS
 * SDK for JavaScript v3: the corrected behaviour on the shared emulator (all corrections), and the wrong
 * behaviour on an emulator started without it, so that each test can fail.
 */
import { describe, expect, it } from "vitest";
import {
  type Aws,
  describeStack,
  emulatorWithout,
  groupExists,
  main,
  scheduleOf,
  switchedTemplate,
  throughChangeSet,
  uniqueName,
  WITHOUT_RESOURCE_STATE,
} from "./helpers.js";

let withoutState: Aws;
emulatorWithout(WITHOUT_RESOURCE_STATE, (a) => (withoutState = a));

describe("conditional-resources-update (a Condition flipped by an update)", () => {
  it("an update that makes a condition true creates its resources; one that makes it false deletes them", async () => {
    const name = uniqueName("cond");
    const body = switchedTemplate(`/c/${name}`, name);
    await throughChangeSet(main, name, "CREATE", { body, values: { S: "" } });
    expect(await groupExists(main, `/c/${name}`)).toBe(false);
    await throughChangeSet(main, name, "UPDATE", { body, values: { S: "rate(5 minutes)" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(await groupExists(main, `/c/${name}`)).toBe(true);
    expect((await scheduleOf(main, name))?.Target?.EcsParameters?.NetworkConfiguration?.awsvpcConfiguration?.Subnets).toEqual(["subnet-1"]);
    await throughChangeSet(main, name, "UPDATE", { body, values: { S: "" } });
    expect((await describeStack(main, name)).StackStatus).toBe("UPDATE_COMPLETE");
    expect(await groupExists(main, `/c/${name}`)).toBe(false);
    expect(await scheduleOf(main, name)).toBeUndefined();
  });

  it("without it, the resources of a condition that became true are never created", async () => {
    const name = uniqueName("cond");
    const body = switchedTemplate(`/c/${name}`, name);
    await throughChangeSet(withoutState, name, "CREATE", { body, values: { S: "" } });
    await throughChangeSet(withoutState, name, "UPDATE", { body, values: { S: "rate(5 minutes)" } }).catch(() => undefined);
    expect(await groupExists(withoutState, `/c/${name}`)).toBe(false);
  });
});
