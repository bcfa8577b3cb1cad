/**
 * An endpoint's deployments, from ECS's own record of its service's
 * deployments (ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html).
 * ECS records every deployment whoever started it (mlops, the pipeline's
 * build, the console), with its start and end, the revision's images, its
 * strategy and how it ended, including the alarms that rolled it back;
 * CloudFormation's stack events carry neither the image nor the outcome of
 * the ECS deployment, and mlops does not keep a record of its own that the
 * pipeline's builds would bypass.
 */
import type { EcsApi } from "../../aws/interfaces.js";
import { strategyOfParameter } from "../../render/names.js";
import { placeholderImageTag } from "../../render/render.js";
import { chunks } from "../engine/concurrency.js";
import { serviceDeploymentsNewestFirst } from "../steps/rollout-watch.js";

/** One deployment of an endpoint. */
export interface DeploymentRecord {
  /** The image tag the deployment rolled out; undefined when ECS no longer has its revision. */
  tag?: string;
  image?: string;
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
  strategy: string;
  /** succeeded, rolled back, failed, stopped, in progress or rolling back. */
  outcome: string;
  /** ECS's reason, when it gives one. */
  reason?: string;
  /** Alarms that fired during the deployment. */
  triggeredAlarms: string[];
}

/** ECS's deployment status in the words of `mlops history`. */
export function outcomeOf(status: string | undefined): string {
  switch (status) {
    case "SUCCESSFUL":
      return "succeeded";
    case "ROLLBACK_SUCCESSFUL":
      return "rolled back";
    case "ROLLBACK_FAILED":
    case "FAILED":
      return "failed";
    case "STOPPED":
      return "stopped";
    case "ROLLBACK_REQUESTED":
    case "ROLLBACK_IN_PROGRESS":
      return "rolling back";
    default:
      return "in progress";
  }
}

/** The tag of an image reference (`repo:tag`, `repo:tag@sha256:…`); undefined for a digest only. */
export function tagOfImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split("@")[0] ?? "";
  const afterSlash = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = afterSlash.lastIndexOf(":");
  return colon >= 0 ? afterSlash.slice(colon + 1) : undefined;
}

/** The newest `limit` deployments of a service, newest first; the stack's first one, which runs no task (placeholder image), is left out. */
export async function serviceHistory(
  ecs: EcsApi,
  cluster: string,
  service: string,
  containerName: string | undefined,
  limit = 20,
): Promise<DeploymentRecord[]> {
  const listed = (await serviceDeploymentsNewestFirst(ecs, cluster, service)).slice(0, limit);
  const arns = listed.map((d) => d.serviceDeploymentArn).filter((a): a is string => !!a);
  const deployments = [];
  for (const group of chunks(arns, 20))
    deployments.push(...((await ecs.describeServiceDeployments({ serviceDeploymentArns: group })).serviceDeployments ?? []));
  const revisionArns = [...new Set(deployments.map((d) => d.targetServiceRevision?.arn).filter((a): a is string => !!a))];
  const images = new Map<string, string | undefined>();
  for (const group of chunks(revisionArns, 20)) {
    for (const revision of (await ecs.describeServiceRevisions({ serviceRevisionArns: group })).serviceRevisions ?? []) {
      const containers = revision.containerImages ?? [];
      const container = containers.find((c) => c.containerName === containerName) ?? containers[0];
      images.set(revision.serviceRevisionArn ?? "", container?.image);
    }
  }
  const byArn = new Map(deployments.map((d) => [d.serviceDeploymentArn ?? "", d]));
  return arns.flatMap((arn) => {
    const d = byArn.get(arn);
    if (!d) return [];
    const image = images.get(d.targetServiceRevision?.arn ?? "");
    if (tagOfImage(image) === placeholderImageTag) return [];
    const started = d.startedAt ?? d.createdAt;
    const finished = d.finishedAt ?? d.stoppedAt;
    const record: DeploymentRecord = {
      ...(tagOfImage(image) ? { tag: tagOfImage(image) } : {}),
      ...(image ? { image } : {}),
      ...(started ? { startedAt: started.toISOString() } : {}),
      ...(finished ? { finishedAt: finished.toISOString() } : {}),
      ...(started && finished ? { durationSeconds: Math.max(0, Math.round((finished.getTime() - started.getTime()) / 1000)) } : {}),
      strategy: strategyOfParameter(d.deploymentConfiguration?.strategy),
      outcome: outcomeOf(d.status),
      ...(d.statusReason ? { reason: d.statusReason } : {}),
      triggeredAlarms: d.alarms?.triggeredAlarmNames ?? [],
    };
    return [record];
  });
}

/**
 * The image to roll back to: the newest deployment that succeeded with another tag than
 * the one running; undefined when there is none.
 */
export function previousGoodTag(history: DeploymentRecord[], runningTag: string | undefined): string | undefined {
  return history.find((d) => d.outcome === "succeeded" && d.tag !== undefined && d.tag !== runningTag)?.tag;
}
