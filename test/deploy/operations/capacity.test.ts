/** What status says of an endpoint's capacity, from the compute rows read back from its stack. */
import { describe, expect, it } from "vitest";
import { capacityDetail, capacityText } from "../../../src/deploy/operations/capacity.js";
import { loadEndpointConfig, parseEndpointConfig } from "../../../src/params/load.js";
import { decodeEndpoint } from "../../../src/render/contract.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { readRepoFile } from "../../templates/helpers.js";

describe("capacity of a deployed endpoint", () => {
  it("says nothing for a Fargate endpoint", async () => {
    const deployed = decodeEndpoint(renderEndpointStack(await loadEndpointConfig("params/ep-b.yaml")).parameters);
    expect(capacityText(deployed.compute)).toBeUndefined();
    expect(capacityDetail(deployed.compute, [{ capacityProvider: "x", gpus: 1 }])).toBeUndefined();
  });

  it("names GPUs per task and Spot for a Spot GPU endpoint, and where its tasks run", () => {
    const text = readRepoFile("params/ep-gpu.yaml")
      .replace("gpus: 1", "gpus: 2")
      .replace("spot: false", "spot: true")
      .replace("[g6.xlarge, g5.xlarge]", "[g5.12xlarge]");
    const deployed = decodeEndpoint(renderEndpointStack(parseEndpointConfig(text, "ep-gpu.yaml")).parameters);
    expect(capacityText(deployed.compute)).toBe("ECS Managed Instances, 2 GPUs per task, Spot");
    expect(capacityDetail(deployed.compute, [{ capacityProvider: "cp", gpus: 2 }])).toBe(
      "ECS Managed Instances, 2 GPUs per task, Spot; 1 task(s) on capacity provider cp, 2 GPU(s) each",
    );
  });

  it("says a Neuron task takes every device of its instance", () => {
    const text = readRepoFile("params/ep-gpu.yaml").replace(/^compute:\n( {2}.*\n)+/m, "compute:\n  type: neuron\n  instanceTypes: [inf2.xlarge]\n");
    const deployed = decodeEndpoint(renderEndpointStack(parseEndpointConfig(text, "ep-neuron.yaml")).parameters);
    expect(capacityText(deployed.compute)).toBe("ECS Managed Instances, all Neuron devices of its instance per task, On-Demand");
  });
});
