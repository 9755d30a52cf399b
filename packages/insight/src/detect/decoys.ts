// Decoys: addresses or workloads (optionally one port on them) that nothing legitimate uses, so
// any touch is an attack. Entries are `ADDR`, `ADDR:tcp/445`, `NAME`, `NAME:tcp/445` (an IPv6
// address with a port is written `[ADDR]:tcp/445`).

import type { FlowEnd } from "../flow.js";

export interface Decoy {
  /** A workload's name or an address. */
  readonly target: string;
  /** `tcp/445`; absent: every port. */
  readonly port?: string;
}

/** Parses one `--decoy` value; undefined when it is not of the documented form. */
export function parseDecoy(text: string): Decoy | undefined {
  const t = text.trim();
  const m = t.startsWith("[")
    ? /^\[([0-9a-fA-F:.]+)\](?::((?:tcp|udp|sctp)\/\d{1,5}))?$/.exec(t)
    : /^([^\s[\]]+?)(?::((?:tcp|udp|sctp)\/\d{1,5}))?$/.exec(t);
  if (m === null) return undefined;
  return withPort(m[1] as string, m[2]);
}

function withPort(target: string, port: string | undefined): Decoy {
  return port === undefined ? { target } : { target, port };
}

export class DecoyList {
  private readonly whole = new Set<string>();
  private readonly ports = new Set<string>();

  constructor(decoys: readonly Decoy[] = []) {
    for (const d of decoys) this.add(d);
  }

  add(d: Decoy): void {
    if (d.port === undefined) this.whole.add(d.target);
    else this.ports.add(`${d.target}\u0000${d.port}`);
  }

  get size(): number {
    return this.whole.size + this.ports.size;
  }

  matches(to: FlowEnd, port: string): boolean {
    if (this.whole.size > 0 && this.whole.has(to.name)) return true;
    return this.ports.size > 0 && this.ports.has(`${to.name}\u0000${port}`);
  }
}
