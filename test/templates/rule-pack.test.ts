/**
 * AWS's best-practice rule pack (cdk-nag's AwsSolutions checks) finds nothing
 * unexplained in any template, plain or rendered from the example parameter
 * files: every finding is fixed, or acknowledged in the resource's own
 * `Metadata.cdk_nag` with a reason (and, for wildcard findings, the exact
 * findings it covers in `applies_to`).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { INagSuppressionIgnore } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { loadEndpointConfig } from "../../src/params/load.js";
import { parseTemplate } from "../../src/render/cfn-yaml.js";
import { renderEndpointStack, renderImagesStack, renderPipelineStack, renderShardStack, type RenderedStack } from "../../src/render/render.js";
import { ROOT, readRepoFile } from "./helpers.js";
import { acknowledgements, resolveConditions, runRulePack, type Finding, type RulePackResult } from "./rule-pack.js";

type JsonObject = Parameters<typeof runRulePack>[0];

const templateFiles = readdirSync(join(ROOT, "templates"))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

const exampleFiles = readdirSync(join(ROOT, "params"))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((f) => `params/${f}`);

/**
 * Acknowledgements that exist only because the rule cannot evaluate a
 * condition (`!If` on a monitoring switch): once the example's values decide
 * the condition, the finding must be gone without them.
 */
const CONDITION_ONLY = new Set([
  "Cluster AwsSolutions-ECS4",
  "LoadBalancer AwsSolutions-ELB2",
  "AccessLogsBucket AwsSolutions-S1",
  "ArtifactBucket AwsSolutions-S1",
  "WeightsUploadBucket AwsSolutions-S1",
]);

const refuseConditionOnly: INagSuppressionIgnore = {
  createMessage: (input) => {
    const resource = input.resource.node.path.slice(input.resource.node.path.lastIndexOf("/") + 1);
    return CONDITION_ONLY.has(`${resource} ${input.ruleId}`) ? "the rendered template decides this condition" : "";
  },
};

/** An `applies_to` pattern, `/body/flags`, read as cdk-nag reads it. */
function patternOf(text: string): RegExp {
  const m = /\/(.*)\/(.*)?/.exec(text);
  if (!m) throw new Error(`not a pattern: ${text}`);
  return new RegExp(m[1] ?? "", m[2] ?? "");
}

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.rule} on ${f.resource}${f.error ? ` (${f.error})` : ""}`).join("\n");
}

function expectNoUnexplained(result: RulePackResult, what: string): void {
  expect(result.unexplained, `${what}: unexplained rule-pack findings:\n${describeFindings(result.unexplained)}`).toEqual([]);
}

const plain = new Map<string, { template: JsonObject; result: RulePackResult }>();
function plainRun(file: string): { template: JsonObject; result: RulePackResult } {
  let run = plain.get(file);
  if (!run) {
    const template = parseTemplate(readRepoFile(`templates/${file}`)) as JsonObject;
    run = { template, result: runRulePack(template) };
    plain.set(file, run);
  }
  return run;
}

describe("AWS Solutions rule pack over templates/", () => {
  it("covers every template, the four of the endpoint and any added since", () => {
    expect(templateFiles).toEqual(expect.arrayContaining(["add-ep-b.yaml", "create-ep-a.yaml", "images.yaml", "pipeline.yaml", "shard.yaml"]));
  });

  for (const file of templateFiles) {
    describe(file, () => {
      it("has no unexplained finding", () => {
        expectNoUnexplained(plainRun(file).result, file);
      });

      it("acknowledges only what the pack reports, each with a one-sentence reason", () => {
        const { template, result } = plainRun(file);
        for (const ack of acknowledgements(template)) {
          const where = `${file} ${ack.resource} ${ack.id}`;
          expect(ack.reason, `${where}: reason`).toMatch(/^\S.{9,}[.]$/s);
          expect(ack.reason, `${where}: one sentence`).not.toMatch(/[.!?] [A-Z]/);
          const covered = result.acknowledged.filter((f) => f.resource === ack.resource && (f.rule === ack.id || f.rule.startsWith(`${ack.id}[`)));
          if (ack.appliesTo) {
            for (const entry of ack.appliesTo) {
              const matches =
                typeof entry === "string"
                  ? covered.some((f) => f.rule === `${ack.id}[${entry}]`)
                  : covered.some((f) => patternOf(entry.regex).test(f.rule.slice(ack.id.length + 1, -1)));
              expect(matches, `${where}: applies_to ${JSON.stringify(entry)} matches no finding`).toBe(true);
            }
          } else {
            expect(covered.length, `${where}: acknowledges no finding`).toBeGreaterThan(0);
            // A wildcard finding is acknowledged finding by finding, never the rule as a whole.
            expect(
              covered.every((f) => f.rule === ack.id),
              `${where}: granular findings need applies_to`,
            ).toBe(true);
          }
        }
      });
    });
  }
});

/** Every stack the example parameter files render to, and a shard of the base example. */
async function renderedExamples(): Promise<{ name: string; stack: RenderedStack }[]> {
  const out: { name: string; stack: RenderedStack }[] = [];
  for (const file of exampleFiles) {
    const config = await loadEndpointConfig(file);
    out.push({ name: `${file} (${config.kind} endpoint)`, stack: renderEndpointStack(config) });
    // A new endpoint: its repository is in its images stack, not in its own.
    const id = `${config.project}-${config.environment}`;
    out.push({ name: `${file} (${config.kind} endpoint, images stack's repository)`, stack: renderEndpointStack(config, { imageRepository: id }) });
    out.push({ name: `${file} (images)`, stack: renderImagesStack(config) });
    if (config.pipeline)
      out.push({ name: `${file} (pipeline)`, stack: renderPipelineStack(config, { ecrRepositoryName: `${config.project}-${config.environment}` }) });
  }
  const shard = renderShardStack({
    baseStackName: "ep-a-prod",
    shardStackName: "ep-a-prod-lb-2",
    vpcCidr: "10.0.0.0/16",
    publicSubnets: ["subnet-0a", "subnet-0b"],
    allowedCidr: "0.0.0.0/0",
    defaultCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
    accessLogsBucket: "ep-a-prod-accesslogsbucket-0",
  });
  out.push({ name: "shard of ep-a-prod", stack: shard });
  return out;
}

describe("AWS Solutions rule pack over the rendered examples", () => {
  it("finds nothing unexplained once the example's values decide the conditions", async () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { name, stack } of await renderedExamples()) {
      const deployed = resolveConditions(parseTemplate(stack.templateBody) as JsonObject, stack.parameters);
      // The tutorial format renders the same stack as ours: one run per distinct template.
      const key = JSON.stringify(deployed);
      if (seen.has(key)) continue;
      seen.add(key);
      const result = runRulePack(deployed, refuseConditionOnly);
      if (result.unexplained.length > 0) problems.push(`${name} (${stack.templateFile}):\n${describeFindings(result.unexplained)}`);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(problems.join("\n\n")).toBe("");
  });
});

describe("the rule-pack check", () => {
  const template: JsonObject = {
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Metadata: {
          cdk_nag: {
            rules_to_suppress: [{ id: "AwsSolutions-IAM5", reason: "Listing buckets supports no resource-level permissions.", applies_to: ["Resource::*"] }],
          },
        },
        Properties: {
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
          },
          Policies: [
            {
              PolicyName: "p",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  { Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
                  { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" },
                ],
              },
            },
          ],
        },
      },
    },
  };

  it("reports a finding that no acknowledgement explains, and only that one", () => {
    const result = runRulePack(template);
    expect(result.unexplained.map((f) => `${f.rule} ${f.resource}`)).toEqual(["AwsSolutions-IAM5[Action::s3:*] Role"]);
    expect(result.acknowledged.map((f) => `${f.rule} ${f.resource}`)).toEqual(["AwsSolutions-IAM5[Resource::*] Role"]);
  });

  it("decides conditions from the parameter values and leaves undecided ones alone", () => {
    const resolved = resolveConditions(
      {
        Parameters: { Logs: { Type: "String", Default: "true" }, Other: { Type: "String" } },
        Conditions: {
          LogsOn: { "Fn::Equals": [{ Ref: "Logs" }, "true"] },
          InRegion: { "Fn::Equals": [{ Ref: "AWS::Region" }, "us-east-1"] },
          Both: { "Fn::And": [{ Condition: "LogsOn" }, { "Fn::Not": [{ Condition: "LogsOn" }] }] },
        },
        Resources: {
          A: {
            Type: "T",
            Properties: {
              X: { "Fn::If": ["LogsOn", "on", "off"] },
              Y: { "Fn::If": ["InRegion", "1", "2"] },
              Z: { "Fn::If": ["LogsOn", { Ref: "AWS::NoValue" }, 1] },
            },
          },
          B: { Type: "T", Condition: "Both" },
        },
      },
      {},
    );
    expect(resolved["Resources"]).toEqual({ A: { Type: "T", Properties: { X: "on", Y: { "Fn::If": ["InRegion", "1", "2"] } } } });
  });
});
