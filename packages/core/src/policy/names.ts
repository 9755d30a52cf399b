// Names of workloads, IP lists, services, rules, scopes, namespaces: DNS-label style, so a name can
// never be mistaken for an address or a `proto/port`.

import { type Problem, problem } from "./problem.js";

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Service names a rule's `services:` reads as ports instead. */
export const RESERVED_SERVICE_NAMES: ReadonlySet<string> = new Set([
  "any",
  "icmp",
  "icmpv6",
  "tcp",
  "udp",
  "sctp",
]);

export function checkName(kind: string, name: string): Problem | undefined {
  if (name.length <= 63 && NAME.test(name)) return undefined;
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  const hint = fixed === "" ? "" : `, e.g. \`${fixed}\``;
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `${kind} name \`${name}\` is not valid: use up to 63 lowercase letters, digits and \`-\`, ` +
      `starting and ending with a letter or digit${hint}`,
  );
}

export function checkServiceName(name: string): Problem | undefined {
  if (!RESERVED_SERVICE_NAMES.has(name)) return checkName("service", name);
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `\`${name}\` is reserved for ports (as in \`services: [${name === "any" || name.startsWith("icmp") ? name : `${name}/80`}]\`); ` +
      `give the service another name, e.g. \`${name}-svc\``,
  );
}
