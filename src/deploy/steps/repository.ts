/**
 * The endpoint's ECR repository, which the first build pushes to. A new endpoint keeps it in a
 * stack of its own (`<id>-images`, templates/images.yaml), created before the endpoint's stack, so
 * that nothing the image needs waits for the network, load balancer and file systems.
 *
 * An endpoint created before images stacks existed keeps its repository in its own stack, under the
 * same logical id (`Repository`, under the templates' OwnRepository condition), for good. Moving it
 * would take a retain-then-import: an update that removes the resource with DeletionPolicy Retain,
 * then an IMPORT change set that brings the same repository into the images stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html, and
 * "Resources that support import and drift detection operations" there). Between the two the
 * repository belongs to no stack, and a run stopped there leaves it so; any mistake in the first step
 * (a template whose resource lacks Retain) makes CloudFormation delete the repository, which it can
 * do only when it is empty (ECR's DeleteRepository refuses a repository with images unless forced,
 * and AWS::ECR::Repository forces it only with EmptyOnDelete), so at best the update fails. Keeping the
 * old place risks no image, works the same on every release, and the emulator (which has no
 * resource import) can show it.
 */
import type { Stack } from "../../aws/interfaces.js";
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { imagesStackName } from "../../render/names.js";
import { renderImagesStack } from "../../render/render.js";
import { stackDeps, type DeployContext } from "../context.js";
import { repositoryLayout, requireOutput } from "../engine/discovery.js";
import { deployStack, stackOutputs } from "../engine/stack.js";

/** The endpoint's ECR repository: what the pipeline pushes to and the endpoint's stack pulls from. */
export interface ImageRepository {
  name: string;
  uri: string;
  /** The images stack that holds it; absent: the endpoint's own stack holds it (an endpoint created before images stacks existed). */
  stackName?: string;
}

/** What the plan found that the repository step builds on. */
export interface RepositoryBasis {
  /** The endpoint's stack, when one can be updated (the plan's `basis.existing`). */
  existing?: Stack;
  /** The images stack, when it exists. */
  imagesStack?: Stack;
  /** The images stack's plan; absent when the endpoint's own stack holds the repository. */
  images?: { action: "create" | "update" | "unchanged" };
}

/** Stack states whose template and parameters are in force, with no operation under way. */
const SETTLED_STACK = /^(CREATE|UPDATE|UPDATE_ROLLBACK|IMPORT|IMPORT_ROLLBACK)_COMPLETE$/;

/**
 * Creates or converges the endpoint's images stack and returns its repository; for an endpoint whose
 * own stack holds the repository, returns that one and creates nothing. An images stack the plan found
 * unchanged gets no change set. `uri` is empty only for an own-stack repository whose stack has no
 * outputs (a failed first creation): the endpoint's stack step gives it then.
 */
export async function ensureImageRepository(config: EndpointConfig, basis: RepositoryBasis, ctx: DeployContext): Promise<ImageRepository> {
  const id = endpointId(config);
  if (repositoryLayout(basis.existing) === "own") {
    const outputs = basis.existing ? stackOutputs(basis.existing) : {};
    return { name: outputs.EcrRepositoryName || id, uri: outputs.EcrRepositoryUri ?? "" };
  }
  const stackName = imagesStackName(id);
  const found = basis.imagesStack;
  if (found && basis.images?.action === "unchanged" && SETTLED_STACK.test(found.StackStatus ?? "")) {
    ctx.out.success(`Stack ${stackName} is up to date: no changes`);
    return repositoryOf(found, stackName);
  }
  ctx.out.step(found ? `Stack ${stackName} (the endpoint's ECR repository)` : `Creating stack ${stackName} (the endpoint's ECR repository)`);
  const rendered = renderImagesStack(config);
  const outcome = await deployStack(
    { stackName, templateBody: rendered.templateBody, parameters: rendered.parameters, tags: rendered.tags, capabilities: [] },
    stackDeps(ctx),
  );
  return repositoryOf(outcome.stack, stackName);
}

/** The repository an images stack's outputs name. */
function repositoryOf(stack: Stack, stackName: string): ImageRepository {
  const outputs = stackOutputs(stack);
  return { name: requireOutput(outputs, "RepositoryName", stackName), uri: requireOutput(outputs, "RepositoryUri", stackName), stackName };
}
