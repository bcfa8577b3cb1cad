/**
 * Host names resolved the way the endpoint's clients resolve them: through
 * the system's resolver (`getaddrinfo`, so /etc/hosts and the search path
 * count), not a DNS server of mlops's choosing.
 */
import { lookup } from "node:dns/promises";
import type { HostResolver } from "./endpoint-detail.js";

/** Codes for a name that does not exist or has no address (Node's dns module documentation, "Error codes"). */
const NO_SUCH_NAME = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"]);

/** The system's resolver. */
export const systemResolver: HostResolver = {
  async addresses(host: string): Promise<string[] | undefined> {
    try {
      return (await lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
      if (NO_SUCH_NAME.has((error as NodeJS.ErrnoException).code ?? "")) return undefined;
      throw error;
    }
  },
};
