// Which labels identify a workload in a proposed rule: the smallest set that names its group.
//
//   1. `app` and `role`, the ones it has (the conventional identity of a tier);
//   2. plus `env`, `tenant`, `loc` when that group spans several values of the key, so a rule
//      learned from prod traffic does not also open staging (the key "distinguishes");
//   3. a workload with neither app nor role is identified by all its labels;
//   4. a workload with no label at all cannot be named by a rule (never by address): undefined.

import type { Workload } from "@microseg/core";

/** A selector of plain equalities, as the proposal writes it: `{ app: shop, role: db }`. */
export type Identity = Readonly<Record<string, string>>;

export const IDENTITY_KEYS = ["app", "role"] as const;
export const DISTINGUISHING_KEYS = ["env", "tenant", "loc"] as const;

export function identities(workloads: readonly Workload[]): Map<string, Identity | undefined> {
  const base = new Map(workloads.map((w) => [w.name, baseIdentity(w)]));
  const byLabel = new Map<string, Workload[]>();
  for (const w of workloads) {
    for (const [k, v] of Object.entries(w.labels)) {
      const list = byLabel.get(`${k}=${v}`);
      if (list === undefined) byLabel.set(`${k}=${v}`, [w]);
      else list.push(w);
    }
  }
  const groups = new Map<string, Workload[]>();
  const groupOf = (b: Identity): Workload[] => {
    const key = identityKey(b);
    let group = groups.get(key);
    if (group === undefined) {
      // the smallest label bucket of the identity, then a full match
      const buckets = Object.entries(b).map(([k, v]) => byLabel.get(`${k}=${v}`) ?? []);
      const smallest = buckets.sort((x, y) => x.length - y.length)[0] ?? [];
      group = smallest.filter((o) => matches(b, o.labels));
      groups.set(key, group);
    }
    return group;
  };
  const out = new Map<string, Identity | undefined>();
  for (const w of workloads) {
    const b = base.get(w.name);
    if (b === undefined) {
      out.set(w.name, undefined);
      continue;
    }
    const group = groupOf(b);
    const id: Record<string, string> = { ...b };
    for (const key of DISTINGUISHING_KEYS) {
      const value = w.labels[key];
      if (value === undefined || key in id) continue;
      const values = new Set(group.map((o) => o.labels[key]));
      if (values.size > 1) id[key] = value;
    }
    out.set(w.name, sortedIdentity(id));
  }
  return out;
}

function baseIdentity(w: Workload): Identity | undefined {
  const id: Record<string, string> = {};
  for (const key of IDENTITY_KEYS) {
    const v = w.labels[key];
    if (v !== undefined) id[key] = v;
  }
  if (Object.keys(id).length > 0) return id;
  return Object.keys(w.labels).length > 0 ? sortedIdentity(w.labels) : undefined;
}

export function matches(id: Identity, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(id)) if (labels[k] !== v) return false;
  return true;
}

/** Identity keys in a fixed order: app, role, env, tenant, loc, then the rest by name. */
function sortedIdentity(id: Identity): Identity {
  const order = [...IDENTITY_KEYS, ...DISTINGUISHING_KEYS] as readonly string[];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = Object.keys(id).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, id[k] as string]));
}

/** Canonical text of an identity (also its sort key). */
export function identityKey(id: Identity): string {
  return Object.entries(id)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** A DNS-label style name from the identity's values: `shop-db-prod`. */
export function identityName(id: Identity): string {
  return nameOf(Object.values(id).join("-"));
}

export function nameOf(text: string): string {
  const n = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return n === "" ? "group" : n;
}
