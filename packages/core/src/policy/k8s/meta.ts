// ObjectMeta of a NetworkPolicy: a name, a namespace (default `default`, as kubectl applies an
// object without one to the current namespace, which is `default` unless configured), and the
// bookkeeping fields an exported object carries, which are accepted and ignored.

import type { Reporter } from "./reporter.js";

export interface Meta {
  readonly name: string;
  readonly namespace: string;
}

export const DEFAULT_NAMESPACE = "default";

const IGNORED = [
  "labels",
  "annotations",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generateName",
  "finalizers",
  "ownerReferences",
  "managedFields",
  "selfLink",
];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function objectMeta(r: Reporter, value: unknown): Meta | undefined {
  const obj = r.map(value, ["metadata"], "`{ name: allow-web, namespace: shop }`");
  if (obj === undefined) return undefined;
  r.fields(
    obj,
    ["metadata"],
    "metadata",
    ["name", "namespace", ...IGNORED],
    ["name", "namespace", "labels", "annotations", "and the fields the API server adds"],
  );
  const name = r.string(obj.name, ["metadata", "name"], "`allow-web`");
  const nsValue = obj.namespace ?? DEFAULT_NAMESPACE;
  const namespace = r.string(nsValue, ["metadata", "namespace"], "`shop`");
  let ok = name !== undefined && namespace !== undefined;
  if (name !== undefined && !(name.length <= 253 && DNS_SUBDOMAIN.test(name))) {
    ok = false;
    r.report(
      ["metadata", "name"],
      "MSEG_POLICY_INVALID_NAME",
      `name \`${name}\` is not valid for Kubernetes: up to 253 lowercase letters, digits, \`-\` and \`.\`, starting and ending with a letter or digit`,
    );
  }
  if (namespace !== undefined && !(namespace.length <= 63 && DNS_LABEL.test(namespace))) {
    ok = false;
    r.report(
      ["metadata", "namespace"],
      "MSEG_POLICY_INVALID_NAME",
      `namespace \`${namespace}\` is not valid for Kubernetes: up to 63 lowercase letters, digits and \`-\`, starting and ending with a letter or digit`,
    );
  }
  return ok ? { name: name as string, namespace: namespace as string } : undefined;
}
