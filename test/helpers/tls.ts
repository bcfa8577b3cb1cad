/**
 * Certificates made for a test with `openssl` (on PATH): a CA of the test's
 * own and leaf certificates it signs, for local HTTPS servers that play the
 * endpoint's load balancer. Nothing is trusted outside the test that made it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA and the leaf certificates it signs. */
export interface TestCa {
  dir: string;
  caPem: string;
  caFile: string;
  /** A key and certificate for `names`, valid `days` from now (negative: already expired). */
  leaf(names: string[], days?: number): { key: string; cert: string };
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

/** Makes a CA in a temporary folder. */
export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "mlops-tls-"));
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mlops test CA"], dir);
  let serial = 0;
  return {
    dir,
    caPem: readFileSync(join(dir, "ca.pem"), "utf8"),
    caFile: join(dir, "ca.pem"),
    leaf(names, days = 1) {
      const name = `leaf${++serial}`;
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
      openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${names[0]}`], dir);
      openssl(
        [
          "x509",
          "-req",
          "-in",
          `${name}.csr`,
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca.key",
          "-set_serial",
          String(1000 + serial),
          "-out",
          `${name}.pem`,
          "-days",
          String(days),
          "-extfile",
          `${name}.ext`,
        ],
        dir,
      );
      return { key: readFileSync(join(dir, `${name}.key`), "utf8"), cert: readFileSync(join(dir, `${name}.pem`), "utf8") };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A local HTTPS server answering every request with `status`; records the Host headers and SNI names it saw. */
export async function startHttpsServer(
  tls: { key: string; cert: string },
  status = 200,
): Promise<{ port: number; hosts: string[]; servernames: string[]; server: Server; close(): Promise<void> }> {
  const hosts: string[] = [];
  const servernames: string[] = [];
  const server = createServer(tls, (req, res) => {
    hosts.push(req.headers.host ?? "");
    servernames.push((req.socket as unknown as { servername?: string }).servername ?? "");
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: status < 400 ? "ok" : "unavailable" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hosts,
    servernames,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 where nothing listens (taken, then released). */
export async function closedPort(): Promise<number> {
  const { createServer: createTcp } = await import("node:net");
  const server = createTcp();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
