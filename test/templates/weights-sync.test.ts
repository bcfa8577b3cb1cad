/** The scheduled weights sync (the sync task definition's own command) is the script `mlops weights push` runs, named by the time it runs. */
import { describe, expect, it } from "vitest";
import { SCHEDULED_VERSION, versionedSyncScript } from "../../src/deploy/steps/weights-versions.js";
import { ENDPOINTS, list, obj, props, resource } from "./helpers.js";

describe("weights sync task definition", () => {
  it("syncs into a new version and switches current, as weights push does, in both templates", () => {
    const expected = versionedSyncScript(
      "s3://${WeightsSourceBucket}/${WeightsSourcePrefix}",
      false,
      SCHEDULED_VERSION,
      "/mnt/weights",
      "${AWS::Region}",
    ).replace("--no-progress", "--no-progress${Delete}");
    for (const [name, t] of ENDPOINTS) {
      const container = obj(list(props(resource(t, "WeightsSyncTaskDefinition"))["ContainerDefinitions"])[0]);
      const choice = list(obj(list(container["Command"])[0])["Fn::If"]);
      const sub = list(obj(choice[1])["Fn::Sub"]);
      expect(sub[0], name).toBe(expected);
      expect(sub[1], name).toEqual({ Delete: { "Fn::If": ["SyncDeletes", " --delete", ""] } });
    }
  });
});
