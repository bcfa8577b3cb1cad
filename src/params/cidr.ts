/**
 * IPv4 CIDR arithmetic for the network checks. Addresses are kept as unsigned
 * 32-bit numbers so containment and overlap are plain integer comparisons.
 */

/** A parsed IPv4 block. */
export interface Cidr {
  /** First address of the block, as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** The text as written. */
  text: string;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Formats an unsigned 32-bit address as a.b.c.d. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}

/** Mask of the network bits of a prefix length, as an unsigned 32-bit number. */
function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/n`; returns a message instead when the text is not a valid network address. */
export function parseCidr(text: string): Cidr | { error: string } {
  const match = CIDR_PATTERN.exec(text.trim());
  if (!match) return { error: `"${text}" is not an IPv4 CIDR block (a.b.c.d/n, e.g. 10.0.0.0/16)` };
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return { error: `"${text}" has an address part above 255` };
  // Leading zeros are read as octal by some tools and decimal by others: refuse the ambiguity.
  if (match.slice(1, 5).some((octet) => octet.length > 1 && octet.startsWith("0"))) {
    return { error: `"${text}" has an address part with a leading zero` };
  }
  if (prefix > 32) return { error: `"${text}" has a prefix length above 32` };
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const base = (address & mask(prefix)) >>> 0;
  if (base !== address) {
    return { error: `"${text}" has host bits set: the network address is ${formatAddress(base)}/${prefix}` };
  }
  return { base, prefix, text: text.trim() };
}

/** Number of addresses in a block. */
function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}
