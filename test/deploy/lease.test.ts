import { describe, expect, it } from "vitest";
import { acquireLease, leasePath, LeaseLostError, withLeases, type LeaseRequest } from "../../src/deploy/lease.js";
import { AwsError, InterruptedError } from "../../src/errors.js";
import { FakeClock } from "../fakes/clock.js";
import { FakeCodeBuild } from "../fakes/codebuild.js";
import { MemoryOutput } from "../fakes/output.js";
import { FakeSsm } from "../fakes/ssm.js";

const minute = 60_000;

function request(holder: string, command: string, extra: Partial<LeaseRequest> = {}): LeaseRequest {
  return { holder, command, waitTimeoutMs: 10 * minute, forceUnlock: false, heartbeatMs: 0, ...extra };
}

function setup() {
  const ssm = new FakeSsm();
  const clock = new FakeClock();
  const out = new MemoryOutput();
  return { ssm, clock, out, deps: { ssm, clock, out } };
}

function names(ssm: FakeSsm): string[] {
  return [...ssm.parameters.keys()].sort();
}

describe("lease on a base", () => {
  it("is a parameter created only if absent, holding who, what and since when; release deletes it", async () => {
    const { ssm, deps } = setup();
    const lease = await acquireLease("ep-a-prod", request("alice@host (pid 1)", "add-endpoint ep-b-prod"), deps);
    expect(names(ssm)).toEqual([`${leasePath("ep-a-prod")}/0000000001`]);
    const claim = JSON.parse(ssm.parameters.get(lease.name)!.value);
    expect(claim).toMatchObject({ holder: "alice@host (pid 1)", command: "add-endpoint ep-b-prod", since: "2026-01-15T12:00:00.000Z" });
    expect(claim.expiresAt).toBe(Date.UTC(2026, 0, 15, 12, 2, 0) / 1000);
    await lease.release();
    expect(names(ssm)).toEqual([]);
  });

  it("a second command waits with one line naming the holder, and fails with exit 1 after the timeout", async () => {
    const { deps, out } = setup();
    await acquireLease("ep-a-prod", request("alice@host (pid 1)", "add-endpoint ep-b-prod"), deps);
    const error = await acquireLease("ep-a-prod", request("bob@laptop (pid 2)", "teardown --all", { waitTimeoutMs: 30_000, ttlMs: 10 * minute }), deps).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).exitCode).toBe(1);
    expect((error as AwsError).message).toMatch(/Gave up after 30 s waiting for add-endpoint ep-b-prod by alice@host \(pid 1\) since 2026-01-15T12:00:00.000Z/);
    expect((error as AwsError).hint).toMatch(/--force-unlock/);
    expect(out.lines.filter((l) => l.startsWith("info: Waiting for add-endpoint ep-b-prod by alice@host (pid 1) since 2026-01-15T12:00:00.000Z"))).toHaveLength(
      1,
    );
  });

  it("a waiter takes the lease once the holder releases it", async () => {
    const { ssm, clock, deps } = setup();
    const first = await acquireLease("ep-a-prod", request("alice", "update ep-a-prod --tag t2"), deps);
    clock.onSleep = (n) => {
      if (n === 3) void first.release();
    };
    const second = await acquireLease("ep-a-prod", request("bob", "update ep-a-prod --tag t3"), deps);
    expect(JSON.parse(ssm.parameters.get(second.name)!.value).holder).toBe("bob");
    expect(names(ssm)).toEqual([second.name]);
  });

  it("a holder that renews keeps its lease past the first expiry", async () => {
    const { clock, deps } = setup();
    const holder = await acquireLease("ep-a-prod", request("alice", "create-endpoint ep-a-prod"), deps);
    clock.onSleep = (n) => {
      if (n % 20 === 0) void holder.renew();
    };
    const error = await acquireLease("ep-a-prod", request("bob", "teardown --all", { waitTimeoutMs: 5 * minute }), deps).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Gave up after 5 min/);
    expect(holder.lostTo).toBeUndefined();
    await expect(holder.release()).resolves.toBeUndefined();
  });

  it("a dead holder's lease expires: one waiter takes it over, and the stalled holder learns it lost it and fails", async () => {
    const { ssm, clock, out, deps } = setup();
    const stalled = await acquireLease("ep-a-prod", request("alice", "add-endpoint ep-b-prod"), deps);
    const taker = await acquireLease("ep-a-prod", request("bob", "teardown --all"), deps);
    expect(clock.now() - Date.UTC(2026, 0, 15, 12, 0, 0)).toBeGreaterThanOrEqual(2 * minute);
    expect(out.lines).toContain(
      "warn: Took over the expired lease of add-endpoint ep-b-prod by alice since 2026-01-15T12:00:00.000Z on ep-a-prod: it expired at 2026-01-15T12:02:00.000Z without being given back. Its holder stopped renewing it (killed, or stalled).",
    );
    expect(names(ssm)).toEqual([taker.name]);
    await stalled.renew();
    expect(stalled.lostTo?.holder).toBe("bob");
    await expect(stalled.release()).rejects.toBeInstanceOf(LeaseLostError);
    // The stalled holder's release did not delete the new holder's lease.
    expect(names(ssm)).toEqual([taker.name]);
  });

  it("an expired build's lease: the taker says when it expired and that the build's rollout may still be running", async () => {
    const { ssm, clock, out, deps } = setup();
    // As buildspec/endpoint.yaml writes it.
    const claim = {
      holder: "CodeBuild build ep-a-prod:1234",
      command: "build deploying tag-abc to ep-a-prod",
      since: "2026-01-15T10:00:00Z",
      expiresAt: Date.UTC(2026, 0, 15, 11, 35, 0) / 1000,
    };
    await ssm.putParameter({ Name: `${leasePath("ep-a-prod")}/0000000001`, Value: JSON.stringify(claim), Type: "String", Overwrite: false });
    const taker = await acquireLease("ep-a-prod", request("bob", "update ep-a-prod --tag t2"), deps);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 15, 12, 0, 0));
    expect(out.lines).toContain(
      "warn: Took over the expired lease of build deploying tag-abc to ep-a-prod by CodeBuild build ep-a-prod:1234 since 2026-01-15T10:00:00Z on ep-a-prod: it expired at 2026-01-15T11:35:00.000Z without being given back. Its holder was a pipeline build: the stack update it started may still be rolling out (check with mlops status; the build's log tells why it stopped).",
    );
    expect(names(ssm)).toEqual([taker.name]);
  });

  it("of two waiters that both see an expired lease, exactly one takes it", async () => {
    const { ssm, clock, deps } = setup();
    await acquireLease("ep-a-prod", request("dead", "update ep-a-prod --tag t1"), deps);
    clock.advance(3 * minute);
    // Both read the expired generation before either writes.
    let reads = 0;
    const bothRead = new Promise<void>((resolve) => {
      const original = ssm.getParametersByPath.bind(ssm);
      ssm.getParametersByPath = async (input) => {
        const page = await original(input);
        if (++reads === 2) resolve();
        return page;
      };
    });
    ssm.beforePut = () => bothRead;
    const outcomes = await Promise.allSettled([
      acquireLease("ep-a-prod", request("w1", "teardown --all", { waitTimeoutMs: 10_000 }), deps),
      acquireLease("ep-a-prod", request("w2", "add-endpoint ep-b-prod", { waitTimeoutMs: 10_000 }), deps),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => String(o.reason.message))).toEqual([expect.stringMatching(/Gave up/)]);
    expect(ssm.calls.filter((c) => c.startsWith("PutParameter"))).toHaveLength(3);
  });

  it("--force-unlock breaks a live lease at once, and the broken holder cannot report success", async () => {
    const { ssm, out, deps, clock } = setup();
    const broken = await acquireLease("ep-a-prod", request("alice", "update ep-a-prod --tag t2"), deps);
    const breaker = await acquireLease("ep-a-prod", request("bob", "teardown ep-a-prod", { forceUnlock: true }), deps);
    expect(clock.sleeps).toEqual([]);
    expect(out.lines).toContain("warn: Broke the lease of update ep-a-prod --tag t2 by alice since 2026-01-15T12:00:00.000Z on ep-a-prod (--force-unlock).");
    expect(names(ssm)).toEqual([breaker.name]);
    const error = await broken.release().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as Error).message).toMatch(/teardown ep-a-prod by bob .* took over its lease on ep-a-prod/);
  });

  it("an unreadable value does not lock a base for good", async () => {
    const { ssm, deps } = setup();
    await ssm.putParameter({ Name: `${leasePath("ep-a-prod")}/0000000007`, Value: "not json", Overwrite: false });
    const lease = await acquireLease("ep-a-prod", request("alice", "update"), deps);
    expect(lease.name).toBe(`${leasePath("ep-a-prod")}/0000000008`);
  });

  it("reads every page of generations", async () => {
    const { ssm, clock, deps } = setup();
    for (let n = 1; n <= 23; n++)
      await ssm.putParameter({
        Name: `${leasePath("ep-a-prod")}/${String(n).padStart(10, "0")}`,
        Value: JSON.stringify({ holder: "old", command: "x", since: "t", expiresAt: clock.now() / 1000 - 1 }),
        Overwrite: false,
      });
    const lease = await acquireLease("ep-a-prod", request("alice", "update"), deps);
    expect(lease.name).toBe(`${leasePath("ep-a-prod")}/0000000024`);
    expect(names(ssm)).toEqual([lease.name]);
  });
});

describe("a holder waiting for its endpoint's build", () => {
  it("says so in its claim while it waits, and no longer afterwards", async () => {
    const { ssm, deps } = setup();
    const lease = await acquireLease("ep-a-prod", request("alice", "add-endpoint ep-b-prod"), deps);
    await lease.awaitBuildOf("ep-b-prod");
    expect(JSON.parse(ssm.parameters.get(lease.name)!.value)).toMatchObject({ holder: "alice", awaitsBuildOf: "ep-b-prod" });
    await lease.awaitBuildOf(undefined);
    expect(JSON.parse(ssm.parameters.get(lease.name)!.value)).not.toHaveProperty("awaitsBuildOf");
  });
});

describe("heartbeat", () => {
  it("renews the lease on its own while the command runs, and stops at release", async () => {
    const { ssm, deps } = setup();
    const lease = await acquireLease("ep-a-prod", request("alice", "update", { heartbeatMs: 10 }), deps);
    await new Promise((r) => setTimeout(r, 120));
    const renewed = ssm.parameters.get(lease.name)!.version;
    expect(renewed).toBeGreaterThan(2);
    await lease.release();
    const puts = ssm.calls.filter((c) => c.startsWith("PutParameter")).length;
    await new Promise((r) => setTimeout(r, 60));
    expect(ssm.calls.filter((c) => c.startsWith("PutParameter")).length).toBe(puts);
    expect(names(ssm)).toEqual([]);
  });
});

describe("withLeases", () => {
  it("takes several bases in name order and releases them when the work fails", async () => {
    const { ssm, deps } = setup();
    const taken: string[] = [];
    const original = ssm.putParameter.bind(ssm);
    ssm.putParameter = (input) => {
      taken.push(input.Name ?? "");
      return original(input);
    };
    const error = await withLeases(["ep-z-prod", "ep-a-prod", "ep-a-prod"], request("alice", "teardown --all"), deps, async () => {
      expect(names(ssm)).toHaveLength(2);
      throw new AwsError("DeleteStack failed");
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("DeleteStack failed");
    expect(taken).toEqual([`${leasePath("ep-a-prod")}/0000000001`, `${leasePath("ep-z-prod")}/0000000001`]);
    expect(names(ssm)).toEqual([]);
  });

  it("releases on Ctrl-C, including while still waiting for a second base", async () => {
    const { ssm, clock, deps } = setup();
    await acquireLease("ep-z-prod", request("other", "update ep-z-prod --tag t9"), deps);
    const controller = new AbortController();
    clock.onSleep = (n) => {
      if (n === 2) controller.abort();
    };
    const error = await withLeases(
      ["ep-a-prod", "ep-z-prod"],
      request("alice", "teardown --all"),
      { ...deps, signal: controller.signal },
      async () => "done",
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(names(ssm)).toEqual([`${leasePath("ep-z-prod")}/0000000001`]);
  });

  it("a command whose lease was taken over exits 1 instead of reporting success", async () => {
    const { deps, clock } = setup();
    const error = await withLeases(["ep-a-prod"], request("alice", "update ep-a-prod --tag t2"), deps, async () => {
      clock.advance(5 * minute);
      await acquireLease("ep-a-prod", request("bob", "update ep-a-prod --tag t3"), deps);
      return "ready";
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
  });
});

describe("teardown's lease scopes", () => {
  it("are each endpoint's base, once, in name order; a pipeline whose endpoint is gone locks its own name", async () => {
    const { scopesOf } = await import("../../src/deploy/workflows/teardown.js");
    const m = (stackName: string, endpointId: string, role: "base" | "added" | "pipeline", baseStackName?: string) => ({
      stack: { StackName: stackName, CreationTime: new Date(0), StackStatus: "CREATE_COMPLETE" as const },
      stackName,
      endpointId,
      role,
      baseStackName,
    });
    expect(
      scopesOf([
        m("ep-z-prod", "ep-z-prod", "base"),
        m("ep-b-prod-pipeline", "ep-b-prod", "pipeline"),
        m("ep-b-prod", "ep-b-prod", "added", "ep-a-prod"),
        m("ep-a-prod", "ep-a-prod", "base"),
        m("old-prod-pipeline", "old-prod", "pipeline"),
      ]),
    ).toEqual(["ep-a-prod", "ep-z-prod", "old-prod"]);
  });
});

describe("a retryable answer to PutParameter", () => {
  // PutParameter answers TooManyUpdates when writers collide, or throttles:
  // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
  it("TooManyUpdates: lists the generations again and retries, then holds the lease", async () => {
    const { ssm, clock, deps } = setup();
    ssm.putFailures.push("TooManyUpdates", "ThrottlingException");
    const lease = await acquireLease("ep-a-prod", request("alice", "update ep-a-prod --tag t2"), deps);
    expect(lease.name).toBe(`${leasePath("ep-a-prod")}/0000000001`);
    expect(names(ssm)).toEqual([lease.name]);
    const path = leasePath("ep-a-prod");
    expect(ssm.calls).toEqual([
      `GetParametersByPath ${path}`,
      `PutParameter ${lease.name}`,
      `GetParametersByPath ${path}`,
      `PutParameter ${lease.name}`,
      `GetParametersByPath ${path}`,
      `PutParameter ${lease.name}`,
    ]);
    expect(clock.sleeps).toHaveLength(2);
  });

  it("gives up once the retry budget is spent, with AWS's code", async () => {
    const { ssm, deps } = setup();
    ssm.putFailures.push(...Array.from({ length: 500 }, () => "TooManyUpdates"));
    const error = await acquireLease("ep-a-prod", request("alice", "update", { retryBudgetMs: 20_000 }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe("TooManyUpdates");
    expect(ssm.putFailures.length).toBeGreaterThan(400);
  });
});

describe("giving the lease back after Ctrl-C", () => {
  it("is one DeleteParameter with a timeout of its own, done well within the one-second exit deadline even when answers take 1.2 s", async () => {
    const { ssm, deps } = setup();
    const controller = new AbortController();
    const lease = await acquireLease("ep-a-prod", request("alice", "update"), { ...deps, signal: controller.signal });
    ssm.calls.length = 0;
    ssm.answerDelayMs = 1_200;
    controller.abort();
    const started = Date.now();
    await lease.release().catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(900);
    expect(ssm.calls).toEqual([`DeleteParameter ${lease.name}`]);
  });

  it("answered in time, it leaves nothing", async () => {
    const { ssm, deps } = setup();
    const controller = new AbortController();
    const lease = await acquireLease("ep-a-prod", request("alice", "update"), { ...deps, signal: controller.signal });
    controller.abort();
    await lease.release();
    expect(names(ssm)).toEqual([]);
  });
});

describe("a holder that is gone", () => {
  const local = (running: number[]) => ({ isRunning: (pid: number) => running.includes(pid) });

  it("on this host, whose process no longer exists: taken over at once, saying so", async () => {
    const { ssm, clock, out, deps } = setup();
    await acquireLease("ep-a-prod", request("alice@build-host (pid 4242)", "update ep-a-prod --tag t2", { host: "build-host", pid: 4242 }), deps);
    const lease = await acquireLease("ep-a-prod", request("alice@build-host (pid 5151)", "update ep-a-prod --tag t2", { host: "build-host", pid: 5151 }), {
      ...deps,
      processes: local([5151]),
    });
    expect(clock.sleeps).toEqual([]);
    expect(names(ssm)).toEqual([lease.name]);
    expect(out.lines).toContain(
      "warn: Took over the lease of update ep-a-prod --tag t2 by alice@build-host (pid 4242) since 2026-01-15T12:00:00.000Z on ep-a-prod: its process (pid 4242) no longer runs on this host.",
    );
  });

  it("whose process still runs, or on another host: waited for", async () => {
    const { deps } = setup();
    await acquireLease("ep-a-prod", request("alice@build-host (pid 4242)", "update", { host: "build-host", pid: 4242 }), deps);
    for (const [host, running] of [
      ["build-host", [4242]],
      ["laptop", []],
    ] as const) {
      const error = await acquireLease("ep-a-prod", request("bob", "teardown --all", { host, pid: 1, waitTimeoutMs: 10_000 }), {
        ...deps,
        processes: local([...running]),
      }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/Gave up after 10 s waiting for update by alice@build-host \(pid 4242\)/);
    }
  });

  it("a build that has ended (timed out, so its trap never ran): taken over at once, saying so", async () => {
    // What the buildspec writes: the build's id from CODEBUILD_BUILD_ID.
    const { ssm, clock, out, deps } = setup();
    const claim = {
      holder: "CodeBuild build ep-a-prod:1234",
      command: "build deploying tag-abc to ep-a-prod",
      since: "2026-01-15T11:00:00Z",
      expiresAt: clock.now() / 1000 + 3600,
      buildId: "ep-a-prod:1234",
    };
    await ssm.putParameter({ Name: `${leasePath("ep-a-prod")}/0000000003`, Value: JSON.stringify(claim), Overwrite: false });
    const codeBuild = new FakeCodeBuild("ep-a-prod", { "ep-a-prod:1234": "TIMED_OUT" });
    const lease = await acquireLease("ep-a-prod", request("alice", "update ep-a-prod --tag t2"), { ...deps, codeBuild });
    expect(clock.sleeps).toEqual([]);
    expect(codeBuild.reads).toEqual([["ep-a-prod:1234"]]);
    expect(names(ssm)).toEqual([lease.name]);
    expect(out.lines).toContain(
      "warn: Took over the lease of build deploying tag-abc to ep-a-prod by CodeBuild build ep-a-prod:1234 since 2026-01-15T11:00:00Z on ep-a-prod: that build has ended (TIMED_OUT).",
    );
  });

  it("a build CodeBuild does not know, or cannot be read (no codebuild:BatchGetBuilds), is waited for as any holder", async () => {
    const { ssm, clock, out, deps } = setup();
    const claim = {
      holder: "CodeBuild build ep-a-prod:9",
      command: "build deploying tag-abc to ep-a-prod",
      since: "2026-01-15T11:00:00Z",
      expiresAt: clock.now() / 1000 + 3600,
      buildId: "ep-a-prod:9",
    };
    await ssm.putParameter({ Name: `${leasePath("ep-a-prod")}/0000000001`, Value: JSON.stringify(claim), Overwrite: false });
    const unknown = await acquireLease("ep-a-prod", request("alice", "update", { waitTimeoutMs: 60_000 }), {
      ...deps,
      codeBuild: new FakeCodeBuild("ep-a-prod", {}),
    }).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/Gave up after 1 min waiting for build deploying tag-abc/);
    const denied = {
      batchGetBuilds: async () => {
        throw new AwsError("CodeBuild BatchGetBuilds: User is not authorized to perform codebuild:BatchGetBuilds", { code: "AccessDeniedException" });
      },
    };
    const error = await acquireLease("ep-a-prod", request("alice", "update", { waitTimeoutMs: 60_000 }), { ...deps, codeBuild: denied }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/Gave up after 1 min/);
    expect(out.lines.filter((l) => l.startsWith("warn: Could not read the state of build ep-a-prod:9"))).toHaveLength(1);
  });

  it("a build still in progress is waited for, and taken over once CodeBuild says it has ended", async () => {
    const { ssm, clock, out, deps } = setup();
    const claim = {
      holder: "CodeBuild build ep-a-prod:1234",
      command: "build deploying tag-abc to ep-a-prod",
      since: "2026-01-15T11:00:00Z",
      expiresAt: clock.now() / 1000 + 3600,
      buildId: "ep-a-prod:1234",
    };
    await ssm.putParameter({ Name: `${leasePath("ep-a-prod")}/0000000001`, Value: JSON.stringify(claim), Overwrite: false });
    const codeBuild = new FakeCodeBuild("ep-a-prod", { "ep-a-prod:1234": "IN_PROGRESS" });
    clock.onSleep = (n) => {
      if (n === 20) codeBuild.setStatus("ep-a-prod:1234", "TIMED_OUT");
    };
    const lease = await acquireLease("ep-a-prod", request("alice", "update"), { ...deps, codeBuild });
    expect(lease.name).toBe(`${leasePath("ep-a-prod")}/0000000002`);
    expect(out.lines.filter((l) => l.startsWith("info: Waiting for build deploying tag-abc"))).toHaveLength(1);
    expect(out.lines.at(-1)).toMatch(/that build has ended \(TIMED_OUT\)/);
    // Not every poll asks CodeBuild.
    expect(codeBuild.reads.length).toBeLessThan(10);
  });
});
