/**
 * Finding what mlops manages from AWS alone: stacks carry tags, so no local
 * state file is needed and any machine sees the same endpoints.
 */
import type { CloudFormationApi, Stack } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { decodeEndpoint, decodePipeline, type DeployedEndpoint, type DeployedPipeline } from "../../render/contract.js";
import { imagesRole, shardRole, TagKeys, type StackRole } from "../../render/names.js";
import { readOnce, type RunReads } from "./reads.js";

/** A stack mlops created, read back from its tags. */
export interface ManagedStack {
  stack: Stack;
  stackName: string;
  endpointId: string;
  role: StackRole;
  /** Added endpoints: the base stack's name. */
  baseStackName?: string;
}

/** Reads the mlops tags of a stack; undefined when mlops does not manage it. */
export function asManagedStack(stack: Stack): ManagedStack | undefined {
  const tag = (key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;
  const role = tag(TagKeys.role);
  const endpointId = tag(TagKeys.endpoint);
  if (tag(TagKeys.managedBy) !== "mlops" || !endpointId || !stack.StackName) return undefined;
  if (role !== "base" && role !== "added" && role !== "pipeline") return undefined;
  return { stack, stackName: stack.StackName, endpointId, role, baseStackName: tag(TagKeys.base) };
}

/** A load balancer shard's stack (templates/shard.yaml), read back from its tags. */
export interface ShardStack {
  stack: Stack;
  stackName: string;
  baseStackName: string;
}

/** Reads a shard stack's tags; undefined for any other stack. */
export function asShardStack(stack: Stack): ShardStack | undefined {
  const tag = (key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;
  const base = tag(TagKeys.base);
  if (tag(TagKeys.managedBy) !== "mlops" || tag(TagKeys.role) !== shardRole || !base || !stack.StackName) return undefined;
  return { stack, stackName: stack.StackName, baseStackName: base };
}

/** An endpoint's images stack (templates/images.yaml), read back from its tags. */
export interface ImagesStack {
  stack: Stack;
  stackName: string;
  endpointId: string;
  /** Added endpoints: the base stack's name. */
  baseStackName?: string;
}

/** Reads an images stack's tags; undefined for any other stack. */
export function asImagesStack(stack: Stack): ImagesStack | undefined {
  const tag = (key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;
  const endpointId = tag(TagKeys.endpoint);
  if (tag(TagKeys.managedBy) !== "mlops" || tag(TagKeys.role) !== imagesRole || !endpointId || !stack.StackName) return undefined;
  return { stack, stackName: stack.StackName, endpointId, baseStackName: tag(TagKeys.base) };
}

/** The stacks mlops manages: endpoints and pipelines, the load balancer shards, and the endpoints' images stacks (absent: none read). */
export interface MlopsStacks {
  managed: ManagedStack[];
  shards: ShardStack[];
  images?: ImagesStack[];
}

/**
 * Every live stack mlops manages in the account and region: the endpoints' and pipelines', and the load balancer shards,
 * in one paged read. `onPage` sees each page's stacks as soon as it arrives, so that a caller can start on them while the
 * next page is on its way (pages come one after the other: each needs the previous one's token).
 */
export async function listMlopsStacks(cfn: CloudFormationApi, onPage?: (page: MlopsStacks) => void): Promise<MlopsStacks> {
  const managed: ManagedStack[] = [];
  const shards: ShardStack[] = [];
  const images: ImagesStack[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cfn.describeStacks({ NextToken: nextToken });
    const found = { managed: [] as ManagedStack[], shards: [] as ShardStack[], images: [] as ImagesStack[] };
    for (const stack of page.Stacks ?? []) {
      if (stack.StackStatus === "DELETE_COMPLETE") continue;
      const endpoint = asManagedStack(stack);
      if (endpoint) found.managed.push(endpoint);
      const shard = endpoint ? undefined : asShardStack(stack);
      if (shard) found.shards.push(shard);
      const repository = endpoint || shard ? undefined : asImagesStack(stack);
      if (repository) found.images.push(repository);
    }
    managed.push(...found.managed);
    shards.push(...found.shards);
    images.push(...found.images);
    onPage?.(found);
    nextToken = page.NextToken;
  } while (nextToken);
  const byName = (a: { stackName: string }, b: { stackName: string }) => a.stackName.localeCompare(b.stackName);
  return { managed: managed.sort(byName), shards: shards.sort(byName), images: images.sort(byName) };
}

/** Every live endpoint and pipeline stack mlops manages in the account and region. */
export async function listManagedStacks(cfn: CloudFormationApi): Promise<ManagedStack[]> {
  return (await listMlopsStacks(cfn)).managed;
}

/** The stack whose load balancer serves an endpoint: an added endpoint's parameter, else its base's (or its own, for a base). */
export function loadBalancerStackOf(m: ManagedStack): string {
  return readDeployed(m.stack).loadBalancerStack || (m.role === "added" && m.baseStackName ? m.baseStackName : m.stackName);
}

/** One of a stack's outputs; missing means the stack was changed outside mlops. */
export function requireOutput(outputs: Record<string, string>, key: string, stackName: string): string {
  const value = outputs[key];
  if (!value)
    throw new AwsError(`Stack ${stackName} has no output ${key}.`, { hint: "The stack was changed outside mlops; run the same command again to restore it." });
  return value;
}

/** A stack's parameter values by key. */
export function stackParameters(stack: Stack): Record<string, string> {
  const result: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) if (p.ParameterKey) result[p.ParameterKey] = p.ParameterValue ?? "";
  return result;
}

/** An endpoint stack as deployed, in typed fields (see render/contract.ts). */
export function readDeployed(stack: Stack): DeployedEndpoint {
  return decodeEndpoint(stackParameters(stack));
}

/**
 * Where a deployed endpoint's ECR repository lives: in its own stack (an endpoint created before
 * images stacks existed, whose stack has no or an empty `ImageRepositoryName`) or in its images
 * stack. No stack yet: the images stack.
 */
export function repositoryLayout(stack: Stack | undefined): "own" | "images" {
  return stack && !readDeployed(stack).imageRepository ? "own" : "images";
}

/** A pipeline support stack as deployed, in typed fields. */
export function readDeployedPipeline(stack: Stack): DeployedPipeline {
  return decodePipeline(stackParameters(stack));
}

/** Every export in the region, all pages. */
export async function listAllExports(cfn: CloudFormationApi): Promise<{ name: string; value: string; exportingStackId?: string }[]> {
  const found: { name: string; value: string; exportingStackId?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cfn.listExports({ NextToken: nextToken });
    for (const e of page.Exports ?? []) if (e.Name) found.push({ name: e.Name, value: e.Value ?? "", exportingStackId: e.ExportingStackId });
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}

/** Every export in the region by name, all pages. */
export async function exportMap(cfn: CloudFormationApi): Promise<Map<string, string>> {
  return new Map((await listAllExports(cfn)).map((e) => [e.name, e.value]));
}

/** The value of one export, or undefined when no stack exports that name. */
export async function findExport(cfn: CloudFormationApi, name: string): Promise<string | undefined> {
  return (await listAllExports(cfn)).find((e) => e.name === name)?.value;
}

/** Stacks importing one export, all pages; none when CloudFormation says it is not imported. */
export async function importersOf(cfn: CloudFormationApi, exportName: string): Promise<string[]> {
  const importers: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await cfn.listImports({ ExportName: exportName, NextToken: token });
      importers.push(...(page.Imports ?? []));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    // ListImports answers ValidationError when nothing imports the export.
    if (!(error instanceof Error && /not imported/i.test(error.message))) throw error;
  }
  return importers;
}

/** Names of the stacks that import any export of the given stack; the region's exports read once per run with `reads`. */
export async function importingStacks(cfn: CloudFormationApi, stack: Stack, reads?: RunReads): Promise<string[]> {
  const exportNames = (await readOnce(reads, "cfn:exports", () => listAllExports(cfn))).filter((e) => e.exportingStackId === stack.StackId).map((e) => e.name);
  const importers = new Set<string>();
  for (const name of exportNames) for (const s of await importersOf(cfn, name)) importers.add(s);
  return [...importers].sort();
}
