/**
 * The request step against local HTTPS servers with certificates made in the
 * test: the same code path as against a load balancer, pointed at 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose, probeEndpoint, sendRequest, type RequestOutcome } from "../../../src/deploy/steps/request.js";
import { closedPort, makeTestCa, startHttpsServer, type TestCa } from "../../helpers/tls.js";

let ca: TestCa;
beforeAll(() => {
  ca = makeTestCa();
});
afterAll(() => ca?.remove());

const host = "ep-a.example.com";

describe("sendRequest", () => {
  it("sends the host as SNI and Host header to the address connected to, and times each phase", async () => {
    const server = await startHttpsServer(ca.leaf([host]), 200);
    try {
      const outcome = await sendRequest({ host, path: "/ping", connectHost: "127.0.0.1", connectPort: server.port, extraCa: ca.caPem, timeoutMs: 5000 });
      expect(outcome.kind).toBe("response");
      if (outcome.kind !== "response") return;
      expect(outcome.status).toBe(200);
      expect(outcome.body).toContain("ok");
      expect(server.hosts).toEqual([host]);
      expect(server.servernames).toEqual([host]);
      const t = outcome.timings;
      expect(t.connectMs).toBeGreaterThanOrEqual(t.dnsMs);
      expect(t.tlsMs).toBeGreaterThanOrEqual(t.connectMs!);
      expect(t.firstByteMs).toBeGreaterThanOrEqual(t.tlsMs!);
      expect(diagnose(outcome, { host, path: "/ping" })).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("reports a 503 with what to check: target health", async () => {
    const server = await startHttpsServer(ca.leaf([host]), 503);
    try {
      const outcome = await sendRequest({ host, path: "/ping", connectHost: "127.0.0.1", connectPort: server.port, extraCa: ca.caPem, timeoutMs: 5000 });
      const problem = diagnose(outcome, { host, path: "/ping" });
      expect(problem?.problem).toMatch(/answered 503 \(the load balancer has no healthy target/);
      expect(problem?.hint).toMatch(/target health/);
    } finally {
      await server.close();
    }
  });

  it("names a certificate for another host, an expired one and an untrusted one", async () => {
    const cases = [
      { tls: ca.leaf(["other.example.com"]), trust: true, code: "ERR_TLS_CERT_ALTNAME_INVALID", says: /not for ep-a.example.com/ },
      { tls: ca.leaf([host], -1), trust: true, code: "CERT_HAS_EXPIRED", says: /expired/ },
      { tls: ca.leaf([host]), trust: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", says: /not trusted/ },
    ];
    for (const c of cases) {
      const server = await startHttpsServer(c.tls, 200);
      try {
        const outcome = await sendRequest({
          host,
          path: "/",
          connectHost: "127.0.0.1",
          connectPort: server.port,
          extraCa: c.trust ? ca.caPem : undefined,
          timeoutMs: 5000,
        });
        expect(outcome.kind, c.code).toBe("tls");
        expect(outcome.kind === "tls" && outcome.code).toBe(c.code);
        expect(diagnose(outcome, { host, path: "/" })?.problem).toMatch(c.says);
        expect(server.hosts).toEqual([]);
      } finally {
        await server.close();
      }
    }
  });

  it("reports a refused connection and a name that does not resolve", async () => {
    const refused = await sendRequest({ host, path: "/", connectHost: "127.0.0.1", connectPort: await closedPort(), timeoutMs: 5000 });
    expect(refused).toMatchObject({ kind: "connection", code: "ECONNREFUSED" });
    expect(diagnose(refused, { host, path: "/" })?.problem).toMatch(/connection refused/);
    const unresolved = await sendRequest({ host: "no-such-host.invalid", path: "/", timeoutMs: 5000 });
    expect(unresolved.kind).toBe("unresolved");
  });
});

describe("diagnose", () => {
  it("spells the commands of its hints as the user starts mlops", () => {
    const timings = { dnsMs: 0, totalMs: 1 };
    const outcomes: RequestOutcome[] = [
      { kind: "response", status: 503, address: "10.0.0.1:443", timings, body: "" },
      { kind: "tls", code: "ERR_TLS_CERT_ALTNAME_INVALID", message: "altname", address: "10.0.0.1:443", timings },
      { kind: "connection", code: "ECONNREFUSED", message: "refused", address: "10.0.0.1:443", timings },
    ];
    for (const outcome of outcomes) {
      const hint = diagnose(outcome, { host: "ep-a.example.com", path: "/" }, "npx mlops")?.hint ?? "";
      expect(hint).toContain("npx mlops status");
      expect(hint).not.toMatch(/(?<!npx )\bmlops status/);
    }
  });
});

describe("probeEndpoint", () => {
  it("goes to the host when it resolves to the load balancer, else through the load balancer's name", async () => {
    // "localhost" plays the load balancer: a host that resolves to it is reached directly; one that resolves nowhere through it.
    const direct = await probeEndpoint({ host: "localhost", path: "/ping", loadBalancerDnsName: "localhost", timeoutMs: 5000 });
    expect(direct.route.kind).toBe("host");
    const through = await probeEndpoint({ host: "ep-a.invalid", path: "/ping", loadBalancerDnsName: "localhost", timeoutMs: 5000 });
    expect(through.route).toMatchObject({ kind: "load balancer", loadBalancerDnsName: "localhost", hostAddresses: [] });
    // Sent to the load balancer's address on 443 (nothing listens there in the test).
    expect(through.outcome.kind !== "unresolved" && "address" in through.outcome && through.outcome.address).toMatch(/:443$/);
  });

  it("goes to --connect-to with the host's SNI and Host header", async () => {
    const server = await startHttpsServer(ca.leaf([host]), 200);
    try {
      const { route, outcome } = await probeEndpoint({
        host,
        path: "/ping",
        connectTo: { host: "127.0.0.1", port: server.port },
        extraCa: ca.caPem,
        timeoutMs: 5000,
      });
      expect(route).toEqual({ kind: "connect-to", target: `127.0.0.1:${server.port}` });
      expect(outcome).toMatchObject({ kind: "response", status: 200 });
      expect(server.servernames).toEqual([host]);
    } finally {
      await server.close();
    }
  });
});
