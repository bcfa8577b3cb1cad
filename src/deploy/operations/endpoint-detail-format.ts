/**
 * One endpoint's detail (`mlops status NAME`), formatted for a terminal or a
 * log: what endpoint-detail.ts read, section by section, problems first.
 */
import { formatTable } from "../../io/table.js";
import { formatBytes } from "../steps/kept-data.js";
import type { CertificateSection, DnsSection, EndpointDetail, ImageSection, PipelineSection, ServiceSection } from "./endpoint-detail.js";

/** Formats the detail for a terminal or a log. */
export function formatEndpointDetail(d: EndpointDetail): string {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(13)}${value}`);
  lines.push(`${d.endpoint} (${d.role} endpoint)${d.healthy ? "" : " (!)"}`);
  field("URL", d.dns.url ?? "-");
  field("DNS", dnsText(d.dns));
  if (d.dns.record) lines.push(`${" ".repeat(13)}create: ${d.dns.record}`);
  if (d.dns.route53) lines.push(`${" ".repeat(13)}Route 53: ${d.dns.route53}`);
  field("Stack", `${d.stack.name} ${d.stack.status} (last operation ${d.stack.lastOperation}${d.stack.time ? ` at ${d.stack.time}` : ""})`);
  if (d.stack.reason) lines.push(...d.stack.reason.split("\n").map((l) => `${" ".repeat(13)}${l}`));
  field("Image", imageText(d.image));
  field("Service", serviceText(d.service));
  if (d.capacity) field("Capacity", d.capacity);
  field("Certificate", certificateText(d.certificate));
  field("Pipeline", pipelineText(d.pipeline));
  for (const fs of d.fileSystems) {
    field(
      fs.volume === "weights" ? "EFS weights" : "EFS assets",
      fs.error
        ? `${fs.id ?? "-"} (${fs.error})`
        : `${fs.id} ${fs.sizeBytes === undefined ? "size unknown" : formatBytes(fs.sizeBytes)}${fs.lifeCycleState && fs.lifeCycleState !== "available" ? ` ${fs.lifeCycleState}` : ""}`,
    );
  }
  if (d.service.deployments.length > 0) {
    lines.push("", "Rollout:");
    lines.push(
      indent(
        formatTable(
          ["DEPLOYMENT", "STATUS", "ROLLOUT", "TASK DEFINITION", "RUNNING", "PENDING", "FAILED", "UPDATED"],
          d.service.deployments.map((x) => [
            x.id ?? "-",
            x.status ?? "-",
            x.rolloutState ?? "-",
            x.taskDefinition ?? "-",
            `${x.running ?? 0}/${x.desired ?? 0}`,
            String(x.pending ?? 0),
            String(x.failed ?? 0),
            x.updatedAt ?? "-",
          ]),
        ),
      ),
    );
    const reason = d.service.deployments.find((x) => x.status === "PRIMARY")?.rolloutStateReason;
    if (reason) lines.push(`  ${reason}`);
  }
  lines.push("", `Tasks (${d.tasks.running.length}):`);
  if (d.tasks.error) lines.push(`  unknown: ${d.tasks.error}`);
  else if (d.tasks.running.length === 0) lines.push("  none running");
  else {
    // Tasks on ECS Managed Instances get the instance type column; Fargate tasks have none to show.
    const managed = d.tasks.running.some((t) => t.capacityProvider !== undefined);
    lines.push(
      indent(
        formatTable(
          ["TASK", "STATUS", "HEALTH", "STARTED", "TASK DEFINITION", "AZ", ...(managed ? ["INSTANCE TYPE"] : [])],
          d.tasks.running.map((t) => [
            t.id,
            t.lastStatus ?? "-",
            t.health ?? "-",
            t.startedAt ?? "-",
            t.taskDefinition ?? "-",
            t.availabilityZone ?? "-",
            ...(managed ? [t.instanceType ?? "not readable"] : []),
          ]),
        ),
      ),
    );
  }
  if (d.tasks.stopped.length > 0) {
    lines.push("", "Last stopped tasks:");
    for (const t of d.tasks.stopped) {
      const why = [t.stopCode, t.reason, ...t.containers, t.explanation].filter(Boolean).join("; ");
      lines.push(`  ${t.id}${t.stoppedAt ? ` ${t.stoppedAt}` : ""}: ${why || "no reason given"}`);
    }
  }
  lines.push("", `Targets (${d.targets.healthy}/${d.targets.total} healthy):`);
  if (d.targets.error) lines.push(`  unknown: ${d.targets.error}`);
  else if (d.targets.targets.length === 0) lines.push("  none registered");
  else {
    lines.push(
      indent(
        formatTable(
          ["TARGET", "PORT", "STATE", "REASON"],
          d.targets.targets.map((t) => [
            t.id ?? "-",
            t.port === undefined ? "-" : String(t.port),
            t.state ?? "-",
            [t.reason, t.description].filter(Boolean).join(": ") || "-",
          ]),
        ),
      ),
    );
  }
  if (d.problems.length > 0) lines.push("", `Problems (${d.problems.length}):`, ...d.problems.map((p) => `  ${p}`));
  return lines.join("\n");
}

function dnsText(dns: DnsSection): string {
  if (dns.state === "pointed") return `${dns.host} points at the load balancer ${dns.loadBalancer}`;
  if (dns.state === "not pointed") return `not pointed: ${dns.error ?? `${dns.host} does not resolve to the load balancer`}`;
  return `unknown: ${dns.error ?? "not read"}`;
}

function imageText(image: ImageSection): string {
  if (!image.tag) return "none deployed yet";
  const where = image.uri ? `${image.uri}:${image.tag}` : image.tag;
  if (image.error) return `${where} (ECR unreadable: ${image.error})`;
  if (image.inRepository === false) return `${where} (not in ECR!)`;
  return `${where}${image.pushedAt ? ` (pushed ${image.pushedAt})` : ""}`;
}

function serviceText(service: ServiceSection): string {
  if (service.error) return `unknown: ${service.error}`;
  return `${service.name} in ${service.cluster}: ${service.running ?? 0}/${service.desired ?? 0} running, ${service.pending ?? 0} pending${service.lastEvent ? `\n${" ".repeat(13)}last event: ${service.lastEvent}` : ""}`;
}

function certificateText(c: CertificateSection): string {
  if (c.error && !c.status) return `unknown: ${c.error}`;
  if (!c.status && c.warning) return `none (!) ${c.warning}`;
  const days = c.daysLeft === undefined ? "" : `, ${c.daysLeft} day(s) left`;
  return `${c.domain ?? c.arn} ${c.status ?? ""}${c.notAfter ? ` until ${c.notAfter}` : ""}${days}${c.warning ? ` (!) ${c.warning}` : ""}`;
}

function pipelineText(p: PipelineSection | undefined): string {
  if (!p) return "none (images are built elsewhere)";
  if (p.state === "unknown") return `${p.name}: last run unknown (${p.error})`;
  if (p.state === "none") return `${p.name}: no run yet`;
  const run = p.lastRun;
  return `${p.name}: last run ${run?.status ?? "?"}${run?.startedAt ? ` started ${run.startedAt}` : ""}${run?.id ? ` (${run.id})` : ""}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
