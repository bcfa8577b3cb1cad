/** The command line's `mlops teardown`; the work is in teardown.ts. */
import type { CommandDefinition } from "./definition.js";

/** `mlops teardown [params]` or `mlops teardown --all`. */
export const teardownCommand: CommandDefinition = {
  name: "teardown",
  description:
    "delete an endpoint (or --all) with its stacks and images; EFS data, log groups, access logs (their S3 buckets) and certificates are kept unless --delete-data",
  arguments: [{ syntax: "[params]", description: "parameter file of the endpoint to delete" }],
  options: [
    {
      flags: "--all",
      description:
        "every endpoint mlops manages in the region: pipelines, added endpoints, then bases; at a terminal you type the region or the number of endpoints to confirm (--yes for scripts)",
    },
    {
      flags: "--delete-data",
      description:
        "also delete the EFS file systems and the data on them, the log groups, the access-log buckets (load balancer, artifact bucket) and the certificates mlops requested; with --all also what earlier teardowns kept (later, `teardown <params> --delete-data` or `teardown --all --delete-data` deletes what was kept)",
    },
  ],
  tutorialFlags: true,
  examples: ["mlops teardown params/ep-b.yaml", "mlops teardown --all --delete-data --yes   # also EFS data, log groups, access logs, certificates"],
  clients: ["ssm", "cloudFormation", "codePipeline", "codeBuild", "s3", "ec2", "elb", "acm", "ecr", "logs", "efs", "route53"],
  run: async (input, deps) => {
    await (await import("./teardown.js")).runTeardown(input, deps);
  },
};
