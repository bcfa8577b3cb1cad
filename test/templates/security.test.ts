/**
 * Security properties of the templates, checked on the parsed templates
 * (long form, see cfn-yaml.ts). Each block names the tutorial defect or the
 * hardening it guards.
 */
import { describe, expect, it } from "vitest";
import type { CfnResource, CfnTemplate, CfnValue } from "./cfn-yaml.js";
import {
  A,
  B,
  ENDPOINTS,
  P,
  TEMPLATE_NAMES,
  evaluateName,
  getAttTarget,
  importArg,
  isObject,
  list,
  obj,
  onlyResource,
  props,
  readRepoFile,
  refTarget,
  resource,
  resourcesOfType,
  subVariables,
  template,
  walk,
  type CfnObject,
} from "./helpers.js";

const ALL = TEMPLATE_NAMES.map((n) => [n, template(n)] as const);

/** Actions that support no resource-level scoping, so `Resource: "*"` is their only form. */
const STAR_ONLY_ACTIONS = new Set([
  "ecr:GetAuthorizationToken",
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:DescribeTaskDefinition",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
]);

const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

function asList(value: CfnValue | undefined): CfnValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every policy document of a template, with where it is. */
function policyDocuments(t: CfnTemplate): Array<{ where: string; kind: "trust" | "policy"; doc: CfnObject }> {
  const docs: Array<{ where: string; kind: "trust" | "policy"; doc: CfnObject }> = [];
  walk(t.Resources as unknown as CfnValue, (node, path) => {
    if (!isObject(node)) return;
    for (const key of ["PolicyDocument", "AssumeRolePolicyDocument"] as const) {
      if (key in node) {
        docs.push({
          where: [...path, key].join("."),
          kind: key === "AssumeRolePolicyDocument" ? "trust" : "policy",
          doc: obj(node[key], key),
        });
      }
    }
  });
  return docs;
}

function statements(doc: CfnObject): CfnObject[] {
  return asList(doc["Statement"]).map((s) => obj(s, "Statement"));
}

function trustedServices(role: CfnResource): string[] {
  const doc = obj(props(role)["AssumeRolePolicyDocument"], "AssumeRolePolicyDocument");
  return statements(doc).flatMap((s) => asList(obj(s["Principal"], "Principal")["Service"]).map(String));
}

function ingressRules(sg: CfnResource): CfnObject[] {
  return asList(props(sg)["SecurityGroupIngress"]).map((r) => obj(r, "ingress rule"));
}

/** Ingress rules declared as their own resources for a group. */
function separateIngress(t: CfnTemplate, groupLogicalId: string): CfnObject[] {
  return resourcesOfType(t, "AWS::EC2::SecurityGroupIngress")
    .map(([, r]) => props(r))
    .filter((p) => refTarget(p["GroupId"]) === groupLogicalId);
}

function importSuffix(value: CfnValue | undefined): string | undefined {
  const arg = importArg(value);
  if (arg === undefined) return undefined;
  return evaluateName(arg, { BaseProjectName: "base", EnvironmentName: "env" }).replace(/^base-env-/, "");
}

describe("load balancer", () => {
  const https = resourcesOfType(A, "AWS::ElasticLoadBalancingV2::Listener").filter(([, l]) => props(l)["Protocol"] === "HTTPS");
  const http = resourcesOfType(A, "AWS::ElasticLoadBalancingV2::Listener").filter(([, l]) => props(l)["Protocol"] === "HTTP");

  it("HTTPS listener uses a TLS 1.2+ security policy", () => {
    expect(https).toHaveLength(1);
    for (const [, l] of https) {
      expect(props(l)["SslPolicy"]).toMatch(/^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-|TLS-1-2-)/);
    }
  });

  it("HTTPS listener answers unknown hosts with a fixed 404", () => {
    for (const [, l] of https) {
      const actions = list(props(l)["DefaultActions"]).map((a) => obj(a));
      expect(actions).toHaveLength(1);
      expect(actions[0]?.["Type"]).toBe("fixed-response");
      expect(obj(actions[0]?.["FixedResponseConfig"])["StatusCode"]).toBe("404");
    }
  });

  it("HTTP listener only redirects to HTTPS with a 301", () => {
    expect(http).toHaveLength(1);
    for (const [id, l] of http) {
      const actions = list(props(l)["DefaultActions"]).map((a) => obj(a));
      expect(actions).toHaveLength(1);
      expect(actions[0]?.["Type"]).toBe("redirect");
      const redirect = obj(actions[0]?.["RedirectConfig"]);
      expect(redirect["Protocol"]).toBe("HTTPS");
      expect(redirect["Port"]).toBe("443");
      expect(redirect["StatusCode"]).toBe("HTTP_301");
      // No rule forwards plain HTTP anywhere.
      for (const [, rule] of resourcesOfType(A, "AWS::ElasticLoadBalancingV2::ListenerRule")) {
        expect(refTarget(props(rule)["ListenerArn"])).not.toBe(id);
      }
    }
  });

  it("drops invalid HTTP header fields", () => {
    const [, lb] = onlyResource(A, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    const attrs = list(props(lb)["LoadBalancerAttributes"]).map((a) => obj(a));
    expect(attrs).toContainEqual({ Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" });
  });

  it("endpoint rules forward only to their own target group, by host header", () => {
    for (const [, t] of ENDPOINTS) {
      const [, rule] = onlyResource(t, "AWS::ElasticLoadBalancingV2::ListenerRule");
      const [tgId] = onlyResource(t, "AWS::ElasticLoadBalancingV2::TargetGroup");
      const actions = list(props(rule)["Actions"]).map((a) => obj(a));
      expect(actions).toEqual([{ Type: "forward", TargetGroupArn: { Ref: tgId } }]);
      const conditions = list(props(rule)["Conditions"]).map((c) => obj(c));
      expect(conditions).toEqual([{ Field: "host-header", HostHeaderConfig: { Values: [{ Ref: "HostHeaderApi" }] } }]);
    }
  });
});

describe("security groups", () => {
  it("load balancer admits only 80 and 443 from the allowed CIDR", () => {
    const rules = ingressRules(resource(A, "LoadBalancerSecurityGroup"));
    expect(rules.map((r) => [r["IpProtocol"], r["FromPort"], r["ToPort"]])).toEqual([
      ["tcp", 80, 80],
      ["tcp", 443, 443],
    ]);
    for (const r of rules) {
      expect(refTarget(r["CidrIp"])).toBe("AllowedCidrIp");
      expect(r["SourceSecurityGroupId"]).toBeUndefined();
    }
    expect(separateIngress(A, "LoadBalancerSecurityGroup")).toEqual([]);
  });

  it("tasks admit only the API port, from the load balancer's group", () => {
    for (const [name, t] of ENDPOINTS) {
      const rules = ingressRules(resource(t, "TaskSecurityGroup"));
      expect(rules, name).toHaveLength(1);
      const rule = rules[0] as CfnObject;
      expect(rule["IpProtocol"]).toBe("tcp");
      expect(refTarget(rule["FromPort"])).toBe("ApiPort");
      expect(refTarget(rule["ToPort"])).toBe("ApiPort");
      expect(rule["CidrIp"]).toBeUndefined();
      const source = rule["SourceSecurityGroupId"];
      if (name === "create-ep-a") expect(refTarget(source)).toBe("LoadBalancerSecurityGroup");
      else expect(importSuffix(source)).toBe("LoadBalancerSecurityGroup");
      expect(separateIngress(t, "TaskSecurityGroup")).toEqual([]);
    }
  });

  it("EFS admits only NFS (2049) from task security groups", () => {
    expect(ingressRules(resource(A, "EfsSecurityGroup"))).toEqual([]);
    const rules = separateIngress(A, "EfsSecurityGroup");
    expect(rules).toHaveLength(1);
    for (const r of rules) {
      expect([r["IpProtocol"], r["FromPort"], r["ToPort"]]).toEqual(["tcp", 2049, 2049]);
      expect(refTarget(r["SourceSecurityGroupId"])).toBe("TaskSecurityGroup");
      expect(r["CidrIp"]).toBeUndefined();
    }
    // B's rule is made by the CLI (and removed before B's deletion), not by B's stack.
    expect(resourcesOfType(B, "AWS::EC2::SecurityGroupIngress")).toEqual([]);
  });

  it("no security group is open to the world except the load balancer's (per AllowedCidrIp)", () => {
    for (const [name, t] of ALL) {
      walk(t.Resources as unknown as CfnValue, (node, path) => {
        if (isObject(node) && (node["CidrIp"] === "0.0.0.0/0" || node["CidrIpv6"] === "::/0")) {
          expect(path.includes("SecurityGroupIngress"), `${name} ${path.join(".")}`).toBe(false);
        }
      });
    }
  });
});

describe("ECS", () => {
  it("tasks get no public IP", () => {
    for (const [, t] of ENDPOINTS) {
      for (const [, svc] of resourcesOfType(t, "AWS::ECS::Service")) {
        const awsvpc = obj(obj(props(svc)["NetworkConfiguration"])["AwsvpcConfiguration"]);
        expect(awsvpc["AssignPublicIp"]).toBe("DISABLED");
      }
    }
  });

  it("services have a deployment circuit breaker with rollback driven by a parameter", () => {
    for (const [, t] of ENDPOINTS) {
      const [, svc] = onlyResource(t, "AWS::ECS::Service");
      const breaker = obj(obj(props(svc)["DeploymentConfiguration"])["DeploymentCircuitBreaker"]);
      expect(breaker["Enable"]).toBe(true);
      expect(refTarget(breaker["Rollback"])).toBe("CircuitBreakerRollback");
      expect(t.Parameters?.["CircuitBreakerRollback"]?.AllowedValues).toEqual(["true", "false"]);
    }
  });

  it("task definitions name roles by ARN (GetAtt Arn or an imported ARN), never by name", () => {
    for (const [, t] of ENDPOINTS) {
      const [, td] = onlyResource(t, "AWS::ECS::TaskDefinition");
      for (const key of ["ExecutionRoleArn", "TaskRoleArn"]) {
        const value = props(td)[key];
        const att = getAttTarget(value);
        if (att) {
          expect(att[1]).toBe("Arn");
          expect(resource(t, att[0]).Type).toBe("AWS::IAM::Role");
        } else {
          expect(importSuffix(value), key).toMatch(/RoleArn$/);
        }
      }
    }
  });

  it("EFS volumes are mounted with transit encryption and IAM authorization", () => {
    for (const [, t] of ENDPOINTS) {
      const [, td] = onlyResource(t, "AWS::ECS::TaskDefinition");
      const volumes = list(props(td)["Volumes"]).map((v) => obj(v));
      expect(volumes).toHaveLength(2);
      for (const v of volumes) {
        const efs = obj(v["EFSVolumeConfiguration"]);
        expect(efs["TransitEncryption"]).toBe("ENABLED");
        expect(obj(efs["AuthorizationConfig"])["IAM"]).toBe("ENABLED");
      }
    }
  });
});

describe("storage, images and logs", () => {
  it("EFS file systems are encrypted and kept on deletion and replacement", () => {
    for (const [, t] of ENDPOINTS) {
      const fss = resourcesOfType(t, "AWS::EFS::FileSystem");
      expect(fss).toHaveLength(2);
      for (const [id, fs] of fss) {
        expect(props(fs)["Encrypted"], id).toBe(true);
        expect(fs.DeletionPolicy, id).toBe("Retain");
        expect(fs.UpdateReplacePolicy, id).toBe("Retain");
      }
    }
  });

  it("ECR repositories scan on push and have immutable tags", () => {
    for (const [, t] of ENDPOINTS) {
      const [, repo] = onlyResource(t, "AWS::ECR::Repository");
      expect(obj(props(repo)["ImageScanningConfiguration"])["ScanOnPush"]).toBe(true);
      expect(props(repo)["ImageTagMutability"]).toBe("IMMUTABLE");
    }
  });

  it("log groups have a retention and are kept on deletion and replacement", () => {
    for (const [, t] of ENDPOINTS) {
      const groups = resourcesOfType(t, "AWS::Logs::LogGroup");
      expect(groups.length).toBeGreaterThan(0);
      for (const [id, g] of groups) {
        expect(refTarget(props(g)["RetentionInDays"]), id).toBe("LogRetentionDays");
        expect(g.DeletionPolicy, id).toBe("Retain");
        expect(g.UpdateReplacePolicy, id).toBe("Retain");
      }
    }
  });

  it("the artifact bucket is encrypted, private and reachable over TLS only", () => {
    const [bucketId, bucket] = onlyResource(P, "AWS::S3::Bucket");
    const sse = list(obj(props(bucket)["BucketEncryption"])["ServerSideEncryptionConfiguration"]).map((r) => obj(r));
    expect(sse.length).toBeGreaterThan(0);
    for (const rule of sse) {
      expect(["AES256", "aws:kms", "aws:kms:dsse"]).toContain(obj(rule["ServerSideEncryptionByDefault"])["SSEAlgorithm"]);
    }
    expect(props(bucket)["PublicAccessBlockConfiguration"]).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [, policy] = onlyResource(P, "AWS::S3::BucketPolicy");
    expect(refTarget(props(policy)["Bucket"])).toBe(bucketId);
    const deny = statements(obj(props(policy)["PolicyDocument"])).find((s) => s["Effect"] === "Deny");
    expect(deny?.["Condition"]).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });
});

describe("IAM", () => {
  it("every policy Version is the string 2012-10-17", () => {
    for (const [name, t] of ALL) {
      const docs = policyDocuments(t);
      expect(docs.length, name).toBeGreaterThan(0);
      for (const { where, doc } of docs) {
        expect(doc["Version"], `${name} ${where}`).toBe("2012-10-17");
      }
    }
  });

  it('no Allow statement has Resource "*" except for actions that support nothing else', () => {
    for (const [name, t] of ALL) {
      for (const { where, kind, doc } of policyDocuments(t)) {
        if (kind === "trust") continue;
        for (const s of statements(doc)) {
          expect(s["NotAction"], where).toBeUndefined();
          expect(s["NotResource"], where).toBeUndefined();
          if (s["Effect"] !== "Allow") continue;
          const actions = asList(s["Action"]).map(String);
          for (const action of actions) expect(action, `${name} ${where}`).not.toContain("*");
          if (asList(s["Resource"]).some((r) => r === "*")) {
            for (const action of actions) {
              expect(STAR_ONLY_ACTIONS.has(action), `${name} ${where}: ${action} on "*"`).toBe(true);
            }
          }
        }
      }
    }
  });

  it("no misspelt ECR action (the tutorial's ecr:BatchGetIamge)", () => {
    for (const name of TEMPLATE_NAMES) {
      expect(readRepoFile(`templates/${name}.yaml`)).not.toMatch(/Iamge/i);
    }
    for (const [, t] of ALL) {
      for (const { doc } of policyDocuments(t)) {
        for (const s of statements(doc)) {
          for (const action of asList(s["Action"]).map(String)) {
            expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]*$|^sts:AssumeRole$|^s3:\*$/);
          }
        }
      }
    }
  });

  it("roles have no explicit names (CAPABILITY_IAM is enough)", () => {
    for (const [, t] of ALL) {
      for (const [id, role] of resourcesOfType(t, "AWS::IAM::Role")) {
        expect(props(role)["RoleName"], id).toBeUndefined();
      }
      expect(resourcesOfType(t, "AWS::IAM::ManagedPolicy").every(([, p]) => props(p)["ManagedPolicyName"] === undefined)).toBe(true);
    }
  });

  it("the autoscaling role trusts Application Auto Scaling, and scalable targets use it", () => {
    const role = resource(A, "AutoScalingRole");
    expect(trustedServices(role)).toEqual(["application-autoscaling.amazonaws.com"]);
    const [, targetA] = onlyResource(A, "AWS::ApplicationAutoScaling::ScalableTarget");
    expect(getAttTarget(props(targetA)["RoleARN"])).toEqual(["AutoScalingRole", "Arn"]);
    const [, targetB] = onlyResource(B, "AWS::ApplicationAutoScaling::ScalableTarget");
    expect(importSuffix(props(targetB)["RoleARN"])).toBe("AutoScalingRoleArn");
  });

  it("task roles trust only ECS tasks", () => {
    for (const [, t] of ENDPOINTS) {
      for (const id of ["TaskRole", "TaskExecutionRole"]) {
        expect(trustedServices(resource(t, id))).toEqual(["ecs-tasks.amazonaws.com"]);
      }
    }
  });

  it("pipeline roles trust their service and pass task roles only to ECS tasks", () => {
    expect(trustedServices(resource(P, "CodeBuildRole"))).toEqual(["codebuild.amazonaws.com"]);
    expect(trustedServices(resource(P, "PipelineRole"))).toEqual(["codepipeline.amazonaws.com"]);
    const passRole = policyDocuments(P)
      .flatMap(({ doc }) => statements(doc))
      .filter((s) => asList(s["Action"]).includes("iam:PassRole"));
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.["Condition"]).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
  });
});

describe("cross-stack references", () => {
  const vars = { ProjectName: "base", BaseProjectName: "base", EnvironmentName: "env" };

  const exportsOfA = new Set(
    Object.values(A.Outputs ?? {})
      .filter((o) => o.Export)
      .map((o) => evaluateName(o.Export?.Name, vars)),
  );

  const importsOfB: string[] = [];
  walk(B as unknown as CfnValue, (node) => {
    const arg = importArg(node);
    if (arg !== undefined) importsOfB.push(evaluateName(arg, vars));
  });

  it("B imports only names that A exports, under the base's ProjectName", () => {
    expect(importsOfB.length).toBeGreaterThan(0);
    for (const name of importsOfB) expect(exportsOfA, name).toContain(name);
  });

  it("B's import names are built from BaseProjectName, not its own ProjectName", () => {
    walk(B as unknown as CfnValue, (node) => {
      const arg = importArg(node);
      if (arg === undefined) return;
      const text = JSON.stringify(arg);
      expect(text).toContain("${BaseProjectName}-${EnvironmentName}-");
      expect(text).not.toContain("${ProjectName}");
    });
  });
});

describe("references resolve", () => {
  for (const [name, t] of ALL) {
    it(`every Ref, GetAtt, Sub variable, DependsOn and condition in ${name} is defined`, () => {
      const parameters = new Set(Object.keys(t.Parameters ?? {}));
      const resources = new Set(Object.keys(t.Resources));
      const conditions = new Set(Object.keys(t.Conditions ?? {}));
      const problems: string[] = [];
      const known = (ref: string) => parameters.has(ref) || resources.has(ref) || PSEUDO_PARAMETERS.has(ref);

      const check = (value: CfnValue | undefined, where: string) =>
        walk(value, (node, path) => {
          if (!isObject(node)) return;
          const at = `${where}.${path.join(".")}`;
          const ref = node["Ref"];
          if (typeof ref === "string" && !known(ref)) problems.push(`${at}: Ref ${ref}`);
          const att = getAttTarget(node);
          if (att && !resources.has(att[0])) problems.push(`${at}: GetAtt ${att[0]}`);
          if ("Fn::Sub" in node) {
            const arg = node["Fn::Sub"];
            const text = Array.isArray(arg) ? arg[0] : arg;
            const local = Array.isArray(arg) && isObject(arg[1]) ? new Set(Object.keys(arg[1])) : new Set<string>();
            if (typeof text !== "string") problems.push(`${at}: Fn::Sub without a string`);
            else
              for (const v of subVariables(text)) {
                const head = v.includes(".") && !v.startsWith("AWS::") ? v.slice(0, v.indexOf(".")) : v;
                if (!local.has(v) && !(v.includes(".") ? resources.has(head) : known(v))) {
                  problems.push(`${at}: Sub variable ${v}`);
                }
              }
          }
          if ("Fn::If" in node) {
            const cond = list(node["Fn::If"])[0];
            if (typeof cond !== "string" || !conditions.has(cond)) problems.push(`${at}: Fn::If ${String(cond)}`);
          }
          // Inside Conditions, { Condition: X } refers to another condition.
          const cond = node["Condition"];
          if (where === "Conditions" && Object.keys(node).length === 1 && typeof cond === "string") {
            if (!conditions.has(cond)) problems.push(`${at}: Condition ${cond}`);
          }
        });

      check(t.Conditions as CfnValue | undefined, "Conditions");
      check(t.Outputs as unknown as CfnValue | undefined, "Outputs");
      for (const [id, r] of Object.entries(t.Resources)) {
        check(r.Properties as CfnValue | undefined, `Resources.${id}.Properties`);
        if (r.Condition !== undefined && !conditions.has(r.Condition)) problems.push(`${id}: Condition ${r.Condition}`);
        for (const dep of asList(r.DependsOn as CfnValue | undefined)) {
          if (typeof dep !== "string" || !resources.has(dep)) problems.push(`${id}: DependsOn ${String(dep)}`);
        }
      }
      for (const [id, o] of Object.entries(t.Outputs ?? {})) {
        if (o.Condition !== undefined && !conditions.has(o.Condition)) problems.push(`Outputs.${id}: Condition ${o.Condition}`);
      }
      expect(problems).toEqual([]);
    });
  }
});
