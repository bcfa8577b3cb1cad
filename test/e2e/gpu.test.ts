/**
 * A GPU endpoint beside a CPU endpoint on one base, then a Neuron endpoint on the same base, end to end: the real `mlops` binary against the
 * emulator (with its managed-instances and gpu-tasks corrections), the AWS state checked through the SDK.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { pushImage, pushWhenRepositoryExists, sdkClients } from "../helpers/aws.js";
import { failure, runMlops, type MlopsRun } from "../helpers/mlops.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
});
afterAll(async () => {
  await emulator?.stop();
});

async function deployWithPush(args: string[], repository: string, tag: string): Promise<MlopsRun> {
  const controller = new AbortController();
  const pushing = pushWhenRepositoryExists(aws.ecr, repository, tag, controller.signal);
  const run = await runMlops(args, { endpointUrl: emulator.url });
  controller.abort();
  await pushing;
  return run;
}

async function parameter(stackName: string, key: string): Promise<string | undefined> {
  const stack = (await aws.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  return stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

/** The Managed Instances capacity providers of the base's cluster. */
async function gpuProviders() {
  const cluster = (await aws.ecs.send(new DescribeClustersCommand({ clusters: ["ep-a-prod"] }))).clusters?.[0];
  const names = cluster?.capacityProviders ?? [];
  const all = (await aws.ecs.send(new DescribeCapacityProvidersCommand({}))).capacityProviders ?? [];
  return { names, providers: all.filter((p) => p.type === "MANAGED_INSTANCES") };
}

async function service(name: string) {
  return (await aws.ecs.send(new DescribeServicesCommand({ cluster: "ep-a-prod", services: [name] }))).services?.[0];
}

describe("a GPU endpoint beside a CPU endpoint on one base", () => {
  it("create-endpoint makes the CPU base on Fargate", async () => {
    const run = await deployWithPush(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--yes", "--no-pipeline"], "ep-a-prod", "v1");
    expect(run.code, failure(run)).toBe(0);
    expect((await gpuProviders()).providers).toEqual([]);
  });

  it("add-endpoint brings the GPU endpoint's own capacity provider, runs its service there and its tasks with a GPU", async () => {
    const run = await deployWithPush(["add-endpoint", "params/ep-gpu.yaml", "--tag", "v1", "--yes"], "ep-gpu-prod", "v1");
    expect(run.code, failure(run)).toBe(0);
    // The plan names the capacity, says the price is unknown rather than guess it, and the rollout's extra instance.
    expect(run.stderr).toContain("Capacity: ECS Managed Instances, On-Demand; 1 GPU per task; instances: g6.xlarge, g5.xlarge");
    expect(run.stderr).toContain("g6.xlarge price unknown");
    expect(run.stderr).toMatch(/Rollout capacity: up to 1 extra task\(s\) .* up to 1 extra instance/);
    expect(run.stderr).toMatch(/Assumed for a GPU task: a new instance ready in ~3 min, a 10 GB CUDA image pulled in ~4 min/);
    // About 9.5 min to roll out and 2 min of alarm watching: more than the 15 minutes the command waits by default, with a margin.
    expect(run.stderr).toContain("Give --rollout-timeout 17 or more");
    const { names, providers } = await gpuProviders();
    expect(providers).toHaveLength(1);
    const provider = providers[0]!;
    expect(names).toContain(provider.name);
    expect(provider.cluster).toBe("ep-a-prod");
    expect(provider.managedInstancesProvider?.instanceLaunchTemplate?.instanceRequirements?.allowedInstanceTypes).toEqual(["g6.xlarge", "g5.xlarge"]);
    expect(provider.managedInstancesProvider?.instanceLaunchTemplate?.capacityOptionType).toBe("ON_DEMAND");

    const gpu = await service("ep-gpu-prod");
    expect(gpu?.launchType).toBeUndefined();
    expect(gpu?.capacityProviderStrategy).toEqual([{ capacityProvider: provider.name, weight: 1, base: 0 }]);
    expect((await service("ep-a-prod"))?.launchType).toBe("FARGATE");

    const taskArns = (await aws.ecs.send(new ListTasksCommand({ cluster: "ep-a-prod", serviceName: "ep-gpu-prod" }))).taskArns ?? [];
    expect(taskArns).toHaveLength(1);
    const [task] = (await aws.ecs.send(new DescribeTasksCommand({ cluster: "ep-a-prod", tasks: taskArns }))).tasks ?? [];
    expect(task).toMatchObject({ launchType: "MANAGED_INSTANCES", capacityProviderName: provider.name });
    expect(task?.containers?.[0]?.gpuIds).toHaveLength(1);
  });

  it("diff right after add-endpoint finds nothing to change (exit 0)", async () => {
    const run = await runMlops(["diff", "params/ep-gpu.yaml", "--tag", "v1"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
  });

  it("update rolls out a new image on the same capacity provider", async () => {
    const before = (await gpuProviders()).providers.map((p) => p.name);
    await pushImage(aws.ecr, "ep-gpu-prod", "v2");
    const run = await runMlops(["update", "params/ep-gpu.yaml", "--tag", "v2", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(await parameter("ep-gpu-prod", "APITag")).toBe("v2");
    expect((await gpuProviders()).providers.map((p) => p.name)).toEqual(before);
    expect((await service("ep-gpu-prod"))?.capacityProviderStrategy?.[0]?.capacityProvider).toBe(before[0]);
  });

  it("a canary update and a rollback keep the GPU service on its capacity provider", async () => {
    const [provider] = (await gpuProviders()).providers.map((p) => p.name);
    await pushImage(aws.ecr, "ep-gpu-prod", "v3");
    const canary = await runMlops(["update", "params/ep-gpu.yaml", "--tag", "v3", "--strategy", "canary", "--yes"], { endpointUrl: emulator.url });
    expect(canary.code, failure(canary)).toBe(0);
    expect(await parameter("ep-gpu-prod", "DeploymentStrategy")).toBe("CANARY");
    // A canary starts a whole second revision beside the first: one more GPU instance for one task.
    expect(canary.stderr).toMatch(/Rollout capacity: up to 1 extra task\(s\)/);
    expect((await service("ep-gpu-prod"))?.capacityProviderStrategy?.[0]?.capacityProvider).toBe(provider);
    // The traffic sits on the alternate target group after a canary: the rollback shifts it back the same way.
    const back = await runMlops(["rollback", "params/ep-gpu.yaml", "--strategy", "canary", "--yes"], { endpointUrl: emulator.url });
    expect(back.code, failure(back)).toBe(0);
    expect(await parameter("ep-gpu-prod", "APITag")).toBe("v2");
    expect((await gpuProviders()).providers.map((p) => p.name)).toEqual([provider]);
    expect((await service("ep-gpu-prod"))?.launchType).toBeUndefined();
  });

  it("status lists both endpoints without problems, with the GPU endpoint's capacity", async () => {
    const run = await runMlops(["status", "--json"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const status = JSON.parse(run.stdout) as { healthy: boolean; endpoints: { endpoint: string; imageTag: string; capacity?: string; problems: string[] }[] };
    const provider = (await gpuProviders()).providers[0]!.name;
    // The instance type comes from the container instance under the task (the gpu-container-instances correction).
    const capacity = `ECS Managed Instances, 1 GPU per task, On-Demand; 1 task on g6.xlarge (on-demand) from capacity provider ${provider}, 1 GPU each`;
    expect(status.endpoints.map((e) => [e.endpoint, e.imageTag, e.capacity])).toEqual([
      ["ep-a-prod", "v1", undefined],
      ["ep-gpu-prod", "v2", capacity],
    ]);
    expect(status.endpoints.flatMap((e) => e.problems)).toEqual([]);
    const table = await runMlops(["status"], { endpointUrl: emulator.url });
    expect(table.stdout).toContain(`Capacity of ep-gpu-prod: ${capacity}`);
    const detail = await runMlops(["status", "ep-gpu"], { endpointUrl: emulator.url });
    expect(detail.code, failure(detail)).toBe(0);
    expect(detail.stdout.split("\n")).toContain(`Capacity:    ${capacity}`);
    expect(detail.stdout).toMatch(/^ +TASK +STATUS +HEALTH +STARTED +TASK DEFINITION +AZ +INSTANCE TYPE$/m);
  });

  it("teardown of the GPU endpoint deletes its capacity provider and leaves the base", async () => {
    const run = await runMlops(["teardown", "params/ep-gpu.yaml", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    const { names, providers } = await gpuProviders();
    expect(providers).toEqual([]);
    expect(names).toEqual([]);
    expect((await service("ep-a-prod"))?.status).toBe("ACTIVE");
  });
});

/** ep-gpu.yaml as a Neuron endpoint on inf2.xlarge (one Inferentia2 device, 4 vCPUs, 16 GiB), written beside the test's other files. */
function neuronParams(): string {
  const text = readFileSync("params/ep-gpu.yaml", "utf8")
    .replace("project: ep-gpu", "project: ep-neuron")
    .replace("hostHeader: ep-gpu.example.com", "hostHeader: ep-neuron.example.com")
    .replace(/^compute:\n( {2}.*\n)+/m, "compute:\n  type: neuron\n  instanceTypes: [inf2.xlarge]\n");
  const dir = mkdtempSync(join(tmpdir(), "mlops-neuron-"));
  writeFileSync(join(dir, "ep-neuron.yaml"), text);
  return join(dir, "ep-neuron.yaml");
}

describe("a Neuron endpoint added to the same base", () => {
  it("add-endpoint, status with its Neuron devices per task and instance type, teardown leaving no capacity provider", async () => {
    const file = neuronParams();
    const run = await deployWithPush(["add-endpoint", file, "--tag", "v1", "--yes"], "ep-neuron-prod", "v1");
    expect(run.code, failure(run)).toBe(0);
    const { providers } = await gpuProviders();
    expect(providers.map((p) => p.managedInstancesProvider?.instanceLaunchTemplate?.instanceRequirements?.allowedInstanceTypes)).toEqual([["inf2.xlarge"]]);
    const provider = providers[0]!.name;

    const detail = await runMlops(["status", "ep-neuron"], { endpointUrl: emulator.url });
    expect(detail.code, failure(detail)).toBe(0);
    expect(detail.stdout.split("\n")).toContain(
      `Capacity:    ECS Managed Instances, all Neuron devices of its instance per task, On-Demand; 1 task on inf2.xlarge (on-demand) from capacity provider ${provider}, 1 Neuron device each`,
    );

    const down = await runMlops(["teardown", file, "--yes"], { endpointUrl: emulator.url });
    expect(down.code, failure(down)).toBe(0);
    expect(await gpuProviders()).toEqual({ names: [], providers: [] });
    const all = await runMlops(["teardown", "--all", "--yes"], { endpointUrl: emulator.url });
    expect(all.code, failure(all)).toBe(0);
    rmSync(dirname(file), { recursive: true, force: true });
  });
});
