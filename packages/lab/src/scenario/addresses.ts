// Lab addressing. Every host sits on one segment, 198.18.0.0/15 (RFC 2544, benchmarking), so a
// lab never collides with a real network. Each host also gets an IPv6 address from 2001:2::/48
// (RFC 5180, IPv6 benchmarking) derived from its IPv4 address: 198.18.1.10 -> 2001:2::198:18:1:10.

export const LAB_V4_PREFIX = "198.18.0.0/15";
export const LAB_V4_PREFIX_LEN = 15;
export const LAB_V6_PREFIX_LEN = 48;
/** The lab controller's address (its own namespace, on the segment); never a host's. */
export const CONTROLLER_ADDRESS = "198.18.0.1";
/** The port the lab controller serves agents and the API on. */
export const CONTROLLER_PORT_NUMBER = 8443;
/** First address handed out to hosts without an explicit address. */
export const FIRST_ASSIGNED = "198.18.0.10";

const V4_BASE = toInt("198.18.0.0");
const V4_SIZE = 2 ** 17;

export function parseV4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

function toInt(text: string): number {
  const n = parseV4(text);
  if (n === undefined) throw new Error(`bad IPv4 literal ${text}`);
  return n;
}

export function formatV4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Why `text` cannot be a lab host address, or undefined when it can. */
export function checkLabAddress(text: string): string | undefined {
  const n = parseV4(text);
  if (n === undefined) return `"${text}" is not an IPv4 address; write e.g. 198.18.1.10`;
  if (n < V4_BASE || n >= V4_BASE + V4_SIZE) {
    return `${text} is outside the lab segment ${LAB_V4_PREFIX}; pick an address in it, e.g. 198.18.1.10`;
  }
  if (n === V4_BASE || n === V4_BASE + V4_SIZE - 1) {
    return `${text} is the segment's network or broadcast address; pick another, e.g. 198.18.1.10`;
  }
  if (text === CONTROLLER_ADDRESS) {
    return `${text} is reserved for the lab's controller; pick another, e.g. 198.18.1.10`;
  }
  return undefined;
}

/**
 * Gives every host an address: its own when given, otherwise the next free one from
 * 198.18.0.10 up. Explicit addresses must already be valid and unique (see checkLabAddress).
 */
export function assignAddresses(requested: readonly (string | undefined)[]): string[] {
  const taken = new Set(requested.filter((a): a is string => a !== undefined).map(toInt));
  let next = toInt(FIRST_ASSIGNED);
  return requested.map((address) => {
    if (address !== undefined) return address;
    while (taken.has(next)) next += 1;
    taken.add(next);
    return formatV4(next);
  });
}

/** The host's IPv6 address, derived from its IPv4 one (each octet written as a group). */
export function v6For(v4: string): string {
  return `2001:2::${v4.split(".").join(":")}`;
}
