// Addresses and CIDRs: strict parsing (four-part decimal IPv4, IPv6 without zone), canonical form.

import ipaddr from "ipaddr.js";
import { escapeControls } from "../text.js";
import { type Problem, problem } from "./problem.js";

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** A plain IPv4 or IPv6 address, or undefined when `text` is not one. */
export function parseAddress(text: string): Ip | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes("%") && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

export function isAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

/** The one text of an address (`2001:DB8:0::1` -> `2001:db8::1`); `text` itself when it is none. */
export function canonicalAddress(text: string): string {
  return (
    (text.includes(":") ? fastIpv6(text) : undefined) ?? parseAddress(text)?.toString() ?? text
  );
}

const HEX_GROUPS = /^[0-9a-fA-F:]{2,39}$/;
const GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * RFC 5952 text of an IPv6 address of plain hex groups (one `::` at most), ~50x faster than
 * ipaddr.js's parse: the store canonicalizes every address it writes. Anything else (an embedded
 * IPv4 part, a zone, not an address) answers undefined, for the full parser.
 */
function fastIpv6(text: string): string | undefined {
  if (!HEX_GROUPS.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const side = (h: string | undefined) => (h === undefined || h === "" ? [] : h.split(":"));
  const head = side(halves[0]);
  const tail = side(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  if (!groups.every((g) => GROUP.test(g))) return undefined;
  const values = groups.map((g) => Number.parseInt(g, 16));
  // The longest run of two or more zero groups (the first of equals) becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && values[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (v: number[]) => v.map((n) => n.toString(16)).join(":");
  if (best < 0) return hex(values);
  return `${hex(values.slice(0, best))}::${hex(values.slice(best + bestLen))}`;
}

export function checkAddress(text: string): Problem | undefined {
  if (isAddress(text)) return undefined;
  if (text.includes("/") && isAddress(text.slice(0, text.indexOf("/")))) {
    return problem(
      "MSEG_POLICY_INVALID_CIDR",
      `\`${text}\` is a CIDR, but a workload has single addresses; write \`${text.slice(0, text.indexOf("/"))}\``,
    );
  }
  return problem(
    "MSEG_POLICY_INVALID_CIDR",
    `\`${escapeControls(text)}\` is not an IP address; write an IPv4 address like 198.18.1.10 or an IPv6 address like 2001:db8::10`,
  );
}

/** `10.0.0.0/8` as [network, prefix]; a bare address is a /32 (IPv4) or /128 (IPv6). */
export function parseCidr(text: string): { ip: Ip; prefix: number } | Problem {
  const [addr = "", len, extra] = text.split("/");
  const ip = parseAddress(addr);
  const max = ip?.kind() === "ipv6" ? 128 : 32;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : Number.NaN;
  if (ip === undefined || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
    return problem(
      "MSEG_POLICY_INVALID_CIDR",
      `\`${text}\` is not a CIDR; write an address and prefix length like 203.0.113.0/24 or 2001:db8::/32`,
    );
  }
  const network = networkOf(ip, prefix);
  if (network.toString() !== ip.toString()) {
    const exact = `${ip.toString()}/${max}`;
    return problem(
      "MSEG_POLICY_INVALID_CIDR",
      `\`${text}\` has host bits set; write \`${network.toString()}/${prefix}\` for the network, or \`${exact}\` for the one address`,
    );
  }
  return { ip, prefix };
}

export function checkCidr(text: string): Problem | undefined {
  const parsed = parseCidr(text);
  return "code" in parsed ? parsed : undefined;
}

/** Canonical text of a valid CIDR (`2001:DB8:0::/32` -> `2001:db8::/32`, `10.0.0.1` -> `10.0.0.1/32`). */
export function canonicalCidr(text: string): string {
  const parsed = parseCidr(text);
  return "code" in parsed ? text : `${parsed.ip.toString()}/${parsed.prefix}`;
}

/** Whether every address of `inner` lies inside `outer` (both valid CIDRs). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if ("code" in a || "code" in b || a.ip.kind() !== b.ip.kind()) return false;
  return a.prefix >= b.prefix && a.ip.match(b.ip, b.prefix);
}

/** Problems with `except` entries that lie outside every `cidrs` entry (Kubernetes rejects them too). */
export function checkExcepts(
  include: readonly string[],
  except: readonly string[],
): (Problem | undefined)[] {
  return except.map((e) =>
    include.some((i) => cidrWithin(e, i))
      ? undefined
      : problem(
          "MSEG_POLICY_INVALID_CIDR",
          `\`${e}\` is not inside any of the \`cidrs\` (${include.join(", ")}), so excepting it does nothing; ` +
            "remove it or add a CIDR that contains it",
        ),
  );
}

function networkOf(ip: Ip, prefix: number): Ip {
  const text = `${ip.toString()}/${prefix}`;
  return ip.kind() === "ipv4"
    ? ipaddr.IPv4.networkAddressFromCIDR(text)
    : ipaddr.IPv6.networkAddressFromCIDR(text);
}
