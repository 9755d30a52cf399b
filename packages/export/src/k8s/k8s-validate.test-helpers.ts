// What the API server would refuse in an exported NetworkPolicy: the published schema
// (kubernetes-models' validate(), generated from the Kubernetes OpenAPI document) and the
// server-side checks the schema does not carry (apimachinery's label and selector rules,
// networking's port and ipBlock rules). Returns one line per problem; [] is valid.

import { NetworkPolicy as Model } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { isEmpty, subtract, toRanges } from "../cidr.js";
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer } from "./k8s-types.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

export function networkPolicyProblems(np: NetworkPolicy): string[] {
  const out: string[] = [];
  try {
    new Model(np as never).validate();
  } catch (err) {
    out.push(`schema: ${(err as Error).message}`);
  }
  const { name, namespace, labels = {} } = np.metadata;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) out.push(`metadata.name ${name}`);
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) out.push(`namespace ${namespace}`);
  for (const [k, v] of Object.entries(labels)) {
    if (!labelKey(k)) out.push(`label key ${k}`);
    if (v !== "" && (v.length > 63 || !NAME_PART.test(v))) out.push(`label value ${v}`);
  }
  out.push(...selectorProblems("spec.podSelector", np.spec.podSelector));
  const rules = [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])];
  rules.forEach((r, i) => {
    for (const [j, p] of (r.from ?? r.to ?? []).entries()) {
      out.push(...peerProblems(`rule ${i} peer ${j}`, p));
    }
    for (const p of r.ports ?? []) {
      if (typeof p.port === "number" && (p.port < 1 || p.port > 65535)) out.push(`port ${p.port}`);
      if (typeof p.port === "string" && !/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(p.port)) {
        out.push(`named port ${p.port}`);
      }
      if (p.endPort !== undefined && (typeof p.port !== "number" || p.endPort < p.port)) {
        out.push(`endPort ${p.endPort} with port ${p.port}`);
      }
    }
  });
  return out;
}

function peerProblems(where: string, p: NetworkPolicyPeer): string[] {
  const out: string[] = [];
  if (p.ipBlock !== undefined && (p.podSelector !== undefined || p.namespaceSelector)) {
    out.push(`${where}: ipBlock beside a selector`);
  }
  if (p.ipBlock !== undefined && typeof p.ipBlock.cidr === "string") {
    const whole = toRanges([p.ipBlock.cidr]);
    for (const e of p.ipBlock.except ?? []) {
      if (!isEmpty(subtract(toRanges([e]), whole))) out.push(`${where}: except ${e} outside`);
    }
  }
  if (p.podSelector) out.push(...selectorProblems(`${where} podSelector`, p.podSelector));
  if (p.namespaceSelector) {
    out.push(...selectorProblems(`${where} namespaceSelector`, p.namespaceSelector));
  }
  return out;
}

function selectorProblems(where: string, s: LabelSelector): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
    if (!labelKey(k) || (v !== "" && !NAME_PART.test(v))) out.push(`${where}: ${k}=${v}`);
  }
  for (const e of s.matchExpressions ?? []) {
    if (!labelKey(e.key) || !OPERATORS.includes(e.operator)) out.push(`${where}: ${e.key}`);
    const needsValues = e.operator === "In" || e.operator === "NotIn";
    if (needsValues !== (e.values !== undefined && e.values.length > 0)) {
      out.push(`${where}: ${e.key} ${e.operator} with values ${JSON.stringify(e.values)}`);
    }
  }
  return out;
}

/** `[prefix/]name`: prefix a DNS subdomain (≤253), name ≤63 of NAME_PART. */
function labelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}
