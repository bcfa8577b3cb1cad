/**
 * The endpoint's log group outlives its stack like its file systems: found
 * again on re-create, deleted only with `--delete-data`.
 */
import type { LogsApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { pipelineName } from "../../render/names.js";

/** Name of an endpoint's container log group (fixed, so `mlops` finds it without the stack). */
export function endpointLogGroupName(id: string): string {
  return `/mlops/${id}`;
}

/** Name of the log group CodeBuild writes the endpoint's build logs to. */
export function buildLogGroupName(id: string): string {
  return `/aws/codebuild/${pipelineName(id)}`;
}

/** True when the log group exists. */
export async function logGroupExists(logs: LogsApi, name: string): Promise<boolean> {
  const result = await logs.describeLogGroups({ logGroupNamePrefix: name });
  return (result.logGroups ?? []).some((g) => g.logGroupName === name);
}

/** Deletes a log group; one already gone is not an error. */
export async function deleteLogGroup(logs: LogsApi, name: string): Promise<"deleted" | "absent"> {
  try {
    await logs.deleteLogGroup({ logGroupName: name });
    return "deleted";
  } catch (error) {
    if (error instanceof AwsError && error.code === "ResourceNotFoundException") return "absent";
    throw error;
  }
}
