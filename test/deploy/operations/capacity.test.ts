/** What status says of an endpoint's capacity, from the compute rows read back from its stack and the instances under its tasks. */
import type * as ecs from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { capacityDetail, capacityText, readPlacements, withInstanceTypes, type TaskPlacement } from "../../../src/deploy/operations/capacity.js";
import { loadEndpointConfig, parseEndpointConfig } from "../../../src/params/load.js";
import { decodeEndpoint } from "../../../src/render/contract.js";
import { renderEndpointStack } from "../../../src/render/render.js";
import { readRepoFile } from "../../templates/helpers.js";

const instance = (id: string) => `arn:aws:ecs:us-east-1:123456789012:container-instance/ep-a-prod/${id}`;

/** DescribeContainerInstances as ECS answers it: each instance with its `ecs.instance-type` attribute (none for `untyped`). */
function containerInstances(types: Record<string, string | undefined>) {
  const calls: ecs.DescribeContainerInstancesRequest[] = [];
  return {
    calls,
    async describeContainerInstances(input: ecs.DescribeContainerInstancesRequest): Promise<ecs.DescribeContainerInstancesResponse> {
      calls.push(input);
      return {
        containerInstances: (input.containerInstances ?? []).map((arn) => {
          const type = types[arn.split("/").pop() ?? ""];
          return { containerInstanceArn: arn, ec2InstanceId: "i-0123456789abcdef0", attributes: type ? [{ name: "ecs.instance-type", value: type }] : [] };
        }),
        failures: [],
      };
    },
  };
}

async function gpuCompute(edit: (text: string) => string = (t) => t) {
  const text = edit(readRepoFile("params/ep-gpu.yaml"));
  return decodeEndpoint(renderEndpointStack(parseEndpointConfig(text, "ep-gpu.yaml")).parameters).compute;
}

describe("capacity of a deployed endpoint", () => {
  it("says nothing for a Fargate endpoint", async () => {
    const deployed = decodeEndpoint(renderEndpointStack(await loadEndpointConfig("params/ep-b.yaml")).parameters);
    expect(capacityText(deployed.compute)).toBeUndefined();
    expect(capacityDetail(deployed.compute, [{ capacityProvider: "x", gpus: 1 }])).toBeUndefined();
  });

  it("names GPUs per task and Spot for a Spot GPU endpoint, and the instance types its tasks run on", async () => {
    const compute = await gpuCompute((t) =>
      t.replace("gpus: 1", "gpus: 2").replace("spot: false", "spot: true").replace("[g6.xlarge, g5.xlarge]", "[g5.12xlarge]"),
    );
    expect(capacityText(compute)).toBe("ECS Managed Instances, 2 GPUs per task, Spot");
    expect(capacityDetail(compute, [{ capacityProvider: "cp", gpus: 2, instanceType: "g5.12xlarge" }])).toBe(
      "ECS Managed Instances, 2 GPUs per task, Spot; 1 task on g5.12xlarge (spot) from capacity provider cp, 2 GPUs each",
    );
  });

  it("counts the tasks on each instance type, and says when a type could not be read", async () => {
    const compute = await gpuCompute();
    const tasks = [
      { capacityProvider: "cp", gpus: 1, instanceType: "g6.xlarge" },
      { capacityProvider: "cp", gpus: 1, instanceType: "g6.xlarge" },
      { capacityProvider: "cp", gpus: 1, instanceType: "g5.xlarge" },
      { capacityProvider: "cp", gpus: 1 },
    ];
    expect(capacityDetail(compute, tasks, "User is not authorized to perform: ecs:DescribeContainerInstances")).toBe(
      "ECS Managed Instances, 1 GPU per task, On-Demand; 2 tasks on g6.xlarge, 1 task on g5.xlarge, 1 task (instance type not readable: User is not authorized to perform: ecs:DescribeContainerInstances) (on-demand) from capacity provider cp, 1 GPU each",
    );
  });

  it("reads the instance type of each task's container instance from its ecs.instance-type attribute", async () => {
    const api = containerInstances({ a: "g6.xlarge", b: "g5.xlarge", c: undefined });
    const read = await withInstanceTypes<TaskPlacement>(api, "ep-a-prod", [
      { capacityProvider: "cp", containerInstanceArn: instance("a") },
      { capacityProvider: "cp", containerInstanceArn: instance("a") },
      { capacityProvider: "cp", containerInstanceArn: instance("b") },
      { capacityProvider: "cp", containerInstanceArn: instance("c") },
      // A Fargate task names no instance of the account's: not asked about.
      { containerInstanceArn: instance("fargate") },
    ]);
    expect(read.error).toBeUndefined();
    expect(read.placements.map((p) => p.instanceType)).toEqual(["g6.xlarge", "g6.xlarge", "g5.xlarge", undefined, undefined]);
    expect(api.calls).toEqual([{ cluster: "ep-a-prod", containerInstances: [instance("a"), instance("b"), instance("c")] }]);
  });

  it("leaves the types unread with AWS's message when DescribeContainerInstances fails, and makes no call without instances", async () => {
    const failing = {
      async describeContainerInstances(): Promise<ecs.DescribeContainerInstancesResponse> {
        throw new Error("AccessDeniedException: not authorized");
      },
    };
    const read = await withInstanceTypes(failing, "ep-a-prod", [{ capacityProvider: "cp", containerInstanceArn: instance("a") }]);
    expect(read).toEqual({ placements: [{ capacityProvider: "cp", containerInstanceArn: instance("a") }], error: "AccessDeniedException: not authorized" });
    const none = containerInstances({});
    expect((await withInstanceTypes(none, "ep-a-prod", [{ capacityProvider: "cp" }])).placements).toEqual([{ capacityProvider: "cp" }]);
    expect(none.calls).toEqual([]);
  });

  it("reads a service's running tasks with their placement for the status list", async () => {
    const api = {
      ...containerInstances({ a: "g6.xlarge" }),
      async listTasks(): Promise<ecs.ListTasksResponse> {
        return { taskArns: ["arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/t1"] };
      },
      async describeTasks(): Promise<ecs.DescribeTasksResponse> {
        return {
          tasks: [
            {
              taskArn: "arn:aws:ecs:us-east-1:123456789012:task/ep-a-prod/t1",
              capacityProviderName: "cp",
              containerInstanceArn: instance("a"),
              containers: [{ name: "api", gpuIds: ["GPU-1"] }],
            },
          ],
        };
      },
    };
    const read = await readPlacements(api, "ep-a-prod", "ep-gpu-prod");
    expect(capacityDetail(await gpuCompute(), read.placements, read.error)).toBe(
      "ECS Managed Instances, 1 GPU per task, On-Demand; 1 task on g6.xlarge (on-demand) from capacity provider cp, 1 GPU each",
    );
  });

  it("says a Neuron task takes every device of its instance, and how many that is where the instance type is known", () => {
    const text = readRepoFile("params/ep-gpu.yaml").replace(/^compute:\n( {2}.*\n)+/m, "compute:\n  type: neuron\n  instanceTypes: [inf2.xlarge]\n");
    const deployed = decodeEndpoint(renderEndpointStack(parseEndpointConfig(text, "ep-neuron.yaml")).parameters);
    expect(capacityText(deployed.compute)).toBe("ECS Managed Instances, all Neuron devices of its instance per task, On-Demand");
    expect(capacityDetail(deployed.compute, [{ capacityProvider: "cp", gpus: 0, instanceType: "inf2.xlarge" }])).toBe(
      "ECS Managed Instances, all Neuron devices of its instance per task, On-Demand; 1 task on inf2.xlarge (on-demand) from capacity provider cp, 1 Neuron device each",
    );
    expect(capacityDetail(deployed.compute, [{ capacityProvider: "cp", gpus: 0 }])).toMatch(/Neuron devices per task unknown/);
  });
});
