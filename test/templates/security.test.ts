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
  "logs:DescribeLogGroups",
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistrypublic.html
  "ecr-public:GetAuthorizationToken",
  "sts:GetServiceBearerToken",
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
  // A statement under Fn::If [condition, statement, AWS::NoValue] counts as the statement itself.
  return asList(doc["Statement"])
    .flatMap((s) =>
      isObject(s) && "Fn::If" in s
        ? list(s["Fn::If"])
            .slice(1)
            .filter((b) => refTarget(b) !== "AWS::NoValue")
        : [s],
    )
    .map((s) => obj(s, "Statement"));
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
  return evaluateName(arg, { BaseProjectName: "base", EnvironmentName: "env", "Condition:OnBaseLoadBalancer": "true" }).replace(/^base-env-/, "");
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
      // Rolling: its target group; a traffic-shifting strategy: its two target groups, ECS moving the weights
      // (rendered from the live rule, so that CloudFormation writes back what ECS left).
      expect(props(rule)["Actions"]).toEqual({
        "Fn::If": [
          "ShiftTraffic",
          [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: { Ref: "TargetGroup" }, Weight: { Ref: "PrimaryTargetGroupWeight" } },
                  { TargetGroupArn: { Ref: "AlternateTargetGroup" }, Weight: { Ref: "AlternateTargetGroupWeight" } },
                ],
              },
            },
          ],
          [{ Type: "forward", TargetGroupArn: { Ref: "TargetGroup" } }],
        ],
      });
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

  it("services have a deployment circuit breaker with rollback driven by a parameter, for rolling and blue/green deployments only", () => {
    // "can only be used for services using the rolling update (ECS) deployment type" (AWS::ECS::Service
    // DeploymentCircuitBreaker); "Both methods only support rolling update deployment and blue/green deployment
    // types" (Amazon ECS deployment failure detection).
    for (const [, t] of ENDPOINTS) {
      const [, svc] = onlyResource(t, "AWS::ECS::Service");
      const breaker = obj(obj(props(svc)["DeploymentConfiguration"])["DeploymentCircuitBreaker"]);
      expect(t.Conditions?.["CircuitBreakerApplies"]).toEqual({
        "Fn::Or": [{ "Fn::Equals": [{ Ref: "DeploymentStrategy" }, "ROLLING"] }, { "Fn::Equals": [{ Ref: "DeploymentStrategy" }, "BLUE_GREEN"] }],
      });
      expect(breaker["Enable"]).toEqual({ "Fn::If": ["CircuitBreakerApplies", true, false] });
      expect(breaker["Rollback"]).toEqual({ "Fn::If": ["CircuitBreakerApplies", { Ref: "CircuitBreakerRollback" }, false] });
      expect(t.Parameters?.["CircuitBreakerRollback"]?.AllowedValues).toEqual(["true", "false"]);
    }
  });

  it("task definitions name roles by ARN (GetAtt Arn or an imported ARN), never by name", () => {
    for (const [, t] of ENDPOINTS) {
      // The endpoint's task definition and the weights sync task's.
      expect(
        resourcesOfType(t, "AWS::ECS::TaskDefinition")
          .map(([id]) => id)
          .sort(),
      ).toEqual(["TaskDefinition", "WeightsSyncTaskDefinition"]);
      for (const [, td] of resourcesOfType(t, "AWS::ECS::TaskDefinition")) {
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
    }
  });

  it("EFS volumes are mounted with transit encryption and IAM authorization", () => {
    for (const [, t] of ENDPOINTS) {
      for (const [, td] of resourcesOfType(t, "AWS::ECS::TaskDefinition")) {
        const volumes = list(props(td)["Volumes"]).map((v) => obj(v));
        expect(volumes).toHaveLength(2);
        for (const v of volumes) {
          const efs = obj(v["EFSVolumeConfiguration"]);
          expect(efs["TransitEncryption"]).toBe("ENABLED");
          expect(obj(efs["AuthorizationConfig"])["IAM"]).toBe("ENABLED");
        }
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

  it("the build's layer cache is the pipeline stack's one mutable repository, emptied with the stack, expiring replaced caches", () => {
    const [id, repo] = onlyResource(P, "AWS::ECR::Repository");
    expect(id).toBe("BuildCacheRepository");
    // BuildKit overwrites the cache's one tag on every build.
    expect(props(repo)["ImageTagMutability"]).toBe("MUTABLE");
    // Deleting the stack (teardown, after its confirmation) deletes the cache's images with it.
    expect(props(repo)["EmptyOnDelete"]).toBe(true);
    const rules = (JSON.parse(String(obj(props(repo)["LifecyclePolicy"])["LifecyclePolicyText"])) as { rules: Array<Record<string, unknown>> }).rules;
    expect(rules.map((r) => r["selection"])).toEqual([{ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }]);
  });

  it("every log group has a retention; the container and build log groups are kept on deletion and replacement", () => {
    for (const [name, t] of ALL) {
      const groups = resourcesOfType(t, "AWS::Logs::LogGroup");
      // A load balancer shard has no logs of its own: its access logs go to the base's bucket; an images stack holds only a repository.
      if (name !== "shard" && name !== "images") expect(groups.length, name).toBeGreaterThan(0);
      for (const [id, g] of groups) {
        expect(refTarget(props(g)["RetentionInDays"]), id).toBe("LogRetentionDays");
      }
    }
    for (const [t, id] of [
      [A, "LogGroup"],
      [B, "LogGroup"],
      [P, "BuildLogGroup"],
    ] as const) {
      expect(resource(t, id).DeletionPolicy, id).toBe("Retain");
      expect(resource(t, id).UpdateReplacePolicy, id).toBe("Retain");
    }
  });

  it("the access-log buckets are kept on deletion and replacement, tagged so that teardown --delete-data finds them", () => {
    for (const [t, kind] of [
      [A, "load-balancer-access-logs"],
      [P, "artifact-access-logs"],
    ] as const) {
      const bucket = resource(t, "AccessLogsBucket");
      expect(bucket.DeletionPolicy, kind).toBe("Retain");
      expect(bucket.UpdateReplacePolicy, kind).toBe("Retain");
      // No fixed name: a re-created endpoint gets a bucket of its own beside the kept one.
      expect(props(bucket)["BucketName"], kind).toBeUndefined();
      expect(props(bucket)["Tags"]).toEqual([
        { Key: "mlops:endpoint", Value: { "Fn::Sub": "${ProjectName}-${EnvironmentName}" } },
        { Key: "mlops:bucket", Value: kind },
      ]);
    }
  });

  it("the artifact bucket is encrypted, private and reachable over TLS only", () => {
    const bucketId = "ArtifactBucket";
    const bucket = resource(P, bucketId);
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
    const [, policy] = resourcesOfType(P, "AWS::S3::BucketPolicy").find(([, r]) => refTarget(props(r)["Bucket"]) === bucketId) ?? [];
    if (!policy) throw new Error("no policy of the artifact bucket");
    const deny = statements(obj(props(policy)["PolicyDocument"])).find((s) => s["Effect"] === "Deny");
    expect(deny?.["Condition"]).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });
});

describe("IAM", () => {
  it("every policy Version is the string 2012-10-17", () => {
    for (const [name, t] of ALL) {
      const docs = policyDocuments(t);
      // A load balancer shard has no policy: no role, and it writes access logs under the base bucket's policy; nor has an images stack.
      if (name !== "shard" && name !== "images") expect(docs.length, name).toBeGreaterThan(0);
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

  it("autoscaling uses ECS's service-linked role: no custom role, RoleARN, export, import or PassRole for it", () => {
    for (const [name, t] of ENDPOINTS) {
      const [, target] = onlyResource(t, "AWS::ApplicationAutoScaling::ScalableTarget");
      expect(props(target)["RoleARN"], name).toBeUndefined();
    }
    for (const [name, t] of ALL) {
      for (const [id, role] of resourcesOfType(t, "AWS::IAM::Role")) {
        expect(trustedServices(role), `${name} ${id}`).not.toContain("application-autoscaling.amazonaws.com");
      }
      const text = readRepoFile(`templates/${name}.yaml`);
      expect(text, name).not.toMatch(/AutoScalingRole/);
      // The alarm permissions only a custom autoscaling role needed.
      const actions = policyDocuments(t)
        .flatMap(({ doc }) => statements(doc))
        .flatMap((s) => asList(s["Action"]).map(String));
      expect(
        actions.filter((a) => a.startsWith("cloudwatch:")),
        name,
      ).toEqual([]);
      expect(
        actions.filter((a) => a.startsWith("application-autoscaling:")),
        name,
      ).toEqual([]);
    }
    const passed = policyDocuments(P)
      .flatMap(({ doc }) => statements(doc))
      .filter((s) => asList(s["Action"]).includes("iam:PassRole"))
      .map((s) => s["Condition"]);
    expect(passed).toEqual([
      { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
    ]);
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
    expect(passRole.map((s) => s["Sid"])).toEqual(["PassTaskRoles", "PassTrafficShiftRole"]);
    expect(passRole[0]?.["Condition"]).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    // The build may pass the traffic-shift role, found by the name CloudFormation gives it, to ECS only.
    expect(passRole[1]?.["Condition"]).toEqual({ StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } });
    for (const [name, t] of ENDPOINTS) {
      const role = props(resource(t, "TrafficShiftRole"));
      expect(role["RoleName"], name).toBeUndefined();
      expect(role["Path"], name).toBeUndefined();
    }
  });
});

describe("cross-stack references", () => {
  const vars = { ProjectName: "base", BaseProjectName: "base", EnvironmentName: "env", "Condition:OnBaseLoadBalancer": "true" };

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

      check(t.Conditions, "Conditions");
      check(t.Outputs as unknown as CfnValue | undefined, "Outputs");
      for (const [id, r] of Object.entries(t.Resources)) {
        check(r.Properties, `Resources.${id}.Properties`);
        if (r.Condition !== undefined && !conditions.has(r.Condition)) problems.push(`${id}: Condition ${r.Condition}`);
        for (const dep of asList(r.DependsOn)) {
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

/** Maps a parameter switch to the condition that reads it: `{ Fn::Equals: [{ Ref: param }, "true"] }`. */
function switchCondition(t: CfnTemplate, condition: string, parameter: string): void {
  expect(t.Conditions?.[condition], condition).toEqual({ "Fn::Equals": [{ Ref: parameter }, "true"] });
  expect(t.Parameters?.[parameter]?.Default, parameter).toBe("true");
  expect(t.Parameters?.[parameter]?.AllowedValues, parameter).toEqual(["true", "false"]);
}

/** The statements of a bucket's policy in a template. */
function bucketPolicyStatements(t: CfnTemplate, bucketId: string): CfnObject[] {
  const [, policy] = resourcesOfType(t, "AWS::S3::BucketPolicy").find(([, r]) => refTarget(props(r)["Bucket"]) === bucketId) ?? [];
  if (!policy) throw new Error(`no policy of ${bucketId}`);
  return statements(obj(props(policy)["PolicyDocument"]));
}

/** A log bucket: SSE-S3, private, ACLs off, TLS only, objects expire after LogRetentionDays. */
function expectLogBucket(t: CfnTemplate, bucketId: string): void {
  const bucket = resource(t, bucketId);
  const p = props(bucket);
  const sse = list(obj(p["BucketEncryption"])["ServerSideEncryptionConfiguration"]).map((r) => obj(r));
  expect(
    sse.map((r) => obj(r["ServerSideEncryptionByDefault"])["SSEAlgorithm"]),
    bucketId,
  ).toEqual(["AES256"]);
  expect(p["PublicAccessBlockConfiguration"], bucketId).toEqual({
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  expect(obj(p["OwnershipControls"])["Rules"], bucketId).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
  const rules = list(obj(p["LifecycleConfiguration"])["Rules"]).map((r) => obj(r));
  expect(
    rules.some((r) => r["Status"] === "Enabled" && refTarget(r["ExpirationInDays"]) === "LogRetentionDays"),
    bucketId,
  ).toBe(true);
  const deny = bucketPolicyStatements(t, bucketId).find((s) => s["Effect"] === "Deny");
  expect(deny?.["Condition"], bucketId).toEqual({ Bool: { "aws:SecureTransport": "false" } });
}

describe("hardening: what AWS ignores, what is logged and what grows", () => {
  it("ECS Exec sessions are logged to a group with a retention, encrypted with a rotated key of the stack", () => {
    const cluster = props(resource(A, "Cluster"));
    const exec = obj(obj(cluster["Configuration"])["ExecuteCommandConfiguration"]);
    expect(exec["Logging"]).toBe("OVERRIDE");
    expect(exec["LogConfiguration"]).toEqual({ CloudWatchLogGroupName: { Ref: "ExecLogGroup" }, CloudWatchEncryptionEnabled: true });
    const group = props(resource(A, "ExecLogGroup"));
    expect(refTarget(group["RetentionInDays"])).toBe("LogRetentionDays");
    expect(getAttTarget(group["KmsKeyId"])).toEqual(["ExecLogKey", "Arn"]);
    const key = props(resource(A, "ExecLogKey"));
    expect(key["EnableKeyRotation"]).toBe(true);
    // CloudWatch Logs may use the key for the session group only.
    const logsStatement = statements(obj(key["KeyPolicy"])).find((s) => isObject(s["Principal"]) && "Service" in obj(s["Principal"]));
    expect(obj(logsStatement?.["Principal"])["Service"]).toEqual({ "Fn::Sub": "logs.${AWS::Region}.amazonaws.com" });
    const arnCondition = obj(obj(logsStatement?.["Condition"])["ArnEquals"])["kms:EncryptionContext:aws:logs:arn"];
    const vars = { ProjectName: "proj", EnvironmentName: "env", "AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012" };
    const uuid = { "Fn::Select": [2, { "Fn::Split": ["/", { Ref: "AWS::StackId" }] }] };
    expect(list(obj(arnCondition)["Fn::Sub"])[1]).toEqual({ StackUuid: uuid });
    expect(list(group["LogGroupName"] && obj(group["LogGroupName"])["Fn::Sub"])[1]).toEqual({ StackUuid: uuid });
    const name = evaluateName({ "Fn::Sub": [list(obj(group["LogGroupName"])["Fn::Sub"])[0] ?? "", { StackUuid: "u" }] }, vars);
    const arn = evaluateName({ "Fn::Sub": [list(obj(arnCondition)["Fn::Sub"])[0] ?? "", { StackUuid: "u" }] }, vars);
    expect(arn).toBe(`arn:aws:logs:us-east-1:123456789012:log-group:${name}`);
    expect(name).toBe("/mlops/proj-env/ecs-exec/u");
  });

  it("task roles of the base and of added endpoints (which share its cluster) may write the session logs", () => {
    for (const [name, t] of ENDPOINTS) {
      const policy = statements(obj(obj(list(props(resource(t, "TaskRole"))["Policies"])[0])["PolicyDocument"]));
      const write = policy.find((s) => s["Sid"] === "WriteSessionLogs");
      expect(asList(write?.["Action"]), name).toEqual(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]);
      expect(policy.find((s) => s["Sid"] === "FindSessionLogGroup")?.["Action"], name).toBe("logs:DescribeLogGroups");
    }
    const bWrite = statements(obj(obj(list(props(resource(B, "TaskRole"))["Policies"])[0])["PolicyDocument"])).find((s) => s["Sid"] === "WriteSessionLogs");
    expect(
      evaluateName(bWrite?.["Resource"], {
        BaseProjectName: "base",
        EnvironmentName: "env",
        "AWS::Partition": "aws",
        "AWS::Region": "r",
        "AWS::AccountId": "1",
      }),
    ).toBe("arn:aws:logs:r:1:log-group:/mlops/base-env/ecs-exec/*");
    expect(resourcesOfType(B, "AWS::ECS::Cluster")).toEqual([]);
    expect(readRepoFile("templates/add-ep-b.yaml")).toMatch(/base's cluster: its settings \(ECS Exec session logging/);
  });

  it("EFS file systems refuse clients without TLS or outside a mount target, and grant nothing to anonymous clients", () => {
    for (const [name, t] of ENDPOINTS) {
      for (const id of ["AssetsFileSystem", "WeightsFileSystem"]) {
        const policy = statements(obj(props(resource(t, id))["FileSystemPolicy"], `${name} ${id} FileSystemPolicy`));
        expect(
          policy.filter((s) => s["Effect"] === "Allow"),
          `${name} ${id}`,
        ).toEqual([]);
        const tls = policy.find((s) => s["Sid"] === "DenyWithoutTls");
        expect(tls?.["Effect"]).toBe("Deny");
        expect(tls?.["Principal"]).toEqual({ AWS: "*" });
        expect(tls?.["Action"]).toBe("*");
        expect(tls?.["Condition"]).toEqual({ Bool: { "aws:SecureTransport": "false" } });
        const mountTarget = policy.find((s) => s["Sid"] === "DenyOutsideMountTargets");
        expect(mountTarget?.["Effect"]).toBe("Deny");
        expect(mountTarget?.["Condition"]).toEqual({ Bool: { "elasticfilesystem:AccessedViaMountTarget": "false" } });
      }
      // The task role keeps its access: it mounts with IAM authorization over TLS, through the volume's
      // access point, and its policy grants the mount (what EFS then allows: efs-authorization.test.ts).
      const td = resource(t, "TaskDefinition");
      for (const v of list(props(td)["Volumes"]).map((x) => obj(x))) {
        const efs = obj(v["EFSVolumeConfiguration"]);
        expect(efs["TransitEncryption"]).toBe("ENABLED");
        const volume = String(v["Name"]) === "assets" ? "Assets" : "Weights";
        expect(efs["AuthorizationConfig"]).toEqual({ IAM: "ENABLED", AccessPointId: { Ref: `${volume}AccessPoint` } });
      }
      const role = statements(obj(obj(list(props(resource(t, "TaskRole"))["Policies"])[0])["PolicyDocument"]));
      expect(asList(role.find((s) => s["Sid"] === "MountAssetsVolume")?.["Action"])).toEqual([
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
      ]);
      expect(asList(role.find((s) => s["Sid"] === "MountWeightsVolume")?.["Action"])).toEqual(["elasticfilesystem:ClientMount"]);
    }
  });

  it("CodeBuild and CodePipeline trust only this account's project and pipeline of the endpoint (confused deputy)", () => {
    const vars = { ProjectName: "proj", EnvironmentName: "env", "AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012" };
    const expected = {
      CodeBuildRole: "arn:aws:codebuild:us-east-1:123456789012:project/proj-env",
      PipelineRole: "arn:aws:codepipeline:us-east-1:123456789012:proj-env",
    };
    for (const [id, sourceArn] of Object.entries(expected)) {
      const [trust] = statements(obj(props(resource(P, id))["AssumeRolePolicyDocument"]));
      const condition = obj(trust?.["Condition"], `${id} trust condition`);
      expect(obj(condition["StringEquals"])["aws:SourceAccount"], id).toEqual({ Ref: "AWS::AccountId" });
      expect(evaluateName(obj(condition["ArnLike"])["aws:SourceArn"], vars), id).toBe(sourceArn);
    }
  });

  it("no ACL permission on buckets whose ACLs are disabled (BucketOwnerEnforced)", () => {
    for (const [name, t] of ALL) {
      const buckets = resourcesOfType(t, "AWS::S3::Bucket");
      for (const [id, b] of buckets) {
        expect(obj(props(b)["OwnershipControls"], `${name} ${id}`)["Rules"]).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
      }
      const actions = policyDocuments(t)
        .flatMap(({ doc }) => statements(doc))
        .flatMap((s) => asList(s["Action"]).map(String));
      expect(
        actions.filter((a) => /^s3:(Put|Get)(Object|Bucket)Acl$/.test(a) && a !== "s3:GetBucketAcl"),
        name,
      ).toEqual([]);
    }
  });

  it("the build log group has a retention and the CodeBuild project logs there", () => {
    const group = props(resource(P, "BuildLogGroup"));
    expect(group["LogGroupName"]).toEqual({ "Fn::Sub": "/aws/codebuild/${ProjectName}-${EnvironmentName}" });
    expect(refTarget(group["RetentionInDays"])).toBe("LogRetentionDays");
    expect(resource(P, "BuildLogGroup").Condition).toBe("CreateBuildLogGroup");
    expect(P.Conditions?.["CreateBuildLogGroup"]).toEqual({ "Fn::Equals": [{ Ref: "BuildLogGroupExists" }, "false"] });
    // The group exists before a build runs: the build role may not create groups.
    const actions = policyDocuments(P)
      .flatMap(({ doc }) => statements(doc))
      .flatMap((s) => asList(s["Action"]).map(String));
    expect(actions).not.toContain("logs:CreateLogGroup");
  });

  it("ECR repositories expire untagged images after a day and keep the newest ImagesToKeep (at least 2) tagged ones", () => {
    for (const [name, t] of ENDPOINTS) {
      expect(t.Parameters?.["ImagesToKeep"]?.MinValue, name).toBe(2);
      const [, repo] = onlyResource(t, "AWS::ECR::Repository");
      const text = evaluateName(obj(props(repo)["LifecyclePolicy"])["LifecyclePolicyText"], { ImagesToKeep: "7" });
      const rules = (JSON.parse(text) as { rules: Array<Record<string, unknown>> }).rules;
      expect(
        rules.map((r) => ({ priority: r["rulePriority"], selection: r["selection"], action: r["action"] })),
        name,
      ).toEqual([
        { priority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } },
        { priority: 2, selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 7 }, action: { type: "expire" } },
      ]);
    }
  });

  it("VPC flow logs (on by default) go to a group with a retention through a role only VPC Flow Logs of this account can assume", () => {
    switchCondition(A, "EnableVpcFlowLogs", "VpcFlowLogs");
    for (const id of ["FlowLog", "FlowLogGroup", "FlowLogRole"]) expect(resource(A, id).Condition, id).toBe("EnableVpcFlowLogs");
    const flowLog = props(resource(A, "FlowLog"));
    expect(refTarget(flowLog["ResourceId"])).toBe("Vpc");
    expect(flowLog["TrafficType"]).toBe("ALL");
    expect(refTarget(flowLog["LogGroupName"])).toBe("FlowLogGroup");
    expect(getAttTarget(flowLog["DeliverLogsPermissionArn"])).toEqual(["FlowLogRole", "Arn"]);
    expect(refTarget(props(resource(A, "FlowLogGroup"))["RetentionInDays"])).toBe("LogRetentionDays");
    const role = resource(A, "FlowLogRole");
    expect(trustedServices(role)).toEqual(["vpc-flow-logs.amazonaws.com"]);
    const [trust] = statements(obj(props(role)["AssumeRolePolicyDocument"]));
    expect(obj(obj(trust?.["Condition"])["StringEquals"])["aws:SourceAccount"]).toEqual({ Ref: "AWS::AccountId" });
  });

  it("load balancer access logs (on by default) go to an SSE-S3 bucket that expires them, writable by Elastic Load Balancing only", () => {
    switchCondition(A, "EnableLoadBalancerAccessLogs", "LoadBalancerAccessLogs");
    expect(resource(A, "AccessLogsBucket").Condition).toBe("EnableLoadBalancerAccessLogs");
    expectLogBucket(A, "AccessLogsBucket");
    const lb = resource(A, "LoadBalancer");
    const attributes = list(props(lb)["LoadBalancerAttributes"]);
    expect(attributes).toContainEqual({ Key: "access_logs.s3.enabled", Value: { "Fn::If": ["EnableLoadBalancerAccessLogs", "true", "false"] } });
    expect(attributes).toContainEqual({
      "Fn::If": ["EnableLoadBalancerAccessLogs", { Key: "access_logs.s3.bucket", Value: { Ref: "AccessLogsBucket" } }, { Ref: "AWS::NoValue" }],
    });
    // ELB checks its write permission when logging is turned on: the policy must come first.
    expect(lb.Metadata?.["AccessLogsBucketPolicy"]).toEqual({ "Fn::If": ["EnableLoadBalancerAccessLogs", { Ref: "AccessLogsBucketPolicy" }, ""] });
    const write = bucketPolicyStatements(A, "AccessLogsBucket").find((s) => s["Effect"] === "Allow");
    expect(write?.["Action"]).toBe("s3:PutObject");
    expect(write?.["Resource"]).toEqual({ "Fn::Sub": "${AccessLogsBucket.Arn}/AWSLogs/${AWS::AccountId}/*" });
    const [condition, regional, newer] = list(obj(write?.["Principal"])["Fn::If"]);
    expect(condition).toBe("DeliverAccessLogsAsElbAccount");
    expect(obj(regional)["AWS"]).toBeDefined();
    expect(newer).toEqual({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    expect(obj(A.Mappings?.["ElbLogDeliveryAccounts"] as CfnValue)["us-east-1"]).toEqual({ AccountId: "127311923021" });
    expect(A.Outputs?.["LoadBalancerAccessLogsBucket"]?.Condition).toBe("EnableLoadBalancerAccessLogs");
  });

  it("the upload bucket's server access logs go with the load balancer's, written only by S3 logging of that bucket", () => {
    expect(props(resource(A, "WeightsUploadBucket"))["LoggingConfiguration"]).toEqual({
      "Fn::If": [
        "EnableLoadBalancerAccessLogs",
        { DestinationBucketName: { Ref: "AccessLogsBucket" }, LogFilePrefix: "weights-uploads/" },
        { Ref: "AWS::NoValue" },
      ],
    });
    const write = bucketPolicyStatements(A, "AccessLogsBucket").find((s) => s["Sid"] === "S3ServerAccessLogs");
    expect(write?.["Principal"]).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(write?.["Action"]).toBe("s3:PutObject");
    expect(write?.["Resource"]).toEqual({ "Fn::Sub": "${AccessLogsBucket.Arn}/weights-uploads/*" });
    expect(obj(write?.["Condition"])).toEqual({
      ArnLike: { "aws:SourceArn": { "Fn::GetAtt": ["WeightsUploadBucket", "Arn"] } },
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    });
  });

  it("Container Insights (on by default) is a cluster setting", () => {
    switchCondition(A, "EnableContainerInsights", "ContainerInsights");
    expect(props(resource(A, "Cluster"))["ClusterSettings"]).toEqual([
      { Name: "containerInsights", Value: { "Fn::If": ["EnableContainerInsights", "enabled", "disabled"] } },
    ]);
  });

  it("the artifact bucket's server access logs (on by default) go to a logs bucket only S3 logging of that bucket may write", () => {
    switchCondition(P, "EnableArtifactAccessLogs", "ArtifactAccessLogs");
    expect(resource(P, "AccessLogsBucket").Condition).toBe("EnableArtifactAccessLogs");
    expectLogBucket(P, "AccessLogsBucket");
    expect(props(resource(P, "ArtifactBucket"))["LoggingConfiguration"]).toEqual({
      "Fn::If": ["EnableArtifactAccessLogs", { DestinationBucketName: { Ref: "AccessLogsBucket" }, LogFilePrefix: "artifacts/" }, { Ref: "AWS::NoValue" }],
    });
    const write = bucketPolicyStatements(P, "AccessLogsBucket").find((s) => s["Effect"] === "Allow");
    expect(write?.["Principal"]).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(obj(write?.["Condition"])).toEqual({
      ArnLike: { "aws:SourceArn": { "Fn::GetAtt": ["ArtifactBucket", "Arn"] } },
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    });
    expect(P.Outputs?.["AccessLogsBucketName"]?.Condition).toBe("EnableArtifactAccessLogs");
  });

  it('every statement that must allow Resource "*" says why in a comment', () => {
    for (const name of TEMPLATE_NAMES) {
      const lines = readRepoFile(`templates/${name}.yaml`).split("\n");
      lines.forEach((line, index) => {
        if (!/^\s+Resource: "\*"\s*$/.test(line)) return;
        // Walk back to the start of the statement; the line before it must be a comment.
        let start = index;
        while (start > 0 && !/^\s+- (Sid|Effect):/.test(lines[start] ?? "")) start--;
        expect(lines[start - 1] ?? "", `${name}:${index + 1}`).toMatch(/^\s+#/);
      });
    }
  });
});

describe("weights sync task, its roles, upload bucket and schedule", () => {
  const statements = (role: CfnResource) =>
    list(props(role)["Policies"])
      .flatMap((p) => list(obj(obj(p)["PolicyDocument"])["Statement"]))
      // Statements under Fn::If [condition, statement, AWS::NoValue]: the statement itself.
      .map((s) => (isObject(s) && "Fn::If" in s ? obj(list(s["Fn::If"])[1]) : obj(s)));

  it("the sync role reads only the endpoint's upload prefix and the source prefix, and mounts the volumes through mount targets", () => {
    for (const [name, t] of ENDPOINTS) {
      const all = statements(resource(t, "WeightsSyncRole"));
      const actions = all.flatMap((s) => (Array.isArray(s["Action"]) ? s["Action"] : [s["Action"]]));
      // ClientRootAccess only in statements under a kept-file-system condition (see efs-authorization.test.ts).
      expect(new Set(actions), name).toEqual(
        new Set(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess", "s3:ListBucket", "s3:GetObject"]),
      );
      for (const s of all) {
        expect(s["Effect"]).toBe("Allow");
        expect(JSON.stringify(s["Resource"])).not.toContain('"*"');
        if (String(s["Action"]).startsWith("s3:ListBucket")) expect(JSON.stringify(s["Condition"]), name).toContain("s3:prefix");
        if (String(s["Action"]).startsWith("s3:GetObject"))
          expect(JSON.stringify(s["Resource"]), name).toMatch(/\/\$\{(ProjectName}-\$\{EnvironmentName|WeightsSourcePrefix)}/);
        if (JSON.stringify(s["Action"]).includes("elasticfilesystem")) {
          const volume = JSON.stringify(s["Resource"]).includes("AssetsFileSystem") ? "Assets" : "Weights";
          expect(s["Condition"]).toEqual({
            Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" },
            StringEquals: {
              "elasticfilesystem:AccessPointArn": {
                "Fn::Sub": `arn:\${AWS::Partition}:elasticfilesystem:\${AWS::Region}:\${AWS::AccountId}:access-point/\${${volume}AccessPoint}`,
              },
            },
          });
        }
      }
      // Only the weights volume is writable.
      const write = all.find((s) => JSON.stringify(s["Action"]).includes("ClientWrite"));
      expect(JSON.stringify(write?.["Resource"])).toContain("WeightsFileSystem");
    }
  });

  it("the sync task runs the official AWS CLI image pinned by tag, logs to the endpoint's group and mounts assets read-only", () => {
    for (const [, t] of ENDPOINTS) {
      const td = props(resource(t, "WeightsSyncTaskDefinition"));
      expect(td["RequiresCompatibilities"]).toEqual(["FARGATE"]);
      expect(td["NetworkMode"]).toBe("awsvpc");
      expect(getAttTarget(td["TaskRoleArn"])).toEqual(["WeightsSyncRole", "Arn"]);
      const container = obj(list(td["ContainerDefinitions"])[0]);
      expect(container["Image"]).toMatch(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/);
      expect(obj(obj(container["LogConfiguration"])["Options"])["awslogs-stream-prefix"]).toBe("weights");
      const mounts = list(container["MountPoints"]).map((m) => obj(m));
      expect(mounts).toEqual([
        { SourceVolume: "weights", ContainerPath: "/mnt/weights", ReadOnly: false },
        { SourceVolume: "assets", ContainerPath: "/mnt/assets", ReadOnly: true },
      ]);
    }
  });

  it("the sync task sets no plain environment variable: the region is an argument of its sync command", () => {
    for (const [name, t] of ENDPOINTS) {
      const container = obj(list(props(resource(t, "WeightsSyncTaskDefinition"))["ContainerDefinitions"])[0]);
      expect(container["Environment"], name).toBeUndefined();
      expect(JSON.stringify(container["Command"]), name).toContain("--region ${AWS::Region}");
    }
  });

  it("the scheduler role may only run the sync task family on the cluster and pass only the sync task's two roles to ECS", () => {
    for (const [name, t] of ENDPOINTS) {
      const role = resource(t, "WeightsSchedulerRole");
      expect(role.Condition).toBe("ScheduleWeightsSync");
      const trust = obj(list(obj(props(role)["AssumeRolePolicyDocument"])["Statement"])[0]);
      expect(trust["Principal"]).toEqual({ Service: "scheduler.amazonaws.com" });
      const [run, pass] = statements(role);
      expect(run?.["Action"]).toBe("ecs:RunTask");
      expect(JSON.stringify(run?.["Resource"]), name).toContain("task-definition/${ProjectName}-${EnvironmentName}-weights:*");
      expect(JSON.stringify(run?.["Condition"])).toContain("ecs:cluster");
      expect(pass?.["Action"]).toBe("iam:PassRole");
      expect(list(pass?.["Resource"]).map((r) => getAttTarget(r)?.[0])).toEqual(["TaskExecutionRole", "WeightsSyncRole"]);
      expect(pass?.["Condition"]).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
      const schedule = resource(t, "WeightsSyncSchedule");
      expect(schedule.Condition).toBe("ScheduleWeightsSync");
      const target = obj(props(schedule)["Target"]);
      expect(refTarget(obj(target["EcsParameters"])["TaskDefinitionArn"])).toBe("WeightsSyncTaskDefinition");
      expect(obj(obj(obj(target["EcsParameters"])["NetworkConfiguration"])["AwsvpcConfiguration"])["AssignPublicIp"]).toBe("DISABLED");
    }
  });

  it("the base's upload bucket is encrypted, TLS only, private and expires old uploads", () => {
    const bucket = props(resource(A, "WeightsUploadBucket"));
    expect(JSON.stringify(bucket["BucketEncryption"])).toContain("AES256");
    expect(bucket["PublicAccessBlockConfiguration"]).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const rule = obj(list(obj(bucket["LifecycleConfiguration"])["Rules"])[0]);
    expect(rule["Status"]).toBe("Enabled");
    expect(rule["ExpirationInDays"]).toBeGreaterThan(0);
    const policy = list(obj(props(resource(A, "WeightsUploadBucketPolicy"))["PolicyDocument"])["Statement"]).map((s) => obj(s));
    expect(policy[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(resourcesOfType(B, "AWS::S3::Bucket")).toHaveLength(0);
  });
});
