// The proposal as native policy YAML: what `microseg policy check` reads. Values are quoted
// (a label value such as `1` or `yes` stays a string); each rule's description says what it was
// learned from, so a reviewer sees the evidence next to the rule.

import type { ProposedIpList, ProposedPeer, ProposedRule } from "./proposal.js";

/** Selector keys that choose a peer form; a label with such a key needs the `labels:` form. */
const FORM_KEYS = new Set(["ipList", "cidrs", "except", "namespace", "pods", "labels", "any"]);

export function renderYaml(
  rules: readonly ProposedRule[],
  ipLists: readonly ProposedIpList[],
  header: readonly string[] = [],
): string {
  const lines = [...header.map((h) => `# ${h}`), "apiVersion: microseg/v1", ""];
  if (ipLists.length > 0) {
    lines.push("ipLists:");
    for (const l of ipLists) {
      lines.push(`  - name: ${l.name}`, `    cidrs: [${l.cidrs.map(quote).join(", ")}]`);
    }
    lines.push("");
  }
  lines.push(rules.length === 0 ? "rules: []" : "rules:");
  for (const r of rules) {
    lines.push(
      `  - name: ${r.name}`,
      `    description: ${quote(describe(r))}`,
      `    from: ${peer(r.from)}`,
      `    to: ${peer(r.to)}`,
      `    services: [${r.services.join(", ")}]`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function describe(r: ProposedRule): string {
  const n = r.edges.length;
  const extra = r.admits.consumers.length + r.admits.providers.length;
  const learned = `learned from ${n} observed edge${n === 1 ? "" : "s"}, ${r.connections} connections`;
  return extra === 0 ? learned : `${learned}; also admits ${extra} unobserved workload(s)`;
}

function peer(p: ProposedPeer): string {
  if (p.kind === "ipList") return `{ ipList: ${p.name} }`;
  const entries = Object.entries(p.identity);
  const body = entries.map(([k, v]) => `${key(k)}: ${quote(v)}`).join(", ");
  return entries.some(([k]) => FORM_KEYS.has(k)) ? `{ labels: { ${body} } }` : `{ ${body} }`;
}

function key(k: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)?$/.test(k) ? k : quote(k);
}

function quote(s: string): string {
  return JSON.stringify(s);
}
