/**
 * `teardown FILE --delete-data` of an endpoint whose stack an earlier teardown already deleted: the plan names the
 * data it kept that is deleted now (its log group and the certificate mlops requested for it), instead of an empty line.
 */
import { ListCertificatesCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClients } from "../helpers/aws.js";
import { failure, runMlops } from "../helpers/mlops.js";
import { startEmulator } from "../setup/emulator-process.js";

let emulator: { url: string; stop(): Promise<void> };
let aws: ReturnType<typeof sdkClients>;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = sdkClients(emulator.url);
  dir = mkdtempSync(join(tmpdir(), "mlops-gone-"));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await emulator?.stop();
});

describe("teardown --delete-data of an endpoint whose stack is gone", () => {
  it("lists the kept log group and certificate in the plan, then deletes them", async () => {
    const file = join(dir, "ep-g.yaml");
    const network = ["network:", "  vpcCidr: 10.0.0.0/16", "  publicSubnets: [10.0.0.0/24, 10.0.1.0/24]", "  privateSubnets: [10.0.2.0/24, 10.0.3.0/24]"];
    writeFileSync(
      file,
      `${["project: ep-g", ...network, "  availabilityZones: [us-east-1a, us-east-1b]", "api:", "  hostHeader: ep-g.example.com"].join("\n")}\n`,
    );
    // What an earlier teardown (without --delete-data) of ep-g-prod kept.
    await aws.logs.send(new CreateLogGroupCommand({ logGroupName: "/mlops/ep-g-prod" }));
    const arn = (
      await aws.acm.send(
        new RequestCertificateCommand({
          DomainName: "ep-g.example.com",
          ValidationMethod: "DNS",
          Tags: [
            { Key: "mlops:managed-by", Value: "mlops" },
            { Key: "mlops:endpoint", Value: "ep-g-prod" },
          ],
        }),
      )
    ).CertificateArn!;

    const run = await runMlops(["teardown", file, "--delete-data", "--yes"], { endpointUrl: emulator.url });
    expect(run.code, failure(run)).toBe(0);
    expect(run.stderr).toContain(
      `ep-g-prod: no stack left; kept by an earlier teardown and deleted now (--delete-data): log group(s) /mlops/ep-g-prod; ACM certificate(s) ep-g.example.com (${arn})`,
    );
    expect((await aws.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/mlops/" }))).logGroups ?? []).toEqual([]);
    const certificates = (await aws.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
    expect(certificates.map((c) => c.CertificateArn)).not.toContain(arn);
  });
});
