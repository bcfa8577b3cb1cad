/**
 * History from ECS's record of a service's deployments, on a fake that answers as the
 * ECS API reference documents ListServiceDeployments (pages joined by nextToken, each
 * entry with its createdAt, and no order promised:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html),
 * DescribeServiceDeployments and DescribeServiceRevisions (containerImages).
 */
import { describe, expect, it } from "vitest";
import type { EcsApi } from "../../../src/aws/interfaces.js";
import { outcomeOf, previousGoodTag, serviceHistory, tagOfImage } from "../../../src/deploy/operations/history.js";

const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ep-a-prod";

/** How the fake lists: in which order, and how many entries a page holds at most (ECS may send fewer than maxResults). */
interface Listing {
  order: "newest first" | "oldest first";
  pageSize: number;
}

function fakeEcs(
  deployments: { tag: string; status: string; strategy?: string; alarms?: string[]; seconds: number }[],
  listing: Listing = { order: "newest first", pageSize: 100 },
  calls: string[] = [],
): EcsApi {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 10, i));
  const records = deployments.map((d, i) => ({
    serviceDeploymentArn: `arn:dep/${i}`,
    createdAt: at(i),
    startedAt: at(i),
    finishedAt: new Date(at(i).getTime() + d.seconds * 1000),
    status: d.status,
    targetServiceRevision: { arn: `arn:rev/${i}` },
    deploymentConfiguration: d.strategy ? { strategy: d.strategy } : {},
    ...(d.alarms ? { alarms: { status: "TRIGGERED", triggeredAlarmNames: d.alarms } } : {}),
  }));
  return {
    listServiceDeployments: async (input: { maxResults?: number; nextToken?: string }) => {
      calls.push(`list ${input.nextToken ?? "first"}`);
      const ordered = listing.order === "newest first" ? [...records].reverse() : records;
      const from = Number(input.nextToken ?? 0);
      const to = from + Math.min(listing.pageSize, input.maxResults ?? 20);
      const page = ordered.slice(from, to).map((r) => ({ serviceDeploymentArn: r.serviceDeploymentArn, createdAt: r.createdAt, status: r.status }));
      return { serviceDeployments: page, ...(to < ordered.length ? { nextToken: String(to) } : {}) };
    },
    describeServiceDeployments: async (input: { serviceDeploymentArns: string[] }) => ({
      serviceDeployments: records.filter((r) => input.serviceDeploymentArns.includes(r.serviceDeploymentArn)),
    }),
    describeServiceRevisions: async (input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns.map((arn) => ({
        serviceRevisionArn: arn,
        containerImages: [{ containerName: "ep-a", image: `${REPO}:${deployments[Number(arn.split("/")[1])]!.tag}` }],
      })),
    }),
  } as unknown as EcsApi;
}

describe("history", () => {
  it("lists deployments newest first with tag, start, duration, strategy, outcome and the alarms that fired", async () => {
    const ecs = fakeEcs([
      { tag: "no-image-yet", status: "SUCCESSFUL", seconds: 1 },
      { tag: "v1", status: "SUCCESSFUL", seconds: 125 },
      { tag: "v2", status: "SUCCESSFUL", strategy: "CANARY", seconds: 725 },
      { tag: "v3", status: "ROLLBACK_SUCCESSFUL", strategy: "CANARY", alarms: ["ep-a-prod-target-5xx"], seconds: 300 },
    ]);
    const history = await serviceHistory(ecs, "c", "s", "ep-a");
    expect(history.map((d) => [d.tag, d.strategy, d.outcome, d.durationSeconds])).toEqual([
      ["v3", "canary", "rolled back", 300],
      ["v2", "canary", "succeeded", 725],
      ["v1", "rolling", "succeeded", 125],
    ]);
    expect(history[0]).toMatchObject({ startedAt: "2026-01-01T10:03:00.000Z", triggeredAlarms: ["ep-a-prod-target-5xx"], image: `${REPO}:v3` });
    expect(previousGoodTag(history, "v2")).toBe("v1");
    expect(previousGoodTag(history, "v3")).toBe("v2");
    expect(previousGoodTag(history.slice(0, 2), "v2")).toBeUndefined();
  });

  it("reads every page and orders by createdAt: ECS promises no order", async () => {
    const calls: string[] = [];
    const tags = Array.from({ length: 25 }, (_, i) => ({ tag: `v${i + 1}`, status: i === 23 ? "ROLLBACK_SUCCESSFUL" : "SUCCESSFUL", seconds: 60 }));
    const ecs = fakeEcs(tags, { order: "oldest first", pageSize: 7 }, calls);
    const history = await serviceHistory(ecs, "c", "s", "ep-a");
    expect(calls).toEqual(["list first", "list 7", "list 14", "list 21"]);
    expect(history).toHaveLength(20);
    expect(history.map((d) => d.tag).slice(0, 3)).toEqual(["v25", "v24", "v23"]);
    expect(history.at(-1)?.tag).toBe("v6");
    // Rollback from v25 goes to the newest success before it, past the rolled-back v24.
    expect(previousGoodTag(history, "v25")).toBe("v23");
    expect((await serviceHistory(fakeEcs(tags, { order: "oldest first", pageSize: 7 }), "c", "s", "ep-a", 3)).map((d) => d.tag)).toEqual(["v25", "v24", "v23"]);
  });

  it("reads tags from image references and ECS's statuses in plain words", () => {
    expect(tagOfImage(`${REPO}:tag-abc`)).toBe("tag-abc");
    expect(tagOfImage(`localhost:5000/ep-a:v1@sha256:${"a".repeat(64)}`)).toBe("v1");
    expect(tagOfImage(`localhost:5000/ep-a@sha256:${"a".repeat(64)}`)).toBeUndefined();
    expect(["SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOPPED", "ROLLBACK_IN_PROGRESS", "IN_PROGRESS"].map(outcomeOf)).toEqual([
      "succeeded",
      "rolled back",
      "failed",
      "stopped",
      "rolling back",
      "in progress",
    ]);
  });
});
