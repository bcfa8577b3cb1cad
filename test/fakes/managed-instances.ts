/**
 * A service on an ECS Managed Instances capacity provider, for what the emulator cannot show: time
 * passing while an instance launches, and a Spot instance taken back by EC2. Behind `EcsApi`
 * (DescribeServices, ListTasks, DescribeTasks), answering as these AWS pages say:
 *
 * - Instance launch: when no instance has room for a new task, ECS launches one and the task waits
 *   in `PROVISIONING` meanwhile, then goes on to `RUNNING` (Amazon ECS Developer Guide, "Amazon ECS
 *   task lifecycle", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html;
 *   "Automatically manage Amazon ECS capacity with cluster auto scaling",
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html). The service
 *   counts such a task as pending (ECS API reference, Service, `pendingCount`). The launch lasts
 *   `launchSeconds` of the fake clock: minutes on AWS, which publishes no figure.
 * - Spot interruption: Spot Instances of a Managed Instances provider "can be interrupted by Amazon
 *   EC2 with a two-minute notification" (ECS API reference, InstanceLaunchTemplate,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InstanceLaunchTemplate.html); the
 *   task on the reclaimed instance is stopped with the stop code `SpotInterruption` (ECS API
 *   reference, Task, `stopCode`, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html)
 *   and the service scheduler starts a replacement (Amazon ECS Developer Guide, "Draining Amazon ECS
 *   container instances", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html).
 *   AWS documents no `stoppedReason` text for it on Managed Instances: the fake's is a placeholder
 *   that mlops must not rely on.
 */
import type * as ecs from "@aws-sdk/client-ecs";
import type { EcsApi } from "../../src/aws/interfaces.js";
import type { Clock } from "../../src/deploy/engine/clock.js";

const CLUSTER = "ep-a-prod";
const PROVIDER = "ep-gpu-prod-capacity";

/** One task of the fake service. */
interface FakeTask {
  id: string;
  lastStatus: "PROVISIONING" | "RUNNING" | "STOPPED";
  desiredStatus: "RUNNING" | "STOPPED";
  stopCode?: string;
  stoppedReason?: string;
  stoppedAt?: Date;
}

/** The calls a rollout watch and a stopped-task report make; any other call is not modelled. */
export class FakeManagedInstancesService implements Pick<EcsApi, "describeServices" | "listTasks" | "describeTasks"> {
  readonly calls: string[] = [];
  private readonly tasks: FakeTask[] = [];
  private launchStartedAt?: number;

  /** `managed: false` makes it a Fargate service (no capacity provider strategy), for contrast. */
  constructor(
    private readonly clock: Clock,
    private readonly options: { launchSeconds?: number; managed?: boolean } = {},
  ) {}

  private arn(id: string): string {
    return `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`;
  }

  /** A deployment starts a task that needs a new instance: PROVISIONING until `launchSeconds` have passed. */
  startTaskOnNewInstance(id = "t-new"): void {
    this.launchStartedAt = this.clock.now();
    this.tasks.push({ id, lastStatus: "PROVISIONING", desiredStatus: "RUNNING" });
  }

  /** A task already running on an instance. */
  runningTask(id: string): void {
    this.tasks.push({ id, lastStatus: "RUNNING", desiredStatus: "RUNNING" });
  }

  /** EC2 reclaims the Spot instance under `id`: its task stops with SpotInterruption and the service starts a replacement. */
  interruptSpot(id: string, replacement = `${id}-replacement`): void {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) throw new Error(`no task ${id}`);
    Object.assign(task, {
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "SpotInterruption",
      stoppedReason: "(placeholder: AWS documents no reason text)",
      stoppedAt: new Date(this.clock.now()),
    });
    this.startTaskOnNewInstance(replacement);
  }

  private settle(): void {
    if (this.launchStartedAt === undefined) return;
    if (this.clock.now() - this.launchStartedAt < (this.options.launchSeconds ?? 240) * 1000) return;
    for (const t of this.tasks) if (t.lastStatus === "PROVISIONING") t.lastStatus = "RUNNING";
  }

  async describeServices(): Promise<ecs.DescribeServicesResponse> {
    this.calls.push("describeServices");
    this.settle();
    const live = this.tasks.filter((t) => t.desiredStatus === "RUNNING");
    const running = live.filter((t) => t.lastStatus === "RUNNING").length;
    return {
      services: [
        {
          serviceName: "ep-gpu-prod",
          status: "ACTIVE",
          desiredCount: live.length,
          runningCount: running,
          pendingCount: live.length - running,
          ...(this.options.managed === false ? { launchType: "FARGATE" } : { capacityProviderStrategy: [{ capacityProvider: PROVIDER, weight: 1, base: 0 }] }),
          deployments: [
            {
              id: "ecs-svc/2",
              status: "PRIMARY",
              rolloutState: running === live.length ? "COMPLETED" : "IN_PROGRESS",
              createdAt: new Date(this.launchStartedAt ?? this.clock.now()),
              desiredCount: live.length,
              runningCount: running,
              pendingCount: live.length - running,
            },
          ],
        },
      ],
    };
  }

  async listTasks(input: ecs.ListTasksRequest): Promise<ecs.ListTasksResponse> {
    this.calls.push("listTasks");
    this.settle();
    const wanted = input.desiredStatus ?? "RUNNING";
    // One page of at most maxResults (default and most: 100; ECS API reference, ListTasks).
    const arns = this.tasks.filter((t) => t.desiredStatus === wanted).map((t) => this.arn(t.id));
    return { taskArns: arns.slice(0, Math.min(input.maxResults ?? 100, 100)) };
  }

  async describeTasks(input: ecs.DescribeTasksRequest): Promise<ecs.DescribeTasksResponse> {
    this.calls.push("describeTasks");
    // DescribeTasks takes at most 100 tasks (ECS API reference, DescribeTasks, `tasks`).
    if ((input.tasks ?? []).length > 100) throw new Error("InvalidParameterException: Tasks cannot be more than 100.");
    this.settle();
    const tasks = (input.tasks ?? []).flatMap((arn) => {
      const t = this.tasks.find((x) => this.arn(x.id) === arn);
      if (!t) return [];
      return [
        {
          taskArn: arn,
          lastStatus: t.lastStatus,
          desiredStatus: t.desiredStatus,
          ...(this.options.managed === false
            ? { launchType: "FARGATE" as const }
            : { launchType: "MANAGED_INSTANCES" as const, capacityProviderName: PROVIDER }),
          ...(t.stopCode ? { stopCode: t.stopCode as ecs.TaskStopCode, stoppedReason: t.stoppedReason, stoppedAt: t.stoppedAt } : {}),
        } satisfies ecs.Task,
      ];
    });
    return { tasks, failures: [] };
  }
}
