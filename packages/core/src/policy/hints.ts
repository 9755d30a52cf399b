// What each field expects, in words with an example; used for missing-field and wrong-type messages.

import type { PathSegment } from "./yaml-lines.js";

const SELECTOR = "a label selector such as `{ app: shop, env: prod }`";

const FIELDS: Record<string, string> = {
  apiVersion: "`microseg/v1`",
  name: "a name such as `web-1` (lowercase letters, digits and `-`)",
  description: "a string",
  labels: "a map of labels such as `{ app: shop, env: prod }`",
  addresses: "a list of IP addresses such as `[198.18.1.10, 2001:db8::10]`",
  mode: "`learn`, `test` or `enforce`",
  managed: "`true` or `false`",
  namedPorts: "a map such as `{ http: tcp/8080 }`",
  cidrs: "a list of CIDRs such as `[203.0.113.0/24, 2001:db8::/32]`",
  except: "a list of CIDRs inside `cidrs`, such as `[203.0.113.7/32]`",
  ports: "a list of ports such as `[tcp/80, tcp/8000-8080, udp/53, icmp]`",
  action: "`allow`, `deny` or `override-deny`",
  services: "a list of service names or ports such as `[postgres, tcp/9000]`",
  match: SELECTOR,
  select: SELECTOR,
  pods: SELECTOR,
  rules: "a list of rules, each starting with `- ` and holding `from`, `to` and `services`",
  directions: "a list such as `[inbound, outbound]`",
  port: "one port such as `tcp/5432`, `udp/53` or `icmp`",
  expect: "`allow` or `deny`",
  ipList: "the name of an IP list defined under `ipLists:`",
  in: "a list of label values such as `[prod, staging]`",
  notIn: "a list of label values such as `[dev]`",
  exists: "`true` or `false`",
  namespaces: "a list of namespaces, each with a `name` and `labels`",
  workloads: "a list of workloads, each starting with `- name: …`",
  ipLists: "a list of IP lists, each starting with `- name: …`",
  scopes: "a list of scopes, each with a `name`, `match` and `rules`",
  isolation: "a list of entries with `select` and `directions`",
  tests: "a list of tests such as `- { from: web-1, to: db-1, port: tcp/5432, expect: allow }`",
};

const ITEMS: Record<string, string> = {
  addresses: "an IP address such as `198.18.1.10`",
  cidrs: "a CIDR such as `203.0.113.0/24`",
  except: "a CIDR such as `203.0.113.7/32`",
  ports: "a port written proto/port, such as `tcp/5432`",
  services: "a service name or a port written proto/port, such as `tcp/5432`",
  directions: "`inbound` or `outbound`",
  in: "a label value (a string)",
  notIn: "a label value (a string)",
  namespaces: "a map with `name` and `labels`",
  workloads: "a map with `name`, `labels` and `addresses`",
  ipLists: "a map with `name` and `cidrs`",
  services_def: "a map with `name` and `ports`",
  rules: "a map with `from`, `to` and `services`",
  scopes: "a map with `name`, `match` and `rules`",
  isolation: "a map with `select` and `directions`",
  tests: "a map with `from`, `to`, `port` and `expect`",
};

export interface FieldHint {
  /** How the message names the field: "`from`" or "each entry of `cidrs`". */
  readonly label: string;
  /** What it expects, with an example, when known. */
  readonly expects?: string;
}

export function hintFor(path: readonly PathSegment[]): FieldHint {
  const last = path[path.length - 1];
  if (last === undefined)
    return { label: "the document", expects: "a map of sections such as `rules:` and `services:`" };
  if (typeof last === "number") {
    const list = String(path[path.length - 2] ?? "list");
    const key = list === "services" && path.length === 2 ? "services_def" : list;
    return { label: `each entry of \`${list}\``, expects: own(ITEMS, key) };
  }
  if (last === "namespace") {
    return {
      label: "`namespace`",
      expects: path[0] === "workloads" ? "a namespace name such as `shop`" : SELECTOR,
    };
  }
  return { label: `\`${last}\``, expects: own(FIELDS, last) };
}

/** Paths end in user-chosen keys (a label named `constructor`): never read Object.prototype. */
function own(table: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
