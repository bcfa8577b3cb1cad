/** The command line's `mlops create-endpoint` and `mlops add-endpoint`; the work is in deploy-endpoint.ts. */
import { PARAMS_ARGUMENT, type CommandDefinition } from "./definition.js";

/** Defaults of create-endpoint's and add-endpoint's options, in minutes. */
export const DEPLOY_ENDPOINT_DEFAULTS = { imageTimeout: 30, rolloutTimeout: 15 } as const;

/** The AWS clients a create or add calls. */
const DEPLOY_CLIENTS = [
  "ssm",
  "cloudFormation",
  "acm",
  "elb",
  "efs",
  "logs",
  "connections",
  "codeBuild",
  "codePipeline",
  "ec2",
  "ecr",
  "ecs",
  "cloudWatch",
  "route53",
] as const;

/** create-endpoint and add-endpoint differ only in their name, description and examples. */
function deployEndpointCommand(verb: "create-endpoint" | "add-endpoint", description: string, examples: readonly string[]): CommandDefinition {
  return {
    name: verb,
    description,
    arguments: [PARAMS_ARGUMENT],
    options: [
      { flags: "--tag <tag>", description: "image tag to deploy (waits until it is in ECR); default: follow the pipeline's first build" },
      { flags: "--no-pipeline", description: "do not create a pipeline (images are built elsewhere)" },
      { flags: "--no-dns", description: "make no Route 53 record even when a public hosted zone covers the host (print the record to create instead)" },
      { flags: "--image-timeout <minutes>", description: "how long to wait for the image", default: DEPLOY_ENDPOINT_DEFAULTS.imageTimeout },
      {
        flags: "--rollout-timeout <minutes>",
        description: "how long to wait for tasks to run and become healthy",
        default: DEPLOY_ENDPOINT_DEFAULTS.rolloutTimeout,
      },
      { flags: "--verbose", description: "the plan lists every resource of a stack it creates (default: counted by kind, IAM and security groups named)" },
    ],
    tutorialFlags: true,
    examples,
    clients: DEPLOY_CLIENTS,
    run: async (input, deps) => {
      await (await import("./deploy-endpoint.js")).runDeployEndpoint(verb, input, deps);
    },
  };
}

/** `mlops create-endpoint <params>`. */
export const createEndpointCommand = deployEndpointCommand(
  "create-endpoint",
  "create a base endpoint: network, load balancer, cluster, pipeline, and its service",
  ["mlops create-endpoint params/ep-a.yaml --tag v1", "mlops create-endpoint params/ep-a.yaml --no-pipeline --tag v1 --region eu-west-1 --yes"],
);

/** `mlops add-endpoint <params>`. */
export const addEndpointCommand = deployEndpointCommand("add-endpoint", "add an endpoint to an existing base", [
  "mlops add-endpoint params/ep-b.yaml --tag v1",
  "mlops add-endpoint params/add-ep-b.json --base ep-a --no-pipeline --tag v1",
]);
