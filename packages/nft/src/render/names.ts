// Names and labels the renderer puts into the kernel. nft limits: set names up to 255 bytes
// (we keep them short and identifier-like so `nft list` stays readable), rule comments up to
// 127 bytes (NFTNL_UDATA_COMMENT_MAXLEN, minus the NUL).

export const DEFAULT_TABLE = "microseg";

/** Names of the always-present management sets. The `-` keeps them apart from RuleSet sets. */
export const MANAGEMENT_SETS = { v4: "mgmt-v4", v6: "mgmt-v6" } as const;

/** Pseudo rule ids of the fixed rules, used as rule comments. */
export const FIXED_IDS = {
  established: "mseg:established",
  loopback: "mseg:loopback",
  management: "mseg:management",
  neighbour: "mseg:nd",
  default: "mseg:default",
} as const;

const SAFE_SET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The four kernel sets behind one RuleSet set: host addresses and prefixes, per family. */
export interface KernelSetNames {
  /** Hash set of IPv4 host addresses (/32). */
  readonly v4: string;
  /** Interval set of IPv4 prefixes (shorter than /32). */
  readonly v4net: string;
  readonly v6: string;
  readonly v6net: string;
}

/**
 * `<name>_v4`, `<name>_v4net`, `<name>_v6`, `<name>_v6net`. Names that are not short
 * identifiers are sanitized and get a hash suffix, so distinct names never collide.
 * Hosts and prefixes are apart because nft fetches an interval set's whole content before
 * every element change (O(set size)); hash-set element changes cost O(1).
 */
export function kernelSetNames(setName: string): KernelSetNames {
  const base = SAFE_SET_NAME.test(setName) ? setName : sanitized(setName);
  return { v4: `${base}_v4`, v4net: `${base}_v4net`, v6: `${base}_v6`, v6net: `${base}_v6net` };
}

function sanitized(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 48);
  return `s_${cleaned}_${fnv1a(name)}`;
}

/** FNV-1a 32-bit, hex: a tiny stable hash (the renderer is pure, no node:crypto). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** Cuts `text` so that its UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

export const MAX_LABEL_BYTES = 127;
