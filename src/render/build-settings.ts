/**
 * What `pipeline.baseImageRegistries`, `dockerHubSecret` and `buildArgs` become:
 * the build role's pull rights (pipeline stack parameters) and the build's
 * environment (CodeBuild project variables). Pure: no AWS.
 */
import type { BaseImageRegistrySetting, PipelineConfig } from "../params/model.js";
import { parseBaseImageRegistry, type BaseImageRegistry } from "../params/rules.js";

/** One registry entry, parsed (the schema has checked it). */
export interface BaseImageSource {
  registry: BaseImageRegistry;
  pullThroughCache: boolean;
}

/** The parsed entries of `pipeline.baseImageRegistries`. */
export function baseImageSources(settings: readonly BaseImageRegistrySetting[]): BaseImageSource[] {
  return settings.map((entry) => {
    const text = typeof entry === "string" ? entry : entry.registry;
    const registry = parseBaseImageRegistry(text);
    if (typeof registry === "string") throw new Error(registry);
    return { registry, pullThroughCache: typeof entry !== "string" && entry.pullThroughCache };
  });
}

function repositoryArn(r: Extract<BaseImageRegistry, { kind: "ecr" }>, path: string): string {
  return `arn:${r.partition}:ecr:${r.region}:${r.account}:repository/${path}`;
}

/** What the build role may do with base image registries, as pipeline stack parameters. */
export interface BaseImageAccess {
  /** Repositories to pull from: a prefix is the repository of that name and those under it; no prefix is the whole registry. */
  repositoryArns: string[];
  /** Pull-through cache prefixes: the repositories the rule creates under them. */
  pullThroughCacheArns: string[];
  publicEcrLogin: boolean;
}

/** The pull rights the registries need. */
export function baseImageAccess(sources: readonly BaseImageSource[]): BaseImageAccess {
  const repositoryArns: string[] = [];
  const pullThroughCacheArns: string[] = [];
  let publicEcrLogin = false;
  for (const { registry, pullThroughCache } of sources) {
    if (registry.kind === "public-ecr") {
      publicEcrLogin = true;
      continue;
    }
    const prefix = registry.repositoryPrefix;
    if (pullThroughCache) {
      // A rule's repositories are PREFIX/UPSTREAM-PATH.
      const under = repositoryArn(registry, prefix ? `${prefix}/*` : "*");
      repositoryArns.push(under);
      pullThroughCacheArns.push(under);
    } else if (prefix) {
      repositoryArns.push(repositoryArn(registry, prefix), repositoryArn(registry, `${prefix}/*`));
    } else {
      repositoryArns.push(repositoryArn(registry, "*"));
    }
  }
  return { repositoryArns: [...new Set(repositoryArns)], pullThroughCacheArns: [...new Set(pullThroughCacheArns)], publicEcrLogin };
}

/** The registry hosts the build logs in to, each once, in the order given. */
export function loginHosts(sources: readonly BaseImageSource[]): string[] {
  return [...new Set(sources.map((s) => s.registry.host))];
}

/** `NAME=VALUE` lines, sorted by name, as the build reads BUILD_ARGS. */
export function buildArgLines(args: Readonly<Record<string, string>>): string {
  return Object.keys(args)
    .sort()
    .map((name) => `${name}=${args[name] ?? ""}`)
    .join("\n");
}

/** The build settings of a pipeline in one place. */
export function buildSettings(pipeline: PipelineConfig) {
  const sources = baseImageSources(pipeline.baseImageRegistries);
  return { sources, access: baseImageAccess(sources), hosts: loginHosts(sources) };
}
