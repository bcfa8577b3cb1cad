/**
 * Pure rendering: an endpoint's configuration (plus what was found in AWS)
 * becomes the template and parameters of its stack. No AWS, no console.
 */
import { applyCompute } from "./compute.js";
import {
  decodeEndpoint,
  encodeEndpoint,
  encodeImages,
  encodePipeline,
  encodeShard,
  type DeploymentFacts,
  type PipelineFacts,
  type ShardFacts,
} from "./contract.js";
import { readFileSync } from "node:fs";
import { packageFile } from "../package-files.js";
import { endpointId, type EndpointConfig } from "../params/model.js";
import { endpointStackName, imagesStackName, imagesTags, pipelineStackName, shardTags, stackTags } from "./names.js";

/** Template files, resolved from the installed package so `mlops` works from any directory. */
const templatesDir = packageFile("templates/");

export { DEFAULT_IDLE_TIMEOUT_SECONDS, NEW_VOLUME_ROOT, placeholderImageTag } from "./contract.js";
export type { DeploymentFacts, PipelineFacts, ShardFacts, TrafficWeights, VolumeRoot, WeightsSyncSettings } from "./contract.js";

/** The volume roots a deployed stack keeps (see `DeployedEndpoint.volumeRoots`). */
export function volumeRootsOf(parameters: Record<string, string>): Pick<DeploymentFacts, "assetsVolumeRoot" | "weightsVolumeRoot"> {
  const { volumeRoots } = decodeEndpoint(parameters);
  return { assetsVolumeRoot: volumeRoots.assets, weightsVolumeRoot: volumeRoots.weights };
}

/** The input of one CloudFormation stack. */
export interface RenderedStack {
  stackName: string;
  templateFile: string;
  templateBody: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
}

/** Reads a template shipped with mlops. */
export function readTemplate(file: string): string {
  return readFileSync(new URL(file, templatesDir), "utf8");
}

/** Renders the endpoint's own stack: the base (A) or an added endpoint (B). */
export function renderEndpointStack(config: EndpointConfig, facts: DeploymentFacts = {}): RenderedStack {
  if (config.kind === "base" && !config.network) throw new Error(`${config.source}: a base endpoint needs a network section`);
  // Only an image known to exist sets the tag and the task counts: a tag merely named in the file must not start tasks.
  const imageTag = facts.imageTag;
  const desiredCount = imageTag ? config.scaling.desired : 0;
  // Sending an unchanged count would undo what autoscaling set since (see the templates' Service).
  const sendDesiredCount = facts.deployedDesiredCount === undefined || facts.deployedDesiredCount !== desiredCount;
  const certificateArn = facts.certificateArn ?? config.api.certificateArn ?? "";
  const { templateFile, parameters } = encodeEndpoint({ config, facts, imageTag, desiredCount, sendDesiredCount, certificateArn, network: config.network });
  // GPU and Neuron endpoints only; a Fargate endpoint's template and parameters pass through unchanged.
  const body = applyCompute(config, { templateBody: readTemplate(templateFile), parameters: sortKeys(parameters) });
  return {
    stackName: endpointStackName(endpointId(config)),
    templateFile,
    templateBody: body.templateBody,
    parameters: body.parameters,
    tags: stackTags(config, config.kind),
  };
}

/** Renders the stack that holds an endpoint's pipeline roles and artifact bucket. */
export function renderPipelineStack(config: EndpointConfig, facts: PipelineFacts): RenderedStack {
  if (!config.pipeline) throw new Error(`${config.source}: no pipeline section`);
  return {
    stackName: pipelineStackName(endpointId(config)),
    templateFile: "pipeline.yaml",
    templateBody: readTemplate("pipeline.yaml"),
    parameters: sortKeys(encodePipeline(config, config.pipeline, facts)),
    tags: stackTags(config, "pipeline"),
  };
}

/** Renders the stack that holds an endpoint's ECR repository (templates/images.yaml). */
export function renderImagesStack(config: EndpointConfig): RenderedStack {
  return {
    stackName: imagesStackName(endpointId(config)),
    templateFile: "images.yaml",
    templateBody: readTemplate("images.yaml"),
    parameters: sortKeys(encodeImages(config)),
    tags: imagesTags(config),
  };
}

/** Renders a load balancer shard of a base: one more ALB with the base's settings (templates/shard.yaml). */
export function renderShardStack(facts: ShardFacts): RenderedStack {
  return {
    stackName: facts.shardStackName,
    templateFile: "shard.yaml",
    templateBody: readTemplate("shard.yaml"),
    parameters: sortKeys(encodeShard(facts)),
    tags: shardTags(facts.baseStackName, facts.shardStackName),
  };
}

/** Parameters as the CloudFormation parameter list that `aws cloudformation create-stack --parameters file://` reads. */
export function toParameterList(parameters: Record<string, string>): { ParameterKey: string; ParameterValue: string }[] {
  return Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

/** Tags as the list `aws cloudformation create-stack --tags` reads. */
export function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
