/**
 * Checks that involve more than one field. They run on a partially validated
 * file (fields that failed their own check are undefined), so one broken field
 * does not hide the problems of the others: every problem is reported at once.
 */
import { contains, overlaps, parseCidr, type Cidr } from "./cidr.js";
import { describeAllowedMemory, FARGATE_SIZES, formatMiB } from "./fargate.js";
import { arnRegion, azRegion, linearDeploymentSteps, MAX_ENDPOINT_ID_LENGTH, MAX_TRAFFIC_SHIFT_MINUTES } from "./rules.js";
import type { EndpointFile } from "./schema.js";
import type { ParamOverrides } from "./model.js";
import { checkCompute, COMPUTE_CROSS_CHECKS, onManagedInstances } from "./compute-checks.js";

/** A problem located by a field path of our format (e.g. `network.publicSubnets[1]`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Recursively optional: the shape of a partially valid file. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Names a field in messages, in the vocabulary of the file's format. */
export type FieldNamer = (path: string) => string;

/** Cross-field rules, for the parameter reference. Keep in step with `crossCheck` below. */
export const CROSS_CHECKS: readonly string[] = [
  "`network` is required for a base endpoint and not allowed for an added one (one with `base`); `base` differs from `project`.",
  "`monitoring.vpcFlowLogs`, `monitoring.loadBalancerAccessLogs` and `monitoring.containerInsights` are set on the base endpoint only: an added endpoint shares its network, load balancer and cluster.",
  "`api.idleTimeoutSeconds` is set on the base endpoint only: it is its load balancer's, shared by the endpoints added to it.",
  "`project-environment` is at most 32 characters and does not start with `internal-` (load balancer and target group names).",
  "Every subnet lies inside `vpcCidr`; no two subnets overlap.",
  "The two availability zones differ and are in one region; with `--region`, in that region.",
  "`certificateArn` is in the endpoint's region; without it, `hostHeader` is at most 64 characters (the longest name ACM issues a certificate for).",
  "`container.memory` is allowed for `container.cpu` on Fargate (not for a `gpu` or `neuron` endpoint).",
  "`scaling.min` <= `scaling.desired` <= `scaling.max`.",
  "`rollout.healthCheckTimeoutSeconds` < `rollout.healthCheckIntervalSeconds`; `rollout.maximumPercent` > `rollout.minimumHealthyPercent`.",
  "A `canary` rollout: `rollout.bakeMinutes` + `rollout.canaryBakeMinutes` is at most 1980 (33 hours). A `linear` one: `rollout.bakeMinutes` + `rollout.linearStepBakeMinutes` × steps is at most 1980, where steps is 100 ÷ `rollout.linearStepPercent` - 1 when the step divides 100 evenly, else the whole part of 100 ÷ `rollout.linearStepPercent`. CloudFormation refuses longer ones; checked for the strategy `update --strategy` or `rollback --strategy` sets too.",
  "`storage.assetsMountPath` and `storage.weightsMountPath` differ.",
  ...COMPUTE_CROSS_CHECKS,
];

/** Longest domain name ACM accepts as a certificate's first name. */
const MAX_CERTIFICATE_NAME_LENGTH = 64;

/**
 * Runs the cross-field checks on the fields that passed their own checks.
 * `present` tells whether the file gave a field (otherwise its default
 * applies); `doubtful` whether the user may have meant to give it but wrote
 * it so that it was not taken (a misspelt sibling key, a value that failed
 * its own check). A check involving a doubtful field is skipped: its problem
 * would be about a value the user never wrote. A problem between a written
 * field and a default is reported on the written field, naming the default.
 */
export function crossCheck(
  file: DeepPartial<EndpointFile>,
  present: (path: string) => boolean,
  name: FieldNamer,
  overrides: ParamOverrides = {},
  doubtful: (path: string) => boolean = () => false,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const fields: Fields = {
    written: present,
    unsure: (...paths) => paths.some((path) => !present(path) && doubtful(path)),
    label: (path, value) => (present(path) ? `${name(path)} (${value})` : `${name(path)} (${value}, its default)`),
  };

  checkKind(file, present, name, add);
  if (!fields.unsure("environment")) checkEndpointId(file, name, add);
  const region = checkNetwork(file, overrides, add) ?? overrides.region;
  checkApi(file, present, region, name, fields, add);
  // ECS Managed Instances has no Fargate CPU/memory pairs; the instance types bound the task instead.
  if (onManagedInstances(file)) checkCompute(file, region, name, fields, add);
  else {
    checkContainer(file, name, fields, add);
    checkCompute(file, region, name, fields, add);
  }
  checkScaling(file, name, fields, add);
  checkRollout(file, name, fields, add);
  checkTrafficShiftTime(file, overrides, name, fields, add);
  checkStorage(file, name, fields, add);
  return issues;
}

type Add = (path: string, message: string) => void;

/** Monitoring of resources that only the base endpoint's stack creates. */
const BASE_ONLY_MONITORING = ["vpcFlowLogs", "loadBalancerAccessLogs", "containerInsights"] as const;

/** How the fields of a cross-check were given. */
export interface Fields {
  /** The file gave the field. */
  written(path: string): boolean;
  /** Some of the fields are absent but may have been meant (a misspelt key, a rejected value): skip the check. */
  unsure(...paths: string[]): boolean;
  /** `scaling.max (4)`, or `scaling.max (4, its default)` when the file did not give it. */
  label(path: string, value: string | number): string;
}

function checkKind(file: DeepPartial<EndpointFile>, present: (path: string) => boolean, name: FieldNamer, add: Add): void {
  if (present("base")) {
    if (present("network")) {
      add("network", `not allowed for an added endpoint (${name("base")} is given): it runs in its base endpoint's network; remove this section`);
    }
    for (const key of BASE_ONLY_MONITORING) {
      if (present(`monitoring.${key}`)) {
        add(
          `monitoring.${key}`,
          `not allowed for an added endpoint (${name("base")} is given): it uses its base endpoint's network, load balancer and cluster; set it in the base endpoint's file`,
        );
      }
    }
    if (present("api.idleTimeoutSeconds")) {
      add(
        "api.idleTimeoutSeconds",
        `not allowed for an added endpoint (${name("base")} is given): it is the base endpoint's load balancer's; set it in the base endpoint's file`,
      );
    }
    if (file.base !== undefined && file.base === file.project) {
      add("base", `"${file.base}" is this endpoint's own ${name("project")}; name the base endpoint it joins`);
    }
  } else if (!present("network")) {
    add("network", `required for a base endpoint; for an added endpoint give ${name("base")} (the base endpoint's project) instead`);
  }
}

function checkEndpointId(file: DeepPartial<EndpointFile>, name: FieldNamer, add: Add): void {
  if (file.project === undefined || file.environment === undefined) return;
  const id = `${file.project}-${file.environment}`;
  const both = `${name("project")} and ${name("environment")}`;
  if (id.length > MAX_ENDPOINT_ID_LENGTH) {
    add(
      "project",
      `"${id}" (${name("project")}-${name("environment")}) is ${id.length} characters; load balancer and target group names allow at most ${MAX_ENDPOINT_ID_LENGTH}: shorten ${both}`,
    );
  }
  if (id.startsWith("internal-")) {
    add("project", `"${id}" (${name("project")}-${name("environment")}) starts with "internal-", which load balancer names may not: rename ${name("project")}`);
  }
}

/** Checks subnets and zones; returns the region the zones agree on, if any. */
function checkNetwork(file: DeepPartial<EndpointFile>, overrides: ParamOverrides, add: Add): string | undefined {
  const network = file.network;
  if (network === undefined) return undefined;

  const vpc = network.vpcCidr === undefined ? undefined : parseCidr(network.vpcCidr);
  const subnets: { path: string; label: string; cidr: Cidr }[] = [];
  for (const [kind, list] of [
    ["public", network.publicSubnets],
    ["private", network.privateSubnets],
  ] as const) {
    const key = kind === "public" ? "publicSubnets" : "privateSubnets";
    (list ?? []).forEach((text, index) => {
      const cidr = text === undefined ? undefined : parseCidr(text);
      if (cidr !== undefined && !("error" in cidr)) {
        subnets.push({ path: `network.${key}[${index}]`, label: `${kind} subnet ${index + 1} (${cidr.text})`, cidr });
      }
    });
  }
  if (vpc !== undefined && !("error" in vpc)) {
    for (const subnet of subnets) {
      if (!contains(vpc, subnet.cidr)) add(subnet.path, `${subnet.label} is not inside the VPC ${vpc.text}`);
    }
  }
  subnets.forEach((subnet, index) => {
    const earlier = subnets.slice(0, index).find((other) => overlaps(other.cidr, subnet.cidr));
    if (earlier !== undefined) add(subnet.path, `${subnet.label} overlaps ${earlier.label}`);
  });

  const zones = network.availabilityZones ?? [];
  const [first, second] = zones;
  if (first !== undefined && second !== undefined) {
    if (first === second) {
      add("network.availabilityZones[1]", `"${second}" is the same zone as the first; the two subnets of each kind must be in two different zones`);
    } else if (azRegion(first) !== azRegion(second)) {
      add("network.availabilityZones[1]", `"${second}" is in ${azRegion(second)} but "${first}" is in ${azRegion(first)}; both zones must be in one region`);
    }
  }
  if (overrides.region !== undefined) {
    zones.forEach((zone, index) => {
      if (zone !== undefined && azRegion(zone) !== overrides.region) {
        add(
          `network.availabilityZones[${index}]`,
          `"${zone}" is not in ${overrides.region}, the region mlops runs in (from ${overrides.regionSource ?? "--region"})`,
        );
      }
    });
  }
  if (first !== undefined && (second === undefined || azRegion(first) === azRegion(second))) return azRegion(first);
  return undefined;
}

function checkApi(
  file: DeepPartial<EndpointFile>,
  present: (path: string) => boolean,
  region: string | undefined,
  name: FieldNamer,
  fields: Fields,
  add: Add,
): void {
  const api = file.api;
  if (api === undefined) return;
  if (api.certificateArn !== undefined && region !== undefined) {
    const certificateRegion = arnRegion(api.certificateArn);
    if (certificateRegion !== region) {
      add(
        "api.certificateArn",
        `the certificate is in ${certificateRegion} but the endpoint is in ${region}; a load balancer can only use a certificate of its own region`,
      );
    }
  }
  if (
    !present("api.certificateArn") &&
    !fields.unsure("api.certificateArn") &&
    api.hostHeader !== undefined &&
    api.hostHeader.length > MAX_CERTIFICATE_NAME_LENGTH
  ) {
    add(
      "api.hostHeader",
      `"${api.hostHeader}" is ${api.hostHeader.length} characters; ACM issues certificates for names of at most ${MAX_CERTIFICATE_NAME_LENGTH}: use a shorter host or give ${name("api.certificateArn")} of a certificate that covers it`,
    );
  }
}

function checkContainer(file: DeepPartial<EndpointFile>, name: FieldNamer, fields: Fields, add: Add): void {
  const cpu = file.container?.cpu;
  const memory = file.container?.memory;
  if (cpu === undefined || memory === undefined || fields.unsure("container.cpu", "container.memory")) return;
  const allowed = FARGATE_SIZES.get(cpu) ?? [];
  if (allowed.includes(memory)) return;
  // "2 GB (2048 MiB)" helps; "1536 MiB (1536 MiB)" does not.
  const shown = formatMiB(memory) === `${memory} MiB` ? formatMiB(memory) : `${formatMiB(memory)} (${memory} MiB)`;
  if (!fields.written("container.memory") && fields.written("container.cpu")) {
    add(
      "container.cpu",
      `with ${cpu} CPU units the memory must be ${describeAllowedMemory(cpu)}, and ${name("container.memory")} is not given (default ${formatMiB(memory)}): set it`,
    );
    return;
  }
  add(
    "container.memory",
    `${shown} is not a Fargate size for ${fields.label("container.cpu", cpu)}; with ${cpu} CPU units the memory must be ${describeAllowedMemory(cpu)}`,
  );
}

function checkScaling(file: DeepPartial<EndpointFile>, name: FieldNamer, fields: Fields, add: Add): void {
  const { min, desired, max } = file.scaling ?? {};
  if (min !== undefined && max !== undefined && min > max) {
    if (fields.unsure("scaling.min", "scaling.max")) return;
    if (fields.written("scaling.min")) add("scaling.min", `${min} is above ${fields.label("scaling.max", max)}`);
    else add("scaling.max", `${max} is below ${fields.label("scaling.min", min)}`);
    return;
  }
  if (desired === undefined) return;
  const compare = (bound: "scaling.min" | "scaling.max", value: number | undefined, below: boolean): void => {
    if (value === undefined || (below ? desired >= value : desired <= value) || fields.unsure("scaling.desired", bound)) return;
    if (fields.written("scaling.desired")) {
      add("scaling.desired", `${desired} is ${below ? "below" : "above"} ${fields.label(bound, value)}`);
    } else {
      add(bound, `${value} is ${below ? "above" : "below"} ${fields.label("scaling.desired", desired)}: set ${name("scaling.desired")} as well`);
    }
  };
  compare("scaling.min", min, true);
  compare("scaling.max", max, false);
}

function checkRollout(file: DeepPartial<EndpointFile>, name: FieldNamer, fields: Fields, add: Add): void {
  const rollout = file.rollout ?? {};
  const intervalPath = "rollout.healthCheckIntervalSeconds";
  const timeoutPath = "rollout.healthCheckTimeoutSeconds";
  const { healthCheckIntervalSeconds: interval, healthCheckTimeoutSeconds: timeout } = rollout;
  if (interval !== undefined && timeout !== undefined && timeout >= interval && !fields.unsure(intervalPath, timeoutPath)) {
    if (fields.written(timeoutPath)) add(timeoutPath, `${timeout} must be less than ${fields.label(intervalPath, interval)}`);
    else add(intervalPath, `${interval} must be more than ${fields.label(timeoutPath, timeout)}: set ${name(timeoutPath)} as well`);
  }
  const minimumPath = "rollout.minimumHealthyPercent";
  const maximumPath = "rollout.maximumPercent";
  const { minimumHealthyPercent: minimum, maximumPercent: maximum } = rollout;
  if (minimum !== undefined && maximum !== undefined && maximum <= minimum && !fields.unsure(minimumPath, maximumPath)) {
    if (fields.written(maximumPath)) {
      add(maximumPath, `${maximum} must be above ${fields.label(minimumPath, minimum)}, or a rollout cannot start a new task`);
    } else {
      add(
        minimumPath,
        `${minimum} must be below ${fields.label(maximumPath, maximum)}, or a rollout cannot start a new task: lower it or set ${name(maximumPath)}`,
      );
    }
  }
}

/**
 * CloudFormation rejects a canary or linear deployment whose computed time exceeds 33 hours
 * (AWS::ECS::Service CanaryConfiguration and LinearConfiguration, CloudFormation Template
 * Reference): the strategy that will run is judged, the file's or `--strategy`'s.
 */
function checkTrafficShiftTime(file: DeepPartial<EndpointFile>, overrides: ParamOverrides, name: FieldNamer, fields: Fields, add: Add): void {
  const rollout = file.rollout ?? {};
  const strategy = overrides.strategy ?? rollout.strategy;
  const bake = rollout.bakeMinutes;
  const bakePath = "rollout.bakeMinutes";
  const from = overrides.strategy === undefined ? "" : ` (--strategy ${overrides.strategy})`;
  const limit = `CloudFormation refuses a ${strategy} rollout${from} longer than 33 hours (${MAX_TRAFFIC_SHIFT_MINUTES} minutes)`;
  // Reported on a field the file gave: the first written of `paths`, which a shorter value fixes.
  const report = (paths: string[], sum: string, total: number): void => {
    const path = paths.find((p) => fields.written(p)) ?? paths[0]!;
    add(
      path,
      `${sum} is ${total} minutes; ${limit}: shorten ${paths
        .filter((p) => p.endsWith("Minutes"))
        .map(name)
        .join(" or ")}`,
    );
  };
  if (strategy === "canary") {
    const canaryPath = "rollout.canaryBakeMinutes";
    const canary = rollout.canaryBakeMinutes;
    if (bake === undefined || canary === undefined || fields.unsure(bakePath, canaryPath)) return;
    const total = bake + canary;
    if (total > MAX_TRAFFIC_SHIFT_MINUTES) report([canaryPath, bakePath], `${fields.label(bakePath, bake)} + ${fields.label(canaryPath, canary)}`, total);
  } else if (strategy === "linear") {
    const stepPath = "rollout.linearStepBakeMinutes";
    const percentPath = "rollout.linearStepPercent";
    const { linearStepBakeMinutes: step, linearStepPercent: percent } = rollout;
    if (bake === undefined || step === undefined || percent === undefined || fields.unsure(bakePath, stepPath, percentPath)) return;
    const steps = linearDeploymentSteps(percent);
    const total = bake + step * steps;
    if (total > MAX_TRAFFIC_SHIFT_MINUTES) {
      const sum = `${fields.label(bakePath, bake)} + ${fields.label(stepPath, step)} × ${steps} steps (of ${fields.label(percentPath, percent)})`;
      report([stepPath, bakePath, percentPath], sum, total);
    }
  }
}

function checkStorage(file: DeepPartial<EndpointFile>, name: FieldNamer, fields: Fields, add: Add): void {
  const { assetsMountPath: assets, weightsMountPath: weights } = file.storage ?? {};
  if (assets === undefined || weights === undefined || fields.unsure("storage.assetsMountPath", "storage.weightsMountPath")) return;
  // "/app/assets/" and "/app/assets" are the same mount point.
  if (assets.replace(/\/+$/, "") !== weights.replace(/\/+$/, "")) return;
  if (fields.written("storage.weightsMountPath")) {
    add(
      "storage.weightsMountPath",
      `"${weights}" is also ${fields.label("storage.assetsMountPath", `"${assets}"`)}; the two volumes need different mount paths`,
    );
  } else {
    add(
      "storage.assetsMountPath",
      `"${assets}" is also ${fields.label("storage.weightsMountPath", `"${weights}"`)}; the two volumes need different mount paths`,
    );
  }
}
