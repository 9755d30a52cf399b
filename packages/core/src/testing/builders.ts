// Terse builders for policies and workloads in tests (core's and other packages').

import type {
  Action,
  Isolation,
  LabelMatch,
  Peer,
  Policy,
  Rule,
  Selector,
  ServicePort,
  Workload,
} from "../model.js";
import { parseServicePort } from "../ports.js";

/** `sel({app: "web", env: "prod"})`: equality requirements, all-of. */
export function sel(labels: Record<string, string> = {}, extra: LabelMatch[] = []): Selector {
  const match: LabelMatch[] = Object.entries(labels).map(([key, v]) => ({
    key,
    op: "in",
    values: [v],
  }));
  return { match: [...match, ...extra] };
}

export function wl(sel: Record<string, string>, ns?: Record<string, string>): Peer {
  return ns === undefined
    ? { kind: "workloads", selector: sel_(sel) }
    : { kind: "workloads", selector: sel_(sel), namespaceSelector: sel_(ns) };
}
const sel_ = (l: Record<string, string>) => sel(l);

export const ANY: Peer = { kind: "any" };

export function cidrs(include: string[], except: string[] = []): Peer {
  return { kind: "cidrs", include, except };
}

export function svc(...texts: string[]): ServicePort[] {
  return texts.map((t) => {
    const p = parseServicePort(t);
    if (!p.ok) throw new Error(p.message);
    return p.port;
  });
}

let ruleCounter = 0;
export function rule(
  action: Action,
  from: Peer[],
  to: Peer[],
  services: ServicePort[] = [],
  extra: Partial<Rule> = {},
): Rule {
  const id = extra.id ?? `r${ruleCounter++}`;
  return { id, action, from, to, services, source: { file: "test.yaml", path: id }, ...extra };
}

export function policy(rules: Rule[], extra: Partial<Policy> = {}): Policy {
  return { rules, ipLists: {}, isolation: [], ...extra };
}

export function isolation(
  id: string,
  selector: Selector,
  directions: Isolation["directions"],
  namespaceSelector?: Selector,
): Isolation {
  return {
    id,
    selector,
    directions,
    source: { path: id },
    ...(namespaceSelector ? { namespaceSelector } : {}),
  };
}

export function workload(
  name: string,
  labels: Record<string, string>,
  addresses: string[],
  extra: Partial<Workload> = {},
): Workload {
  return { name, labels, addresses, mode: "enforce", managed: true, ...extra };
}
