/**
 * ECS through the SDK, in a module of its own so that a command loads this
 * client only when it calls ECS.
 */
import * as ecs from "@aws-sdk/client-ecs";
import type { EcsApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { ECSClient } from "@aws-sdk/client-ecs";

/** ECS through the SDK. */
export class SdkEcs extends Adapter implements EcsApi {
  constructor(
    private readonly client: ecs.ECSClient,
    context: AdapterContext,
  ) {
    super(context, "ECS", "ecs");
  }
  describeServices(input: ecs.DescribeServicesRequest) {
    return this.call("DescribeServices", (options) => this.client.send(new ecs.DescribeServicesCommand(input), options));
  }
  listTasks(input: ecs.ListTasksRequest) {
    return this.call("ListTasks", (options) => this.client.send(new ecs.ListTasksCommand(input), options));
  }
  describeTasks(input: ecs.DescribeTasksRequest) {
    return this.call("DescribeTasks", (options) => this.client.send(new ecs.DescribeTasksCommand(input), options));
  }
  describeContainerInstances(input: ecs.DescribeContainerInstancesRequest) {
    return this.call("DescribeContainerInstances", (options) => this.client.send(new ecs.DescribeContainerInstancesCommand(input), options));
  }
  listServiceDeployments(input: ecs.ListServiceDeploymentsRequest) {
    return this.call("ListServiceDeployments", (options) => this.client.send(new ecs.ListServiceDeploymentsCommand(input), options));
  }
  describeServiceDeployments(input: ecs.DescribeServiceDeploymentsRequest) {
    return this.call("DescribeServiceDeployments", (options) => this.client.send(new ecs.DescribeServiceDeploymentsCommand(input), options));
  }
  describeServiceRevisions(input: ecs.DescribeServiceRevisionsRequest) {
    return this.call("DescribeServiceRevisions", (options) => this.client.send(new ecs.DescribeServiceRevisionsCommand(input), options));
  }
  runTask(input: ecs.RunTaskRequest) {
    return this.call("RunTask", (options) => this.client.send(new ecs.RunTaskCommand(input), options));
  }
  stopTask(input: ecs.StopTaskRequest) {
    return this.call("StopTask", (options) => this.client.send(new ecs.StopTaskCommand(input), options));
  }
  updateService(input: ecs.UpdateServiceRequest) {
    return this.call("UpdateService", (options) => this.client.send(new ecs.UpdateServiceCommand(input), options));
  }
  describeTaskDefinition(input: ecs.DescribeTaskDefinitionRequest) {
    return this.call("DescribeTaskDefinition", (options) => this.client.send(new ecs.DescribeTaskDefinitionCommand(input), options));
  }
  executeCommand(input: ecs.ExecuteCommandRequest) {
    return this.call("ExecuteCommand", (options) => this.client.send(new ecs.ExecuteCommandCommand(input), options));
  }
}
