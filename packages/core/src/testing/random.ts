// Seeded random policies and inventories for property tests (small domains so that selectors,
// scopes, namespaces and named ports collide often).

import type {
  Action,
  Enforcement,
  LabelMatch,
  Peer,
  Policy,
  Rule,
  Selector,
  ServicePort,
  Workload,
} from "../model.js";
import { seededRandom } from "../random.js";

export type Rnd = () => number;

/** The seeded sequence of `seededRandom` (mulberry32). */
export const prng: (seed: number) => Rnd = seededRandom;

export const pickOne = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const chance = (rnd: Rnd, p: number) => rnd() < p;

const KEYS = ["app", "role", "env"] as const;
const VALUES = ["a", "b", "c"] as const;

export function randomLabels(rnd: Rnd): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEYS) if (chance(rnd, 0.8)) out[k] = pickOne(rnd, VALUES);
  return out;
}

export function randomWorkload(rnd: Rnd, name: string): Workload {
  const addresses: string[] = [];
  const host = Math.floor(rnd() * 40);
  if (chance(rnd, 0.9)) addresses.push(`198.18.0.${host}`);
  if (chance(rnd, 0.3)) addresses.push(`2001:db8::${host.toString(16)}`);
  const inNs = chance(rnd, 0.3);
  const namedPorts = chance(rnd, 0.4)
    ? { http: { proto: "tcp" as const, from: pickOne(rnd, [80, 8080]), to: 0 } }
    : undefined;
  if (namedPorts) namedPorts.http.to = namedPorts.http.from;
  return {
    name,
    labels: randomLabels(rnd),
    addresses,
    mode: pickOne(rnd, ["learn", "test", "enforce", "enforce"] as const),
    managed: chance(rnd, 0.85),
    ...(inNs
      ? { namespace: pickOne(rnd, ["ns1", "ns2"]), namespaceLabels: { team: pickOne(rnd, VALUES) } }
      : {}),
    ...(namedPorts ? { namedPorts } : {}),
  };
}

function randomSelector(rnd: Rnd, key = pickOne(rnd, KEYS)): Selector {
  const n = Math.floor(rnd() * 3);
  const match: LabelMatch[] = [];
  for (let i = 0; i < n; i++) {
    const k = i === 0 ? key : pickOne(rnd, KEYS);
    const op = pickOne(rnd, ["in", "in", "in", "notin", "exists", "notexists"] as const);
    if (op === "exists" || op === "notexists") match.push({ key: k, op });
    else match.push({ key: k, op, values: [pickOne(rnd, VALUES), pickOne(rnd, VALUES)] });
  }
  return { match };
}

function randomPeer(rnd: Rnd): Peer {
  const r = rnd();
  if (r < 0.08) return { kind: "any" };
  if (r < 0.16) return { kind: "ipList", name: pickOne(rnd, ["lab", "none"]) };
  if (r < 0.24) return { kind: "cidrs", include: ["198.18.0.0/27"], except: ["198.18.0.8/29"] };
  if (r < 0.32) {
    return {
      kind: "workloads",
      selector: randomSelector(rnd),
      namespaceSelector: { match: [{ key: "team", op: "in", values: [pickOne(rnd, VALUES)] }] },
    };
  }
  return { kind: "workloads", selector: randomSelector(rnd) };
}

function randomServices(rnd: Rnd): ServicePort[] {
  const out: ServicePort[] = [];
  const n = Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const from = pickOne(rnd, [22, 80, 443, 8080, 5432]);
    if (r < 0.5) out.push({ proto: "tcp", from, to: from + Math.floor(rnd() * 3) });
    else if (r < 0.65) out.push({ proto: "udp", from: 53, to: 53 });
    else if (r < 0.85) out.push({ proto: "tcp", named: "http" });
    else out.push({ proto: "icmp", type: 8 });
  }
  return out;
}

const ENFORCEMENTS: readonly Enforcement[] = ["both", "provider", "consumer"];

export function randomRule(rnd: Rnd, id: string): Rule {
  const peers = () => Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => randomPeer(rnd));
  return {
    id,
    action: pickOne(rnd, ["allow", "allow", "allow", "deny", "override-deny"] as Action[]),
    from: peers(),
    to: peers(),
    services: randomServices(rnd),
    ...(chance(rnd, 0.2) ? { scope: randomSelector(rnd, "env") } : {}),
    ...(chance(rnd, 0.3) ? { enforce: pickOne(rnd, ENFORCEMENTS) } : {}),
    source: { file: "random.yaml", path: `rules[${id}]` },
  };
}

export function randomPolicy(rnd: Rnd, rules = 12): Policy {
  return {
    rules: Array.from({ length: rules }, (_, i) => randomRule(rnd, `rule-${i}`)),
    ipLists: {
      lab: { name: "lab", include: ["198.18.0.16/28", "2001:db8::/120"], except: ["198.18.0.20"] },
    },
    isolation: chance(rnd, 0.7)
      ? [
          {
            id: "iso",
            selector: randomSelector(rnd),
            directions: pickOne(rnd, [["inbound"], ["outbound"], ["inbound", "outbound"]] as const),
            source: { path: "isolation[0]" },
          },
        ]
      : [],
  };
}

export function randomWorkloads(rnd: Rnd, n = 30): Workload[] {
  return Array.from({ length: n }, (_, i) => randomWorkload(rnd, `w${i}`));
}
