/**
 * A stateful fake CodeBuild with builds that run until stopped: the emulator
 * reports every build as finished the moment it is read. BatchGetBuilds
 * answers as the API reference describes: `buildComplete` true once the build
 * has ended (any `buildStatus` but IN_PROGRESS), and unknown ids in
 * `buildsNotFound`.
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BatchGetBuilds.html
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_Build.html
 */
import type { CodeBuildApi } from "../../src/aws/interfaces.js";

type Api = CodeBuildApi;

/** One project with builds; a stopped build reports IN_PROGRESS for `pollsToStop` reads, then STOPPED. */
export class FakeCodeBuild implements Api {
  private readonly builds = new Map<string, { status: string; readsSinceStop?: number }>();
  projectExists = true;
  readonly stopped: string[] = [];

  constructor(
    private readonly projectName: string,
    builds: Record<string, "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "STOPPED">,
    private readonly pollsToStop = 1,
  ) {
    for (const [id, status] of Object.entries(builds)) this.builds.set(id, { status });
  }

  async createProject(): Promise<never> {
    throw new Error("not used");
  }
  async updateProject(): Promise<never> {
    throw new Error("not used");
  }
  async batchGetProjects(input: Parameters<Api["batchGetProjects"]>[0]) {
    return { projects: this.projectExists && input.names?.includes(this.projectName) ? [{ name: this.projectName }] : [] };
  }
  async deleteProject() {
    if (this.builds.size && [...this.builds.values()].some((b) => b.status === "IN_PROGRESS")) throw new Error("deleted a project with a running build");
    this.projectExists = false;
    return {};
  }
  async listBuildsForProject() {
    return { ids: [...this.builds.keys()].reverse() };
  }
  /** Every BatchGetBuilds call's ids. */
  readonly reads: string[][] = [];

  /** Sets a build's status, as CodeBuild does when it ends one (e.g. TIMED_OUT at the project's timeout). */
  setStatus(id: string, status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "STOPPED"): void {
    this.builds.set(id, { status });
  }

  async batchGetBuilds(input: Parameters<Api["batchGetBuilds"]>[0]) {
    this.reads.push([...(input.ids ?? [])]);
    const builds = (input.ids ?? []).flatMap((id) => {
      const build = this.builds.get(id);
      if (!build) return [];
      if (build.readsSinceStop !== undefined && build.readsSinceStop++ >= this.pollsToStop) build.status = "STOPPED";
      return [{ id, buildStatus: build.status as "IN_PROGRESS", buildComplete: build.status !== "IN_PROGRESS" }];
    });
    return { builds, buildsNotFound: (input.ids ?? []).filter((id) => !this.builds.has(id)) };
  }
  async stopBuild(input: Parameters<Api["stopBuild"]>[0]) {
    const build = this.builds.get(input.id ?? "");
    if (build) build.readsSinceStop = 0;
    this.stopped.push(input.id ?? "");
    return {};
  }
}
