// One NetworkPolicy object -> model Rules and one Isolation.
//
//   spec.podSelector (in metadata.namespace, default `default`) ─> the policy's own pods
//   policyTypes (default: Ingress, plus Egress when `egress` has rules) ─> Isolation.directions
//   ingress[i] ─> Rule { from: peers | any, to: own pods, enforce: provider }
//   egress[i]  ─> Rule { from: own pods, to: peers | any, enforce: consumer }
//
// Every rule allows (NetworkPolicy has no deny); rules of a direction the policy does not have in
// policyTypes are ignored, as Kubernetes does. Missing or empty `from`/`to` means every address;
// missing or empty `ports` every port.

import type { Direction, Isolation, Peer, Rule, Selector, ServicePort } from "../../model.js";
import { formatPath } from "../paths.js";
import { show } from "../show.js";
import { DEFAULT_NAMESPACE, type Meta, objectMeta } from "./meta.js";
import { namespaceNamed, networkPolicyPeer } from "./peers.js";
import { networkPolicyPort } from "./ports.js";
import type { Path, Reporter } from "./reporter.js";
import { labelSelector } from "./selector.js";

export const API_VERSION = "networking.k8s.io/v1";

export interface ReadPolicy {
  readonly meta: Meta;
  readonly rules: Rule[];
  readonly isolation: Isolation;
}

interface Own {
  readonly id: string;
  readonly peer: Peer;
  readonly namespace: string;
}

const DIRECTIONS = { Ingress: "inbound", Egress: "outbound" } as const;

export function readNetworkPolicy(
  r: Reporter,
  obj: Record<string, unknown>,
): ReadPolicy | undefined {
  r.fields(obj, [], "a NetworkPolicy", ["apiVersion", "kind", "metadata", "spec", "status"]);
  const versionOk = obj.apiVersion === API_VERSION;
  if (!versionOk) {
    r.report(
      ["apiVersion"],
      "MSEG_POLICY_INVALID_VALUE",
      `apiVersion \`${show(obj.apiVersion)}\` is not read; NetworkPolicy is \`${API_VERSION}\` (older groups such as extensions/v1beta1 were removed from Kubernetes), so write that`,
    );
  }
  const meta = objectMeta(r, obj.metadata);
  // Without a valid name the spec is still checked (in the namespace it would default to).
  const ns = meta?.namespace ?? DEFAULT_NAMESPACE;
  const spec = readSpec(r, obj.spec, `k8s:${ns}/${meta?.name ?? ""}`, ns);
  if (spec === undefined || !versionOk || meta === undefined) return undefined;
  const isolation: Isolation = {
    id: spec.own.id,
    selector: spec.selector,
    namespaceSelector: namespaceNamed(ns),
    directions: spec.types,
    source: source(r, ["spec"]),
  };
  return { meta, rules: spec.rules, isolation };
}

interface Spec {
  readonly own: Own;
  readonly selector: Selector;
  readonly types: Direction[];
  readonly rules: Rule[];
}

/** Checks the whole spec (every problem reported), then maps it when it is valid. */
function readSpec(r: Reporter, value: unknown, id: string, ns: string): Spec | undefined {
  const spec = r.map(value, ["spec"], "`{ podSelector: {}, ingress: [...] }`");
  if (spec === undefined) return undefined;
  r.fields(spec, ["spec"], "a NetworkPolicy spec", SPEC_FIELDS);
  const selector = podSelector(r, spec.podSelector);
  const types = policyTypes(r, spec.policyTypes, spec.egress);
  const own: Own = {
    id,
    peer: {
      kind: "workloads",
      selector: selector ?? { match: [] },
      namespaceSelector: namespaceNamed(ns),
    },
    namespace: ns,
  };
  let ok = selector !== undefined && types !== undefined;
  const rules: Rule[] = [];
  for (const [dir, type] of [
    ["ingress", "inbound"],
    ["egress", "outbound"],
  ] as const) {
    const list = r.list(
      spec[dir] ?? null,
      ["spec", dir],
      `\`[{ ${dir === "ingress" ? "from" : "to"}: [...], ports: [...] }]\``,
    );
    if (list === undefined) ok = false;
    list?.forEach((item, i) => {
      const rule = readRule(r, item, ["spec", dir, i], dir, own);
      if (rule === undefined) ok = false;
      // Rules of a direction the policy does not have in policyTypes are ignored (Kubernetes).
      else if (types?.includes(type)) rules.push(rule);
    });
  }
  return ok && selector !== undefined && types !== undefined
    ? { own, selector, types, rules }
    : undefined;
}

const SPEC_FIELDS = ["podSelector", "ingress", "egress", "policyTypes"];

function podSelector(r: Reporter, value: unknown): Selector | undefined {
  if (value === undefined) {
    r.report(
      ["spec", "podSelector"],
      "MSEG_POLICY_MISSING_FIELD",
      "`spec.podSelector` is missing; add `podSelector: {}` to select every pod of the namespace, or `podSelector: { matchLabels: { app: web } }`",
    );
    return undefined;
  }
  // `podSelector:` with nothing after it: Kubernetes decodes null into the empty selector.
  return value === null ? { match: [] } : labelSelector(r, value, ["spec", "podSelector"]);
}

/** Explicit policyTypes, or the default: Ingress always, Egress when `egress` has any rule. */
function policyTypes(r: Reporter, value: unknown, egress: unknown): Direction[] | undefined {
  const path = ["spec", "policyTypes"];
  const list = r.list(value ?? null, path, "`[Ingress, Egress]`");
  if (list === undefined) return undefined;
  if (list.length === 0) {
    return Array.isArray(egress) && egress.length > 0 ? ["inbound", "outbound"] : ["inbound"];
  }
  const out = new Set<Direction>();
  list.forEach((t, i) => {
    if (t === "Ingress" || t === "Egress") out.add(DIRECTIONS[t]);
    else
      r.report(
        [...path, i],
        "MSEG_POLICY_INVALID_VALUE",
        `policy type \`${show(t)}\` is not one Kubernetes knows; write \`Ingress\` or \`Egress\` (case-sensitive)`,
      );
  });
  return out.size === new Set(list).size ? [...out].sort() : undefined;
}

function readRule(
  r: Reporter,
  value: unknown,
  path: Path,
  dir: "ingress" | "egress",
  own: Own,
): Rule | undefined {
  const peersKey = dir === "ingress" ? "from" : "to";
  const obj = r.map(
    value,
    path,
    `\`{ ${peersKey}: [...], ports: [...] }\` (or \`{}\` for everything)`,
  );
  if (obj === undefined) return undefined;
  r.fields(obj, path, `an ${dir} rule`, [peersKey, "ports"]);
  const peers = listOf(r, obj[peersKey], [...path, peersKey], (v, p) =>
    networkPolicyPeer(r, v, p, own.namespace),
  );
  const services = listOf(r, obj.ports, [...path, "ports"], (v, p) => networkPolicyPort(r, v, p));
  if (peers === undefined || services === undefined) return undefined;
  const remote: Peer[] = peers.length === 0 ? [{ kind: "any" }] : peers;
  const index = path[path.length - 1] as number;
  return {
    id: `${own.id}#${dir}[${index}]`,
    action: "allow",
    from: dir === "ingress" ? remote : [own.peer],
    to: dir === "ingress" ? [own.peer] : remote,
    services: services satisfies ServicePort[],
    enforce: dir === "ingress" ? "provider" : "consumer",
    source: source(r, path),
  };
}

/** Every item read, or undefined when any failed (each failure is reported). */
function listOf<T>(
  r: Reporter,
  value: unknown,
  path: Path,
  item: (v: unknown, p: Path) => T | undefined,
): T[] | undefined {
  const list = r.list(value ?? null, path, "a list");
  if (list === undefined) return undefined;
  const out = list.map((v, i) => item(v, [...path, i]));
  return out.every((x) => x !== undefined) ? (out as T[]) : undefined;
}

function source(r: Reporter, path: Path) {
  return { file: r.doc.file, path: r.doc.prefix + formatPath(path) };
}
