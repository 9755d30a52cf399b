// What each workload serves (the ports others connect to it on) and what a port says about the
// role of whoever serves it. Services nearly everyone serves (ssh, a metrics exporter) say
// nothing about a role and are left out of a workload's signature.

import type { FlowEdge } from "../flow.js";

/** Well-known services -> the role a server of them usually has. */
export const PORT_ROLES: Readonly<Record<string, string>> = {
  "tcp/80": "web",
  "tcp/443": "web",
  "tcp/8080": "web",
  "tcp/8443": "web",
  "tcp/5432": "db",
  "tcp/3306": "db",
  "tcp/1433": "db",
  "tcp/1521": "db",
  "tcp/27017": "db",
  "tcp/9042": "db",
  "tcp/6379": "cache",
  "tcp/11211": "cache",
  "tcp/9092": "queue",
  "tcp/5672": "queue",
  "tcp/4222": "queue",
  "tcp/9200": "search",
  "tcp/53": "dns",
  "udp/53": "dns",
  "tcp/389": "ldap",
  "tcp/636": "ldap",
  "tcp/25": "mail",
  "tcp/587": "mail",
  "udp/123": "ntp",
  "tcp/2049": "nfs",
  "tcp/445": "file",
};

/** A service is ubiquitous when more than this share of all workloads (and at least 5) serve it. */
export const UBIQUITOUS_SHARE = 0.5;
const UBIQUITOUS_MIN = 5;

export interface Served {
  /** workload -> port -> connections received on it (learned verdicts only). */
  readonly byWorkload: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Ports too common to tell workloads apart (served by most serving workloads). */
  readonly ubiquitous: ReadonlySet<string>;
}

export function servedServices(edges: readonly FlowEdge[], workloads: number): Served {
  const byWorkload = new Map<string, Map<string, number>>();
  for (const e of edges) {
    if (e.to.kind !== "workload") continue;
    const ports = byWorkload.get(e.to.name) ?? new Map<string, number>();
    ports.set(e.port, (ports.get(e.port) ?? 0) + e.count);
    byWorkload.set(e.to.name, ports);
  }
  const servers = new Map<string, number>();
  for (const ports of byWorkload.values()) {
    for (const p of ports.keys()) servers.set(p, (servers.get(p) ?? 0) + 1);
  }
  const ubiquitous = new Set<string>();
  for (const [p, n] of servers) {
    if (n >= UBIQUITOUS_MIN && n / Math.max(1, workloads) > UBIQUITOUS_SHARE) ubiquitous.add(p);
  }
  return { byWorkload, ubiquitous };
}

/** The ports that characterise a workload, sorted (empty: it serves nothing distinctive). */
export function signature(served: Served, workload: string): string[] {
  const ports = served.byWorkload.get(workload);
  if (ports === undefined) return [];
  return [...ports.keys()].filter((p) => !served.ubiquitous.has(p)).sort();
}

/** The role the served ports point to, with the share of connections that support it. */
export function roleFromPorts(
  served: Served,
  workload: string,
): { role: string; share: number; ports: string[] } | undefined {
  const ports = served.byWorkload.get(workload);
  if (ports === undefined) return undefined;
  let total = 0;
  const votes = new Map<string, { n: number; ports: string[] }>();
  for (const [p, n] of ports) {
    if (served.ubiquitous.has(p)) continue;
    total += n;
    const role = PORT_ROLES[p];
    if (role === undefined) continue;
    const v = votes.get(role) ?? { n: 0, ports: [] };
    v.n += n;
    v.ports.push(p);
    votes.set(role, v);
  }
  const best = [...votes.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))[0];
  if (best === undefined || total === 0) return undefined;
  return { role: best[0], share: best[1].n / total, ports: best[1].ports.sort() };
}
