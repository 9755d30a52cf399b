// NetworkPolicyPeer -> model Peer.
//   podSelector alone            pods of the policy's own namespace
//   namespaceSelector alone      every pod of the matching namespaces
//   both in ONE peer             pods matching podSelector in the matching namespaces (AND)
//   ipBlock                      addresses: cidr minus except (any address, pods' included)
// The namespace of a pod is matched through its namespace labels; the policy's own namespace is
// `kubernetes.io/metadata.name In [ns]`, the label Kubernetes puts on every namespace.

import type { Peer, Selector } from "../../model.js";
import { canonicalCidr, cidrWithin, parseCidr } from "../addresses.js";
import { NAMESPACE_NAME_LABEL } from "../normalize.js";
import type { Path, Reporter } from "./reporter.js";
import { labelSelector } from "./selector.js";

export function namespaceNamed(ns: string): Selector {
  return { match: [{ key: NAMESPACE_NAME_LABEL, op: "in", values: [ns] }] };
}

export function networkPolicyPeer(
  r: Reporter,
  value: unknown,
  path: Path,
  namespace: string,
): Peer | undefined {
  const obj = r.map(value, path, "`{ podSelector: { matchLabels: { app: web } } }`");
  if (obj === undefined) return undefined;
  r.fields(obj, path, "a peer", ["podSelector", "namespaceSelector", "ipBlock"]);
  const has = (k: string) => obj[k] !== undefined && obj[k] !== null;
  if (has("ipBlock")) {
    if (has("podSelector") || has("namespaceSelector")) {
      r.report(
        [...path, "ipBlock"],
        "MSEG_POLICY_INVALID_VALUE",
        "a peer with `ipBlock` cannot also have `podSelector` or `namespaceSelector`; make them two entries of the list (either one then allows)",
      );
      return undefined;
    }
    return ipBlock(r, obj.ipBlock, [...path, "ipBlock"]);
  }
  if (!has("podSelector") && !has("namespaceSelector")) {
    r.report(
      path,
      "MSEG_POLICY_INVALID_VALUE",
      "a peer needs `podSelector`, `namespaceSelector` or `ipBlock`; write `podSelector: {}` for every pod of this namespace, " +
        "`namespaceSelector: {}` for every pod of every namespace, or leave the whole list out for every address",
    );
    return undefined;
  }
  const pods = has("podSelector")
    ? labelSelector(r, obj.podSelector, [...path, "podSelector"])
    : { match: [] };
  const nss = has("namespaceSelector")
    ? labelSelector(r, obj.namespaceSelector, [...path, "namespaceSelector"])
    : namespaceNamed(namespace);
  if (pods === undefined || nss === undefined) return undefined;
  return { kind: "workloads", selector: pods, namespaceSelector: nss };
}

function ipBlock(r: Reporter, value: unknown, path: Path): Peer | undefined {
  const obj = r.map(value, path, "`{ cidr: 203.0.113.0/24, except: [203.0.113.7/32] }`");
  if (obj === undefined) return undefined;
  r.fields(obj, path, "an ipBlock", ["cidr", "except"]);
  const cidr = cidrText(r, obj.cidr, [...path, "cidr"]);
  const list = r.list(obj.except ?? null, [...path, "except"], "`[203.0.113.7/32]`") ?? [];
  const except: string[] = [];
  list.forEach((e, i) => {
    const p = [...path, "except", i];
    const text = cidrText(r, e, p);
    if (text === undefined || cidr === undefined) return;
    if (!cidrWithin(text, cidr) || canonicalCidr(text) === canonicalCidr(cidr)) {
      r.report(
        p,
        "MSEG_POLICY_INVALID_CIDR",
        `\`${text}\` must lie strictly inside the cidr ${cidr} (Kubernetes rejects it otherwise); remove it or correct it`,
      );
      return;
    }
    except.push(canonicalCidr(text));
  });
  if (cidr === undefined || except.length !== list.length) return undefined;
  return { kind: "cidrs", include: [canonicalCidr(cidr)], except };
}

/** A CIDR with an explicit prefix length, no host bits (as native policy requires). */
function cidrText(r: Reporter, value: unknown, path: Path): string | undefined {
  const text = r.string(value, path, "`203.0.113.0/24`");
  if (text === undefined) return undefined;
  const parsed = parseCidr(text);
  if ("code" in parsed) {
    r.report(path, parsed.code, parsed.message);
    return undefined;
  }
  if (!text.includes("/")) {
    const max = parsed.ip.kind() === "ipv6" ? 128 : 32;
    r.report(
      path,
      "MSEG_POLICY_INVALID_CIDR",
      `\`${text}\` has no prefix length; Kubernetes needs a CIDR: write \`${text}/${max}\``,
    );
    return undefined;
  }
  return text;
}
