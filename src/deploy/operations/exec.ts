/**
 * A shell (or a command) in one of the endpoint's running containers through
 * ECS Exec. Every prerequisite is checked first and each one missing is named
 * with how to fix it (the checklist of "Troubleshooting issues with ECS Exec",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec-troubleshooting.html):
 * the service's execute-command flag, the task role's `ssmmessages`
 * permissions, a RUNNING task whose ExecuteCommandAgent is RUNNING, and the
 * Session Manager plugin on this machine. Then the session starts as the AWS
 * CLI's `aws ecs execute-command` starts it.
 */
import type { EcsApi, EcsTask, IamApi } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { runnable, type Invocation } from "../../io/invocation.js";
import { chunks } from "../engine/concurrency.js";

/** The actions the task role needs for ECS Exec ("IAM permissions required for ECS Exec", Amazon ECS developer guide). */
export const SSM_MESSAGES_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
] as const;

/** Where to install the Session Manager plugin from. */
export const PLUGIN_INSTALL_PAGE = "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html";

/** One prerequisite that is not met, and what to do. */
export interface ExecProblem {
  check: "service" | "task role" | "task" | "plugin";
  problem: string;
  fix: string;
}

/** The container a session opens in. */
export interface ExecTarget {
  cluster: string;
  taskArn: string;
  taskId: string;
  container: string;
  runtimeId: string;
}

/** What the checks need to know. */
export interface ExecRequest {
  cluster: string;
  service: string;
  container: string;
  /** A task id, its ARN, or the first characters of its id (as `mlops logs` shows them). */
  task?: string;
}

/** Finds an executable on a PATH; undefined when it is not there. */
export type FindExecutable = (name: string) => string | undefined;

/** How to install the Session Manager plugin on this operating system. */
export function pluginInstallHint(platform: string): string {
  const how: Record<string, string> = {
    darwin: "brew install --cask session-manager-plugin (or the signed installer from the install page)",
    linux: "the .deb (Debian, Ubuntu) or .rpm (Amazon Linux, RHEL) package from the install page, e.g. sudo dpkg -i session-manager-plugin.deb",
    win32: "the SessionManagerPluginSetup.exe installer from the install page",
  };
  return `Install the Session Manager plugin: ${how[platform] ?? "see the install page"}. Install page: ${PLUGIN_INSTALL_PAGE}`;
}

/** True when an IAM action pattern (`ssmmessages:*`, `*`, `ssmmessages:Open*`) covers the action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return regex.test(action);
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

/** The statements of a policy document (IAM returns it URL-encoded). */
export function policyStatements(document: string | undefined): Statement[] {
  if (!document) return [];
  let text = document;
  try {
    text = decodeURIComponent(document);
  } catch {
    // Already plain JSON.
  }
  try {
    const parsed = JSON.parse(text) as { Statement?: Statement | Statement[] };
    return Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  } catch {
    return [];
  }
}

/**
 * The ECS Exec actions the statements do not allow: an Allow on resource `*` (the ssmmessages
 * actions support no resource-level permissions) without conditions, and no Deny. Permission
 * boundaries and organization policies are not read.
 */
export function missingActions(statements: Statement[]): string[] {
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const covers = (s: Statement, action: string) =>
    s.Action !== undefined
      ? list(s.Action).some((p) => actionMatches(p, action))
      : s.NotAction !== undefined && !list(s.NotAction).some((p) => actionMatches(p, action));
  return SSM_MESSAGES_ACTIONS.filter((action) => {
    if (statements.some((s) => s.Effect === "Deny" && covers(s, action))) return true;
    return !statements.some((s) => s.Effect === "Allow" && covers(s, action) && list(s.Resource).includes("*") && !s.Condition);
  });
}

/** Every statement of the role's inline and attached (default version) policies. */
export async function roleStatements(iam: IamApi, roleArn: string): Promise<Statement[]> {
  const roleName = roleArn.split("/").at(-1) ?? roleArn;
  const statements: Statement[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.listRolePolicies({ RoleName: roleName, Marker: marker });
    for (const name of page.PolicyNames ?? [])
      statements.push(...policyStatements((await iam.getRolePolicy({ RoleName: roleName, PolicyName: name })).PolicyDocument));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  do {
    const page = await iam.listAttachedRolePolicies({ RoleName: roleName, Marker: marker });
    for (const attached of page.AttachedPolicies ?? []) {
      if (!attached.PolicyArn) continue;
      const version = (await iam.getPolicy({ PolicyArn: attached.PolicyArn })).Policy?.DefaultVersionId;
      if (!version) continue;
      statements.push(...policyStatements((await iam.getPolicyVersion({ PolicyArn: attached.PolicyArn, VersionId: version })).PolicyVersion?.Document));
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return statements;
}

/** The state of a task's ExecuteCommandAgent in a container, as DescribeTasks reports it. */
function agentStatus(task: EcsTask, container: string): string | undefined {
  const holder = task.containers?.find((c) => c.name === container) ?? task.containers?.[0];
  return holder?.managedAgents?.find((a) => a.name === "ExecuteCommandAgent")?.lastStatus;
}

const idOf = (arn: string) => arn.split("/").at(-1) ?? arn;

/**
 * Checks every prerequisite of ECS Exec and returns each one missing, or the
 * container to open the session in when none is.
 */
export async function checkExec(
  request: ExecRequest,
  deps: { ecs: EcsApi; iam: IamApi; findExecutable: FindExecutable; platform: string; invocation?: Invocation },
): Promise<{ problems: ExecProblem[]; target?: ExecTarget }> {
  const { ecs, iam } = deps;
  const problems: ExecProblem[] = [];
  const { cluster, service: serviceName } = request;
  const service = (await ecs.describeServices({ cluster, services: [serviceName] })).services?.[0];
  if (!service)
    throw new AwsError(`ECS service ${serviceName} is not in cluster ${cluster}.`, {
      hint: `Run ${runnable("mlops status", deps.invocation)} to see the endpoint's state.`,
    });
  const forceNew = `aws ecs update-service --cluster ${cluster} --service ${serviceName} --enable-execute-command --force-new-deployment`;
  if (!service.enableExecuteCommand) {
    problems.push({
      check: "service",
      problem: `service ${serviceName} has execute-command turned off (enableExecuteCommand false)`,
      fix: `Turn it on and replace the tasks (only tasks started after it can be reached): ${forceNew}`,
    });
  }

  const taskDefinition = service.taskDefinition ? (await ecs.describeTaskDefinition({ taskDefinition: service.taskDefinition })).taskDefinition : undefined;
  const roleArn = taskDefinition?.taskRoleArn;
  if (!roleArn) {
    problems.push({
      check: "task role",
      problem: `task definition ${service.taskDefinition ?? "(none)"} has no task role`,
      fix: `Give the task definition a task role allowing ${SSM_MESSAGES_ACTIONS.join(", ")} on resource "*".`,
    });
  } else {
    const missing = missingActions(await roleStatements(iam, roleArn));
    if (missing.length > 0) {
      problems.push({
        check: "task role",
        problem: `task role ${roleArn} does not allow ${missing.join(", ")}`,
        fix: `Add a policy allowing ${missing.join(", ")} on resource "*" to the role (mlops's templates include it: ${runnable("mlops update", deps.invocation)} deploys them).`,
      });
    }
  }

  const target = await findTask(request, ecs, problems, forceNew, deps.invocation);
  if (!deps.findExecutable("session-manager-plugin")) {
    problems.push({ check: "plugin", problem: "session-manager-plugin is not on PATH", fix: pluginInstallHint(deps.platform) });
  }
  return problems.length > 0 ? { problems } : { problems, target };
}

async function findTask(
  request: ExecRequest,
  ecs: EcsApi,
  problems: ExecProblem[],
  forceNew: string,
  invocation?: Invocation,
): Promise<ExecTarget | undefined> {
  const { cluster, service, container } = request;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.listTasks({ cluster, serviceName: service, desiredStatus: "RUNNING", nextToken });
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  let candidates = arns;
  if (request.task) {
    const wanted = idOf(request.task);
    candidates = arns.filter((arn) => idOf(arn).startsWith(wanted));
    if (candidates.length === 0) {
      const known = arns.map((a) => idOf(a).slice(0, 8)).join(", ");
      problems.push({
        check: "task",
        problem: `no running task of ${service} has the id ${request.task}`,
        fix: known ? `Running tasks: ${known}; pass one with --task.` : `The service has no running task: see ${runnable("mlops status", invocation)}.`,
      });
      return undefined;
    }
    if (candidates.length > 1) {
      problems.push({
        check: "task",
        problem: `${request.task} matches ${candidates.length} tasks`,
        fix: `Give more of the id: ${candidates.map((a) => idOf(a)).join(", ")}`,
      });
      return undefined;
    }
  }
  if (candidates.length === 0) {
    problems.push({
      check: "task",
      problem: `service ${service} has no running task`,
      fix: `Wait for the service to start its tasks (${runnable("mlops status", invocation)} shows them, ${runnable("mlops logs", invocation)} their output).`,
    });
    return undefined;
  }
  const tasks: EcsTask[] = [];
  // DescribeTasks takes at most 100 tasks per call (ECS API reference, DescribeTasks, `tasks`).
  for (const batch of chunks(candidates, 100)) tasks.push(...((await ecs.describeTasks({ cluster, tasks: batch })).tasks ?? []));
  const ready = tasks.find((t) => t.lastStatus === "RUNNING" && t.enableExecuteCommand && agentStatus(t, container) === "RUNNING");
  if (ready) {
    const holder = ready.containers?.find((c) => c.name === container) ?? ready.containers?.[0];
    return {
      cluster,
      taskArn: ready.taskArn ?? "",
      taskId: idOf(ready.taskArn ?? ""),
      container: holder?.name ?? container,
      runtimeId: holder?.runtimeId ?? "",
    };
  }
  const described = tasks
    .map(
      (t) =>
        `${idOf(t.taskArn ?? "").slice(0, 8)} ${t.lastStatus ?? "?"}${t.enableExecuteCommand ? "" : ", started without execute-command"}, ExecuteCommandAgent ${agentStatus(t, container) ?? "absent"}`,
    )
    .join("; ");
  const startedWithout = tasks.some((t) => !t.enableExecuteCommand);
  problems.push({
    check: "task",
    problem: `no task${request.task ? ` ${request.task}` : ""} is RUNNING with its ExecuteCommandAgent RUNNING (${described || "none described"})`,
    fix: startedWithout
      ? `Tasks started before execute-command was turned on never get the agent: ${forceNew}`
      : "The agent starts a few seconds after the task; try again in a moment. If it stays STOPPED, see the ECS Exec troubleshooting page.",
  });
  return undefined;
}

/** The ECS endpoint the plugin reaches, as the AWS CLI passes it: the one given, or the region's. */
export function ecsEndpoint(region: string, endpointUrl?: string): string {
  if (endpointUrl) return endpointUrl;
  return `https://ecs.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/**
 * The plugin's arguments, as `aws ecs execute-command` passes them (aws-cli's
 * `awscli/customizations/ecs/executecommand.py`): the session of the
 * ExecuteCommand answer as JSON, the region, `StartSession`, the profile (or
 * an empty string), the target `ecs:<cluster>_<task id>_<container runtime id>` as
 * JSON, and the ECS endpoint.
 */
export function pluginArguments(session: unknown, target: ExecTarget, region: string, profile: string | undefined, endpoint: string): string[] {
  const clusterName = target.cluster.split("/").at(-1) ?? target.cluster;
  return [
    JSON.stringify(session),
    region,
    "StartSession",
    profile ?? "",
    JSON.stringify({ Target: `ecs:${clusterName}_${target.taskId}_${target.runtimeId}` }),
    endpoint,
  ];
}

/** The problems as one message, one line per prerequisite, with what to do. */
export function problemsText(problems: ExecProblem[]): string {
  return problems.map((p) => `- ${p.check}: ${p.problem}.\n  Fix: ${p.fix}`).join("\n");
}
