/**
 * The load balancer's idle timeout against the endpoint's response times. An
 * Application Load Balancer closes a connection on which no data has passed
 * for its idle timeout and answers the client 504, so a request the model
 * answers in more seconds than that fails however healthy the task is
 * ("Connection idle timeout",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout).
 */
import { endpointId, type EndpointConfig } from "../../params/model.js";
import { DEFAULT_IDLE_TIMEOUT_SECONDS } from "../../render/render.js";
import { baseStackName } from "../../render/names.js";
import type { DeployContext } from "../context.js";
import { readDeployed } from "../engine/discovery.js";
import { readStack } from "../engine/stack.js";

/** The idle timeout serving the endpoint: a base's from its file, an added one's from the stack of its load balancer. */
export async function servingIdleTimeout(config: EndpointConfig, loadBalancerStack: string | undefined, ctx: DeployContext): Promise<number> {
  if (config.kind === "base") return config.api.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  const base = baseStackName(config);
  // A shard yet to be created takes the base's value.
  const names = [...new Set([loadBalancerStack ?? base, base])];
  for (const name of names) {
    const stack = await readStack(ctx.aws.cloudFormation, name, ctx.reads);
    // A stack deployed before the parameter existed has AWS's default.
    if (stack) return readDeployed(stack).network.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  }
  return DEFAULT_IDLE_TIMEOUT_SECONDS;
}

/** The plan's warning when the endpoint's p95 alarm allows responses longer than its load balancer waits; undefined when it does not. */
export function idleTimeoutWarning(config: EndpointConfig, idleTimeoutSeconds: number): string | undefined {
  const p95 = config.alarms.p95ResponseSeconds;
  if (p95 <= idleTimeoutSeconds) return undefined;
  const where =
    config.kind === "base"
      ? "api.idleTimeoutSeconds in this file"
      : `api.idleTimeoutSeconds in the file of the base endpoint ${config.baseProject ?? ""}`.trimEnd();
  return (
    `alarms.p95ResponseSeconds (${p95} s) exceeds the load balancer's idle timeout (${idleTimeoutSeconds} s): ${endpointId(config)}'s requests that take longer than ${idleTimeoutSeconds} s ` +
    `get a 504 from the load balancer before the alarm sees them. Raise ${where} (up to 4000), or stream the response so that data passes.`
  );
}
