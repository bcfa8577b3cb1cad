/**
 * Where a volume's data lies on its file system, so that no deployment hides it: file systems
 * of this version hold it in the access point's /data directory (tag `mlops:volume-root`),
 * those of earlier versions at their root (no tag; a stack without the VolumeRoot parameters).
 * What EFS then allows on each layout: test/templates/efs-authorization.test.ts.
 */
import { describe, expect, it } from "vitest";
import { findEndpointFileSystems, keptVolumes } from "../../../src/deploy/steps/file-systems.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { renderEndpointStack, volumeRootsOf } from "../../../src/render/render.js";
import { FakeEfs } from "../../fakes/efs.js";

describe("volume roots", () => {
  it("a kept file system's root comes from its mlops:volume-root tag; one without the tag holds its data at its root", async () => {
    const efs = new FakeEfs();
    const assets = efs.add("ep-a-prod", "assets");
    const weights = efs.add("ep-a-prod", "weights");
    efs.fileSystems.find((f) => f.FileSystemId === assets)!.Tags!.push({ Key: "mlops:volume-root", Value: "/data" });
    const kept = keptVolumes(await findEndpointFileSystems(efs, "ep-a-prod"));
    expect(kept).toEqual({ assets, weights, assetsRoot: "/data", weightsRoot: "/" });
  });

  it("a deployed stack keeps its roots; a stack deployed before the volumes had access points has its data at the root", () => {
    expect(volumeRootsOf({ AssetsVolumeRoot: "/data", WeightsVolumeRoot: "/data" })).toEqual({ assetsVolumeRoot: "/data", weightsVolumeRoot: "/data" });
    expect(volumeRootsOf({ AssetsFileSystemId: "", WeightsFileSystemId: "" })).toEqual({ assetsVolumeRoot: "/", weightsVolumeRoot: "/" });
  });

  it("renders /data for new file systems and, when not told otherwise, / for kept ones", async () => {
    const config = await loadEndpointConfig("params/ep-a.yaml", {});
    expect(renderEndpointStack(config).parameters).toMatchObject({ AssetsVolumeRoot: "/data", WeightsVolumeRoot: "/data", WeightsReadOnly: "true" });
    expect(
      renderEndpointStack(config, { assetsFileSystemId: "fs-0123456789abcdef0", weightsFileSystemId: "fs-0123456789abcdef1", weightsVolumeRoot: "/data" })
        .parameters,
    ).toMatchObject({
      AssetsVolumeRoot: "/",
      WeightsVolumeRoot: "/data",
    });
  });
});
