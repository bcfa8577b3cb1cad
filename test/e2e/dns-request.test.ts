/**
 * DNS records and `mlops test` end to end: the real binary against the
 * emulator (whose Route 53 keeps hosted zones and records as AWS does), the
 * records checked through the SDK; the request sent to local HTTPS servers
 * with certificates made by the test, reached with `--connect-to` as a user
 * would reach a server that DNS does not point at yet.
 */
import { DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../setup/emulator-process.js";
import { sdkClients, withPushes } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { closedPort, makeTestCa, startHttpsServer, type TestCa } from "../helpers/tls.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let zoneId: string;
let ca: TestCa;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  ca = makeTestCa();
  const zone = await aws.route53.send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "mlops-e2e-dns" }));
  zoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
});
afterAll(async () => {
  ca?.remove();
  await emulator?.stop();
});

const mlops = (args: string[]) => runMlops(args, { endpointUrl: emulator.url });

async function records(): Promise<ResourceRecordSet[]> {
  return (await aws.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
}

function named(all: ResourceRecordSet[], name: string, type: string): ResourceRecordSet[] {
  return all.filter((r) => r.Name?.replace(/\.$/, "") === name && r.Type === type);
}

async function stackOutput(stack: string, key: string): Promise<string | undefined> {
  const found = (await aws.cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0];
  return found?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

async function stackParameter(stack: string, key: string): Promise<string | undefined> {
  const found = (await aws.cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0];
  return found?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

async function validationRecord(certificateArn: string) {
  const detail = (await aws.acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }))).Certificate;
  return detail?.DomainValidationOptions?.[0]?.ResourceRecord;
}

describe("DNS records in a Route 53 public hosted zone", () => {
  it("create-endpoint makes the alias record to the load balancer and the certificate's validation record", async () => {
    const run = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v1" }], () =>
      mlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--no-pipeline", "--yes"]),
    );
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("DNS: Route 53 public hosted zone example.com");
    const balancerArn = await stackOutput("ep-a-prod", "LoadBalancerArn");
    const balancer = (await aws.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [balancerArn!] }))).LoadBalancers![0]!;
    const all = await records();
    const alias = named(all, "ep-a.example.com", "A");
    expect(alias).toHaveLength(1);
    expect(alias[0]!.AliasTarget?.DNSName?.replace(/\.$/, "")).toBe(balancer.DNSName);
    expect(alias[0]!.AliasTarget?.HostedZoneId).toBe(balancer.CanonicalHostedZoneId);
    // An ipv4 load balancer: no AAAA record.
    expect(named(all, "ep-a.example.com", "AAAA")).toHaveLength(0);
    const certificateArn = await stackParameter("ep-a-prod", "DNSCertArn");
    const expected = await validationRecord(certificateArn!);
    const cname = named(all, expected!.Name!.replace(/\.$/, ""), "CNAME");
    expect(cname.map((r) => r.ResourceRecords?.map((v) => v.Value))).toEqual([[expected!.Value]]);
    expect(run.stderr).toContain(`DNS: A ep-a.example.com -> alias to ${balancer.DNSName!.toLowerCase()} in Route 53 zone example.com`);
    expect(run.stderr).not.toContain("Create this DNS record at your DNS provider");
    expect(run.stderr).toMatch(/Created A ep-a\.example\.com -> alias to /);
    expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|node >=22/);
    // The validate step's request: the emulator's load balancer name resolves nowhere, which is a warning, not a failure.
    expect(run.stderr).toMatch(/The request could not be made from here: .*does not resolve/);
    // A name that resolves nowhere from here says nothing about the endpoint: said, not warned.
    expect(run.stderr).not.toMatch(/^! The request could not be made/m);
  });

  it("running it again converges: the same records, none duplicated, none changed", async () => {
    const before = await records();
    const run = await mlops(["create-endpoint", "params/ep-a.yaml", "--tag", "v1", "--no-pipeline", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/keep A ep-a\.example\.com -> alias to .* \(already there\)/);
    expect(run.stderr).not.toMatch(/\bcreate A ep-a/);
    expect(await records()).toEqual(before);
  });

  it("status NAME shows the host's record in its Route 53 zone", async () => {
    const run = await mlops(["status", "ep-a"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Route 53: zone example\.com: A ep-a\.example\.com -> alias to .*elb\.amazonaws\.com \(this load balancer\)/);
  });

  it("update reads where DNS stands and leaves the records alone", async () => {
    const before = await records();
    const run = await withPushes(aws.ecr, [{ repository: "ep-a-prod", tag: "v2" }], () => mlops(["update", "params/ep-a.yaml", "--tag", "v2", "--yes"]));
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/DNS: A ep-a\.example\.com -> alias to .* in Route 53 zone example\.com/);
    expect(run.stderr).not.toContain("Create this DNS record");
    expect(await records()).toEqual(before);
  });

  it("add-endpoint --no-dns makes no record and prints the one to create", async () => {
    const run = await withPushes(aws.ecr, [{ repository: "ep-b-prod", tag: "v1" }], () =>
      mlops(["add-endpoint", "params/ep-b.yaml", "--tag", "v1", "--no-pipeline", "--no-dns", "--yes"]),
    );
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain("DNS: no record made (--no-dns)");
    expect(run.stderr).toMatch(/Create this DNS record at your DNS provider: ep-b\.example\.com\. CNAME /);
    expect(named(await records(), "ep-b.example.com", "A")).toHaveLength(0);
  });

  it("teardown leaves a record someone else made or changed, and names it", async () => {
    // Someone points ep-b's name somewhere else by hand.
    const foreign: ResourceRecordSet = {
      Name: "ep-b.example.com.",
      Type: "A",
      AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: "someone-else-1.us-east-1.elb.amazonaws.com", EvaluateTargetHealth: false },
    };
    await aws.route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: "CREATE", ResourceRecordSet: foreign }] } }),
    );
    const run = await mlops(["teardown", "params/ep-b.yaml", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(
      /Left DNS record A ep-b\.example\.com -> alias to someone-else-1\.us-east-1\.elb\.amazonaws\.com \(not the value mlops gave it: made or changed by someone else, left alone\)/,
    );
    expect(named(await records(), "ep-b.example.com", "A")).toHaveLength(1);
  });
});

describe("mlops test", () => {
  const host = "ep-a.example.com";

  it("sends the request with the host's name and shows the status code and the phases' times", async () => {
    const server = await startHttpsServer(ca.leaf([host]), 200);
    try {
      const run = await mlops(["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${server.port}`, "--ca-bundle", ca.caFile, "--path", "/ping"]);
      expect(run.code, failure(run)).toBe(0);
      expect(run.stderr).toMatch(/200 from 127\.0\.0\.1:\d+/);
      expect(run.stderr).toMatch(/DNS \d+ ms, connect \d+ ms, TLS \d+ ms, first byte \d+ ms, total \d+ ms/);
      expect(server.hosts).toEqual([host]);
      expect(server.servernames).toEqual([host]);
    } finally {
      await server.close();
    }
  });

  it("fails with exit 1 on a 503, naming target health", async () => {
    const server = await startHttpsServer(ca.leaf([host]), 503);
    try {
      const run = await mlops(["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${server.port}`, "--ca-bundle", ca.caFile]);
      expect(run.code, failure(run)).toBe(1);
      expect(run.stderr).toMatch(/answered 503 \(the load balancer has no healthy target/);
      expect(run.stderr).toMatch(/target health/);
      // With --json the result is on stdout on failure too, for scripts to read.
      const json = await mlops(["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${server.port}`, "--ca-bundle", ca.caFile, "--json"]);
      expect(json.code, failure(json)).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        endpoint: "ep-a-prod",
        ok: false,
        outcome: { kind: "response", status: 503 },
        problem: expect.stringMatching(/answered 503/),
      });
    } finally {
      await server.close();
    }
  });

  it("fails with exit 1 on a certificate for another name", async () => {
    const server = await startHttpsServer(ca.leaf(["other.example.com"]), 200);
    try {
      const run = await mlops(["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${server.port}`, "--ca-bundle", ca.caFile]);
      expect(run.code, failure(run)).toBe(1);
      expect(run.stderr).toMatch(/TLS with ep-a\.example\.com at 127\.0\.0\.1:\d+ failed: the certificate is not for ep-a\.example\.com/);
      expect(server.hosts).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("fails with exit 1 on a refused connection", async () => {
    const run = await mlops(["test", "params/ep-a.yaml", "--connect-to", `127.0.0.1:${await closedPort()}`]);
    expect(run.code, failure(run)).toBe(1);
    expect(run.stderr).toMatch(/Could not connect to 127\.0\.0\.1:\d+ for ep-a\.example\.com: connection refused/);
  });

  it("says why when neither the host nor the load balancer's name resolves", async () => {
    const run = await mlops(["test", "params/ep-a.yaml"]);
    expect(run.code, failure(run)).toBe(1);
    expect(run.stderr).toMatch(/sent to the load balancer .*elb\.amazonaws\.com with SNI and Host ep-a\.example\.com/);
    expect(run.stderr).toMatch(/elb\.amazonaws\.com does not resolve/);
  });

  it("refuses bad options before any AWS call (exit 2)", async () => {
    const run = await runMlops(["test", "params/ep-a.yaml", "--connect-to", "nowhere"]);
    expect(run.code, failure(run)).toBe(2);
    expect(run.stderr).toMatch(/--connect-to: HOST:PORT/);
  });
});

describe("teardown of records mlops made", () => {
  it("deletes the alias to the load balancer and keeps the validation record while the certificate is kept", async () => {
    const certificateArn = await stackParameter("ep-a-prod", "DNSCertArn");
    const expected = await validationRecord(certificateArn!);
    const run = await mlops(["teardown", "params/ep-a.yaml", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/Deleted DNS record A ep-a\.example\.com -> alias to /);
    const all = await records();
    expect(named(all, "ep-a.example.com", "A")).toHaveLength(0);
    // The kept certificate renews with its validation record.
    expect(named(all, expected!.Name!.replace(/\.$/, ""), "CNAME")).toHaveLength(1);
    // The record someone else made stays.
    expect(named(all, "ep-b.example.com", "A")).toHaveLength(1);
  });

  it("deletes the validation record with the certificate (--delete-data)", async () => {
    const certificate = named(await records(), "_d930b28be6c5927595552b219965053e.ep-a.example.com", "CNAME");
    expect(certificate).toHaveLength(1);
    const run = await mlops(["teardown", "--all", "--delete-data", "--yes"]);
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toMatch(/Deleted DNS record CNAME _d930b28be6c5927595552b219965053e\.ep-a\.example\.com -> /);
    const all = await records();
    expect(all.filter((r) => r.Type === "CNAME")).toEqual([]);
    expect(named(all, "ep-b.example.com", "A")).toHaveLength(1);
  });
});
