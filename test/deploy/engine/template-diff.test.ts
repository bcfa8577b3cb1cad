import { describe, expect, it } from "vitest";
import { diffParameters, diffTemplates, templateResources } from "../../../src/deploy/engine/template-diff.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { changeSummary } from "../../../src/deploy/workflows/plan.js";
import { loadEndpointConfig } from "../../../src/params/load.js";
import { fileURLToPath } from "node:url";

const epA = fileURLToPath(new URL("../../../params/ep-a.yaml", import.meta.url));

describe("property-level stack diff", () => {
  it("shows an image change and a memory change inside the task definition, marked as a replacement", async () => {
    const config = await loadEndpointConfig(epA, {});
    const before = renderEndpointStack(config, { imageTag: "v1", certificateArn: "arn:aws:acm:us-east-1:1:certificate/x" });
    const bigger = { ...config, container: { ...config.container, memoryMiB: 4096 }, scaling: { ...config.scaling, max: 6 } };
    const after = renderEndpointStack(bigger, { imageTag: "v2", certificateArn: "arn:aws:acm:us-east-1:1:certificate/x" });
    const diffs = diffTemplates(before, after);
    const task = diffs.find((d) => d.logicalId === "TaskDefinition");
    expect(task?.properties).toContainEqual({ path: "Memory", before: "2048", after: "4096" });
    expect(task?.properties).toContainEqual({
      path: "ContainerDefinitions[0].Image",
      before: "${Repository.RepositoryUri}:v1",
      after: "${Repository.RepositoryUri}:v2",
    });
    expect(task?.replacedBecauseOf).toEqual(["ContainerDefinitions", "Memory"]);
    expect(diffs.find((d) => d.logicalId === "ScalableTarget")?.properties).toEqual([{ path: "MaxCapacity", before: "4", after: "6" }]);
    // Nothing else changes: parameters land only where they are used.
    expect(diffs.map((d) => d.logicalId).sort()).toEqual(["ScalableTarget", "TaskDefinition"]);
    expect(changeSummary(diffParameters(before.parameters, after.parameters), "v2")).toEqual([
      "configuration changed: max tasks 4 -> 6, memory 2048 -> 4096",
      "image changed: v1 -> v2",
    ]);
    expect(changeSummary(diffParameters(before.parameters, { ...before.parameters, TaskRAM: "4096" }), "v9")).toEqual([
      "configuration changed: memory 2048 -> 4096",
      "image unchanged: v9",
    ]);
  });

  it("marks security-group and IAM changes, evaluates conditions and lists what a new stack creates", async () => {
    const config = await loadEndpointConfig(epA, {});
    const base = renderEndpointStack(config, { imageTag: "v1" });
    const narrower = renderEndpointStack({ ...config, network: { ...config.network!, allowedCidr: "10.1.0.0/16" } }, { imageTag: "v1" });
    const sg = diffTemplates(base, narrower).find((d) => d.logicalId === "LoadBalancerSecurityGroup");
    expect(sg?.access).toBe("security-group");
    expect(sg?.properties.some((p) => p.before === "0.0.0.0/0" && p.after === "10.1.0.0/16")).toBe(true);
    // A kept file system (condition false) is not created again.
    const kept = templateResources(renderEndpointStack(config, { imageTag: "v1", assetsFileSystemId: "fs-1" })).map((r) => r.logicalId);
    expect(kept).not.toContain("AssetsFileSystem");
    expect(templateResources(base).map((r) => r.logicalId)).toContain("AssetsFileSystem");
  });
});
