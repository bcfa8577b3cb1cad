/**
 * The plan, printed and approved: one block the user reads before the one
 * question, and whether there is anything to ask about at all.
 */
import { DeclinedError } from "../../errors.js";
import type { Output } from "../../io/output.js";
import { formatValue } from "../engine/template-diff.js";
import type { DeployContext } from "../context.js";
import { isRoutineReplacement } from "../engine/replacements.js";
import { recordLine } from "../steps/dns.js";
import { sharesText } from "../steps/traffic.js";
import { printNewStack, type PlanPrintOptions } from "./plan-new-stack.js";
import { costLines } from "../../render/prices.js";
import { createEstimateLine } from "../engine/create-time.js";
import type { DeployPlan, DnsPlan, PipelinePlan, StackPlan, UpdatePlan } from "./plan.js";

/** True when the pipeline's stack or build project would change. */
export function pipelineChanges(p: PipelinePlan | undefined): boolean {
  return !!p && p.action !== "skipped" && (p.action === "create" || p.stack.action !== "unchanged" || p.projectChanges.length > 0);
}

/** True when applying the plan would change something. */
export function planChanges(plan: DeployPlan | UpdatePlan): boolean {
  if (plan.stack.action !== "unchanged") return true;
  if (plan.images && plan.images.action !== "unchanged") return true;
  if (plan.kind === "update") return pipelineChanges(plan.pipeline);
  const dnsChanges = plan.dns.mode === "zone" && (plan.dns.later.length > 0 || plan.dns.records.some((r) => r.action === "create" || r.action === "change"));
  return (
    plan.certificate.action === "request" ||
    plan.listenerCertificate === "attach" ||
    plan.loadBalancer?.action === "create" ||
    plan.nfsRule === "add" ||
    pipelineChanges(plan.pipeline) ||
    dnsChanges
  );
}

/** Prints the plan: one block the user reads before the one question. */
export function printPlan(plan: DeployPlan | UpdatePlan, out: Output, options: PlanPrintOptions = {}): void {
  out.step(`Plan for ${plan.endpoint} in ${plan.region}`);
  if (plan.kind === "deploy") {
    const cert = plan.certificate;
    out.info(
      cert.action === "request"
        ? `Certificate: request an ACM certificate for ${plan.hostHeader} (DNS validation; ${plan.dns.mode === "zone" ? `mlops creates its record in Route 53 zone ${plan.dns.zone.name}` : "you create one DNS record"})`
        : cert.action === "await"
          ? `Certificate: wait for the pending ACM certificate ${cert.arn} to be issued`
          : `Certificate: ${cert.action === "found" ? "use the issued" : cert.action === "given" ? "use the given" : "keep the deployed"} certificate ${cert.arn}`,
    );
    const lb = plan.loadBalancer;
    if (lb) {
      const passed = lb.passedOver.length ? ` (full: ${lb.passedOver.join("; ")})` : "";
      out.info(
        lb.action === "create"
          ? `Load balancer: create ${lb.stackName}, a new load balancer of the base in its VPC with its security settings${passed}; it serves ${plan.hostHeader} (DNS name known once created)`
          : `Load balancer: ${lb.stackName}${lb.dnsName ? ` (${lb.dnsName})` : ""} serves ${plan.hostHeader}${lb.action === "keep" ? " (where it is deployed)" : `; it holds ${lb.usage}${passed}`}`,
      );
    }
    const listener = lb ? `HTTPS listener of ${lb.stackName}` : "Base's HTTPS listener";
    if (plan.listenerCertificate === "attach") out.info(`${listener}: attach the certificate for ${plan.hostHeader}`);
    else if (plan.listenerCertificate === "covered")
      out.info(`${listener}: reuse the certificate ${lb?.coveringArn ?? ""} already there, which covers ${plan.hostHeader} (no certificate attached)`);
    else if (plan.listenerCertificate) out.info(`${listener}: already serves ${plan.hostHeader}`);
    if (plan.listenerPriority)
      out.info(
        `Listener rule priority: ${plan.listenerPriority.value}${plan.listenerPriority.chosen ? " (free now; the next free one if another endpoint takes it first)" : ""}`,
      );
    if (plan.keptFileSystems.length) out.info(`EFS: mount the kept file systems ${plan.keptFileSystems.join(", ")} again`);
    if (plan.keptLogGroup) out.info("Logs: use the kept log group again");
  }
  if (plan.images) printStackPlan(plan.images, out, options);
  printStackPlan(plan.stack, out, options);
  if (plan.traffic) out.info(`Traffic: listener rule keeps ${sharesText(plan.traffic)} (where the last deployment left it)`);
  const p = plan.pipeline;
  if (p && p.action === "skipped") out.info(`Pipeline ${p.name}: skipped (--no-pipeline)`);
  else if (p) {
    printStackPlan(p.stack, out, options);
    out.info(
      `Pipeline ${p.name} (${p.repository}@${p.branch}) and its CodeBuild project: ${p.action === "create" ? "create" : "update if their definition changed"}`,
    );
    out.info(`Build: ${p.build}`);
    for (const change of p.projectChanges) out.info(`CodeBuild project ${p.name}: ${change}`);
  }
  if (plan.kind === "deploy") {
    out.info(`Order: ${plan.order.text}`);
    out.info(
      plan.nfsRule === "add"
        ? "Security group: let the endpoint's tasks reach EFS (NFS, port 2049)"
        : "Security group: tasks already reach EFS (NFS, port 2049)",
    );
    printDnsPlan(plan.dns, out);
    if (plan.cost) for (const line of costLines(plan.cost)) out.info(line);
  }
  const r = plan.rollout;
  const tag =
    r.tagSource === "pipeline"
      ? "the tag the pipeline's first build pushes (not known until the build runs)"
      : r.tagSource === "push" && !r.imageInEcr
        ? `${r.tag}, pushed by hand (no pipeline builds it): the stack and its ECR repository are created with no tasks, then the commands to push it are printed and the run waits for it`
        : `${r.tag}${r.why ? ` (${r.why})` : r.tagSource === "running" ? " (running now)" : r.imageInEcr === false ? " (waits until it is in ECR)" : ""}`;
  out.info(`Rollout: image ${tag}; ${r.desired} task(s) (autoscaling ${r.min}-${r.max}); ${r.strategy}`);
  if (r.estimate) out.info(`Rollout time: ${r.estimate}`);
  if (r.create) out.info(`Create time: ${createEstimateLine(r.create, r.create.overlapped)}`);
  for (const line of r.capacity ?? []) out.info(line);
  for (const line of plan.summary) out.info(`Summary: ${line}`);
  for (const line of plan.warnings ?? []) out.warn(line);
}

function printDnsPlan(dns: DnsPlan, out: Output): void {
  if (dns.mode === "manual") {
    out.info(`DNS: no record made (${dns.reason}); the record to create is printed at the end`);
    return;
  }
  out.info(`DNS: Route 53 public hosted zone ${dns.zone.name} (${dns.zone.id}):`);
  for (const record of dns.records) {
    if (record.action === "left alone" || record.action === "change") out.warn(`  ${recordLine(record)}`);
    else out.info(`  ${recordLine(record)}`);
  }
  for (const line of dns.later) out.info(`  ${line}`);
}

/** Prints what will happen to one stack, down to its changed properties. */
export function printStackPlan(stack: StackPlan, out: Output, options: PlanPrintOptions = {}): void {
  if (stack.repair) out.warn(`Stack ${stack.stackName}: ${stack.repair}`);
  if (stack.action === "create") {
    printNewStack(stack, out, options);
    return;
  }
  if (stack.action === "unchanged") {
    out.info(`Stack ${stack.stackName}: no changes`);
    return;
  }
  out.info(`Stack ${stack.stackName}: update`);
  if (stack.changes.length === 0) out.info("  no resource changes (only parameters or outputs)");
  for (const change of stack.changes) {
    const marks = [
      change.replacedBecauseOf.length ? `REPLACED because of ${change.replacedBecauseOf.join(", ")}` : "",
      change.access === "iam" ? "IAM" : change.access === "security-group" ? "SECURITY GROUP" : "",
    ].filter(Boolean);
    const line = `  ${change.action === "Add" ? "+" : change.action === "Remove" ? "-" : "~"} ${change.logicalId} (${change.type})${marks.length ? `  <-- ${marks.join("; ")}` : ""}`;
    const routine = !change.access && change.action === "Modify" && isRoutineReplacement(change.type);
    if ((marks.length && !routine) || change.action === "Remove") out.warn(line.trimStart());
    else out.info(line);
    for (const p of change.properties) out.info(`      ${p.path}: ${formatValue(p.before)} -> ${formatValue(p.after)}`);
  }
  const access = stack.changes.filter((c) => c.access);
  if (access.length)
    out.warn(`ACCESS CHANGES in ${stack.stackName}: ${access.map((c) => `${c.action} ${c.logicalId}`).join(", ")}: review who can reach or do what.`);
}

/** Asks once whether to apply the plan; throws `DeclinedError` when the answer is no (nothing was changed). */
export async function approvePlan(plan: DeployPlan | UpdatePlan, ctx: DeployContext): Promise<void> {
  if (ctx.assumeYes || !planChanges(plan)) return;
  if (!ctx.out.interactive) throw new DeclinedError("No one is at a terminal to approve the plan above: nothing was changed. Re-run with --yes to apply it.");
  if (!(await ctx.out.confirm("Apply this plan?"))) throw new DeclinedError();
  // The answer may have taken minutes: the apply reads again what the plan read.
  ctx.reads?.forgetAll();
}
