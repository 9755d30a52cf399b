// Valid documents -> the model. Runs only on documents that passed validation, so nothing here can
// fail; cross-file facts (services, namespaces) are gathered first, then each piece is translated.

import type {
  IpList,
  Isolation,
  Labels,
  Policy,
  PolicyTest,
  Rule,
  Selector,
  ServicePort,
  Workload,
} from "../model.js";
import { formatServicePort, parseServicePort } from "../ports.js";
import { canonicalCidr } from "./addresses.js";
import { looksLikePort } from "./ports.js";
import type { PolicyDocument, RuleDocument } from "./schema.js";
import type { ParsedDocument } from "./yaml-lines.js";

export interface ValidDocument {
  readonly doc: ParsedDocument;
  readonly data: PolicyDocument;
}

export interface Normalized {
  readonly policy: Policy;
  readonly workloads: Workload[];
  readonly tests: PolicyTest[];
}

/** Kubernetes labels every namespace with its own name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export function normalize(docs: readonly ValidDocument[]): Normalized {
  const services = new Map<string, ServicePort[]>();
  const namespaces = new Map<string, Labels>();
  const ipLists: Record<string, IpList> = {};
  for (const { data } of docs) {
    for (const s of data.services) services.set(s.name, s.ports.map(toPort));
    for (const n of data.namespaces) namespaces.set(n.name, n.labels ?? {});
    for (const l of data.ipLists) ipLists[l.name] = toIpList(l);
  }
  const rules: Rule[] = [];
  const isolation: Isolation[] = [];
  const workloads: Workload[] = [];
  const tests: PolicyTest[] = [];
  for (const { doc, data } of docs) {
    const ref = (path: string) => ({ file: doc.file, path: doc.prefix + path });
    data.rules.forEach((r, i) => {
      rules.push(toRule(r, ref(`rules[${i}]`), services));
    });
    data.scopes.forEach((s, i) => {
      s.rules.forEach((r, j) => {
        rules.push(toRule(r, ref(`scopes[${i}].rules[${j}]`), services, s.match));
      });
    });
    data.isolation.forEach((iso, i) => {
      isolation.push(toIsolation(iso, ref(`isolation[${i}]`)));
    });
    for (const w of data.workloads) workloads.push(toWorkload(w, namespaces));
    data.tests.forEach((t, i) => {
      tests.push({
        from: t.from,
        to: t.to,
        port: t.port,
        expect: t.expect,
        source: ref(`tests[${i}]`),
      });
    });
  }
  return { policy: { rules, ipLists, isolation }, workloads, tests };
}

function toPort(text: string): ServicePort {
  const parsed = parseServicePort(text);
  if (!parsed.ok) throw new Error(`unvalidated port ${text}`);
  return parsed.port;
}

function toIpList(l: PolicyDocument["ipLists"][number]): IpList {
  return {
    name: l.name,
    include: l.cidrs.map(canonicalCidr),
    except: (l.except ?? []).map(canonicalCidr),
  };
}

function ruleId(name: string | undefined, source: { file?: string; path: string }): string {
  return name ?? `${source.file ?? ""}#${source.path}`;
}

function toRule(
  r: RuleDocument,
  source: { file: string; path: string },
  services: ReadonlyMap<string, ServicePort[]>,
  scope?: Selector,
): Rule {
  const rule: Rule = {
    id: ruleId(r.name, source),
    action: r.action ?? "allow",
    from: r.from,
    to: r.to,
    services: expandServices(r.services ?? [], services),
    source,
  };
  return scope === undefined ? rule : { ...rule, scope };
}

/** Names -> their ports, duplicates dropped; any `any` means every port, written as []. */
function expandServices(
  entries: readonly string[],
  services: ReadonlyMap<string, ServicePort[]>,
): ServicePort[] {
  const ports = entries.flatMap((e) => (looksLikePort(e) ? [toPort(e)] : (services.get(e) ?? [])));
  if (ports.some((p) => p.proto === "any")) return [];
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = formatServicePort(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toIsolation(
  iso: PolicyDocument["isolation"][number],
  source: { file: string; path: string },
): Isolation {
  const base: Isolation = {
    id: ruleId(iso.name, source),
    selector: iso.select ?? { match: [] },
    directions: [...new Set(iso.directions)],
    source,
  };
  return iso.namespace === undefined ? base : { ...base, namespaceSelector: iso.namespace };
}

function toWorkload(
  w: PolicyDocument["workloads"][number],
  namespaces: ReadonlyMap<string, Labels>,
): Workload {
  const base: Workload = {
    name: w.name,
    labels: w.labels ?? {},
    addresses: w.addresses ?? [],
    mode: w.mode ?? "enforce",
    managed: w.managed ?? true,
  };
  const extras: Partial<{ -readonly [K in keyof Workload]: Workload[K] }> = {};
  if (w.namespace !== undefined) {
    extras.namespace = w.namespace;
    extras.namespaceLabels = {
      ...namespaces.get(w.namespace),
      [NAMESPACE_NAME_LABEL]: w.namespace,
    };
  }
  if (w.namedPorts !== undefined) extras.namedPorts = w.namedPorts;
  return { ...base, ...extras };
}
