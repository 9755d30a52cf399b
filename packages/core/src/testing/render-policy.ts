// The model back to native policy YAML, for round-trip tests: what renderPolicy writes,
// loadPolicy reads back to the same model. Every string is written as a JSON string (a valid YAML
// double-quoted scalar), so no value changes type (`"1"`, `"yes"`) and every key stays a key.
//
// Contract with the input: rule and isolation ids are valid names; rules with a scope come after
// those without and are grouped by scope (the order loadPolicy yields them in); a key's
// requirements are contiguous and ordered in, notin, exists|notexists (the order the operator
// form yields them in); workloads of one namespace carry the same namespaceLabels.

import type {
  Isolation,
  LabelMatch,
  Peer,
  Policy,
  PolicyTest,
  Rule,
  Selector,
  ServicePort,
  Workload,
} from "../model.js";
import { NAMESPACE_NAME_LABEL } from "../policy/normalize.js";
import { PEER_FORM_KEYS } from "../policy/peers.js";
import { closest } from "../policy/suggest.js";
import { formatServicePort } from "../ports.js";
import { selectorKey } from "../selector.js";

export interface RenderInput {
  readonly policy: Policy;
  readonly workloads?: readonly Workload[];
  readonly tests?: readonly Omit<PolicyTest, "source">[];
  /** Services to define; a rule whose ports equal one's, in order, names it instead. */
  readonly services?: readonly { readonly name: string; readonly ports: readonly ServicePort[] }[];
}

const q = (s: string) => JSON.stringify(s);
const list = (items: readonly string[]) => `[${items.join(", ")}]`;

export function renderPolicy(input: RenderInput): string {
  const out = ["apiVersion: microseg/v1"];
  const workloads = input.workloads ?? [];
  section(out, "namespaces", namespaces(workloads));
  section(out, "workloads", workloads.map(workload));
  section(out, "ipLists", Object.values(input.policy.ipLists).map(ipList));
  const services = input.services ?? [];
  section(
    out,
    "services",
    services.map((s) => [`name: ${q(s.name)}`, `ports: ${list(s.ports.map(port))}`]),
  );
  const plain = input.policy.rules.filter((r) => r.scope === undefined);
  section(
    out,
    "rules",
    plain.map((r) => rule(r, services)),
  );
  section(out, "scopes", scopes(input.policy.rules, services));
  section(out, "isolation", input.policy.isolation.map(isolation));
  const tests = (input.tests ?? []).map((t) => [
    `from: ${q(t.from)}`,
    `to: ${q(t.to)}`,
    `port: ${q(t.port)}`,
    `expect: ${q(t.expect)}`,
  ]);
  section(out, "tests", tests);
  return `${out.join("\n")}\n`;
}

/** `name:` then each entry as a block-map list item, indented under the item's dash. */
function section(out: string[], name: string, entries: readonly (readonly string[])[]): void {
  if (entries.length === 0) return;
  out.push(`${name}:`);
  for (const fields of entries) {
    fields.forEach((f, i) => {
      out.push(`${i === 0 ? "  - " : "    "}${f}`);
    });
  }
}

function namespaces(workloads: readonly Workload[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const w of workloads) {
    if (w.namespace === undefined || seen.has(w.namespace)) continue;
    const labels = Object.entries(w.namespaceLabels ?? {}).filter(
      ([k]) => k !== NAMESPACE_NAME_LABEL,
    );
    seen.set(w.namespace, [`name: ${q(w.namespace)}`, `labels: ${labelMap(labels)}`]);
  }
  return [...seen.values()];
}

function workload(w: Workload): string[] {
  const fields = [
    `name: ${q(w.name)}`,
    `labels: ${labelMap(Object.entries(w.labels))}`,
    `addresses: ${list(w.addresses.map(q))}`,
    `mode: ${q(w.mode)}`,
    `managed: ${w.managed}`,
  ];
  if (w.namespace !== undefined) fields.push(`namespace: ${q(w.namespace)}`);
  if (w.namedPorts !== undefined) {
    const ports = Object.entries(w.namedPorts).map(([k, p]) => `${q(k)}: ${port(p)}`);
    fields.push(`namedPorts: { ${ports.join(", ")} }`);
  }
  return fields;
}

function labelMap(entries: readonly [string, string][]): string {
  return entries.length === 0
    ? "{}"
    : `{ ${entries.map(([k, v]) => `${q(k)}: ${q(v)}`).join(", ")} }`;
}

function ipList(l: Policy["ipLists"][string]): string[] {
  const fields = [`name: ${q(l.name)}`, `cidrs: ${list(l.include.map(q))}`];
  if (l.except.length > 0) fields.push(`except: ${list(l.except.map(q))}`);
  return fields;
}

function port(p: ServicePort): string {
  return q(formatServicePort(p));
}

function rule(r: Rule, services: RenderInput["services"] & {}): string[] {
  const fields = [
    `name: ${q(r.id)}`,
    `action: ${q(r.action)}`,
    `from: ${peers(r.from)}`,
    `to: ${peers(r.to)}`,
  ];
  if (r.services.length > 0) {
    const text = r.services.map(formatServicePort).join(" ");
    const named = services.find((s) => s.ports.map(formatServicePort).join(" ") === text);
    fields.push(
      `services: ${named === undefined ? list(r.services.map(port)) : list([q(named.name)])}`,
    );
  }
  return fields;
}

function scopes(rules: readonly Rule[], services: RenderInput["services"] & {}): string[][] {
  const groups = new Map<string, { match: Selector; rules: Rule[] }>();
  for (const r of rules) {
    if (r.scope === undefined) continue;
    const key = selectorKey(r.scope);
    const group = groups.get(key) ?? { match: r.scope, rules: [] };
    groups.set(key, group);
    group.rules.push(r);
  }
  return [...groups.values()].map((g, i) => [
    `name: ${q(`scope-${i}`)}`,
    `match: ${selector(g.match)}`,
    "rules:",
    ...g.rules.flatMap((r) => rule(r, services).map((f, j) => `${j === 0 ? "  - " : "    "}${f}`)),
  ]);
}

function isolation(iso: Isolation): string[] {
  const fields = [`name: ${q(iso.id)}`];
  if (iso.selector.match.length > 0) fields.push(`select: ${selector(iso.selector)}`);
  if (iso.namespaceSelector !== undefined)
    fields.push(`namespace: ${selector(iso.namespaceSelector)}`);
  fields.push(`directions: ${list(iso.directions.map(q))}`);
  return fields;
}

function peers(list_: readonly Peer[]): string {
  const one = (p: Peer): string => {
    switch (p.kind) {
      case "any":
        return "any";
      case "ipList":
        return `{ ipList: ${q(p.name)} }`;
      case "cidrs":
        return p.except.length === 0
          ? `{ cidrs: ${list(p.include.map(q))} }`
          : `{ cidrs: ${list(p.include.map(q))}, except: ${list(p.except.map(q))} }`;
      case "workloads":
        return workloadPeer(p.selector, p.namespaceSelector);
    }
  };
  return list_.length === 1 ? one(list_[0] as Peer) : list(list_.map(one));
}

function workloadPeer(pods: Selector, namespace: Selector | undefined): string {
  if (namespace !== undefined) {
    const podsPart = pods.match.length === 0 ? "" : `, pods: ${selector(pods)}`;
    return `{ namespace: ${selector(namespace)}${podsPart} }`;
  }
  // The bare form only when no key chooses (or looks like a misspelling of) another peer form.
  const bare = pods.match.every(
    (m) => !PEER_FORM_KEYS.includes(m.key) && closest(m.key, PEER_FORM_KEYS) === undefined,
  );
  return bare ? selector(pods) : `{ labels: ${selector(pods)} }`;
}

/** `{ "env": "prod", "tier": ["a", "b"], "x": { "notIn": ["c"], "exists": true } }` */
export function selector(s: Selector): string {
  const byKey = new Map<string, LabelMatch[]>();
  for (const m of s.match) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  const parts = [...byKey].map(([key, ms]) => `${q(key)}: ${requirement(ms)}`);
  return `{ ${parts.join(", ")} }`;
}

function requirement(ms: readonly LabelMatch[]): string {
  const [only] = ms;
  if (ms.length === 1 && only !== undefined && only.op === "in") {
    return only.values.length === 1 ? q(only.values[0] as string) : list(only.values.map(q));
  }
  const ops = ms.map((m) => {
    if (m.op === "in") return `in: ${list(m.values.map(q))}`;
    if (m.op === "notin") return `notIn: ${list(m.values.map(q))}`;
    return `exists: ${m.op === "exists"}`;
  });
  return `{ ${ops.join(", ")} }`;
}
