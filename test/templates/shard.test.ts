/**
 * The load balancer shard (templates/shard.yaml): the base's security settings on one more load
 * balancer, and the exports an added endpoint placed on it imports.
 */
import { describe, expect, it } from "vitest";
import type { CfnValue } from "./cfn-yaml.js";
import { A, B, S, evaluateName, importArg, list, obj, onlyResource, props, resourcesOfType, walk } from "./helpers.js";

const listeners = (protocol: string) => resourcesOfType(S, "AWS::ElasticLoadBalancingV2::Listener").filter(([, l]) => props(l)["Protocol"] === protocol);

describe("load balancer shard", () => {
  it("has the base's TLS policy, default 404 and HTTP-to-HTTPS redirect", () => {
    const [[, https]] = listeners("HTTPS") as [[string, never]];
    const [[, baseHttps]] = resourcesOfType(A, "AWS::ElasticLoadBalancingV2::Listener").filter(([, l]) => props(l)["Protocol"] === "HTTPS") as [
      [string, never],
    ];
    expect(props(https)["SslPolicy"]).toBe(props(baseHttps)["SslPolicy"]);
    expect(props(https)["DefaultActions"]).toEqual(props(baseHttps)["DefaultActions"]);
    const [[, http]] = listeners("HTTP") as [[string, never]];
    const redirect = obj(obj(list(props(http)["DefaultActions"])[0])["RedirectConfig"]);
    expect(redirect["Protocol"]).toBe("HTTPS");
    expect(redirect["StatusCode"]).toBe("HTTP_301");
  });

  it("drops invalid headers, is internet-facing in the base's public subnets, and logs where the base logs", () => {
    const [, lb] = onlyResource(S, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    const attrs = list(props(lb)["LoadBalancerAttributes"]);
    expect(attrs).toContainEqual({ Key: "routing.http.drop_invalid_header_fields.enabled", Value: "true" });
    expect(props(lb)["Scheme"]).toBe("internet-facing");
    expect(props(lb)["Subnets"]).toEqual([{ Ref: "PublicSubnet1" }, { Ref: "PublicSubnet2" }]);
    expect(JSON.stringify(attrs)).toContain("AccessLogsBucket");
    // No fixed name: a replacement never collides, and no 32-character limit meets a long base name.
    expect(props(lb)["Name"]).toBeUndefined();
  });

  it("admits only the allowed CIDR on 80 and 443 and reaches only the VPC", () => {
    const [, group] = onlyResource(S, "AWS::EC2::SecurityGroup");
    const ingress = list(props(group)["SecurityGroupIngress"]).map((r) => obj(r));
    expect(ingress.map((r) => r["FromPort"]).sort()).toEqual([443, 80]);
    for (const rule of ingress) expect(rule["CidrIp"]).toEqual({ Ref: "AllowedCidrIp" });
    expect(list(props(group)["SecurityGroupEgress"]).map((r) => obj(r)["CidrIp"])).toEqual([{ Ref: "VpcCidr" }]);
  });

  it("exports every name an added endpoint on a shard imports, and imports only the base's VPC", () => {
    const exported = new Set(Object.values(S.Outputs ?? {}).map((o) => evaluateName(o.Export?.Name, { "AWS::StackName": "base-env-lb-2" })));
    const vars = {
      BaseProjectName: "base",
      EnvironmentName: "env",
      ProjectName: "b",
      LoadBalancerStackName: "base-env-lb-2",
      "Condition:OnBaseLoadBalancer": "false",
    };
    const fromShard: string[] = [];
    walk(B as unknown as CfnValue, (node) => {
      const arg = importArg(node);
      if (arg !== undefined && JSON.stringify(arg).includes("LoadBalancerStackName")) fromShard.push(evaluateName(arg, vars));
    });
    expect([...new Set(fromShard)].sort()).toEqual([
      "base-env-lb-2-HttpsListenerArn",
      "base-env-lb-2-LoadBalancerDnsName",
      "base-env-lb-2-LoadBalancerSecurityGroup",
    ]);
    for (const name of fromShard) expect(exported).toContain(name);
    const imports: string[] = [];
    walk(S as unknown as CfnValue, (node) => {
      const arg = importArg(node);
      if (arg !== undefined) imports.push(evaluateName(arg, { BaseStackName: "base-env" }));
    });
    expect(imports).toEqual(["base-env-VpcId"]);
  });
});
