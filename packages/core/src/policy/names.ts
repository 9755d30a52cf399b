// Names of IP lists, services, rules, scopes, namespaces: DNS-label style, so a name can never be
// mistaken for an address or a `proto/port`. Workload names are DNS names (labels joined by dots,
// so a host's name can be its workload's), never all digits (so never an IPv4 address). These are
// the only definitions: the policy language and every API route check names with them.

import { escapeControls } from "../text.js";
import { type Problem, problem } from "./problem.js";

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PORT_NAME = /^[a-z][a-z0-9-]{0,14}$/;

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
    `${kind} name \`${escapeControls(name)}\` is not valid: use up to 63 lowercase letters, digits ` +
      `and \`-\`, starting and ending with a letter or digit${hint}`,
  );
}

/**
 * A workload name: a lower-case DNS name (RFC 1123) of up to 253 characters, dot-separated parts
 * of 1-63 letters, digits and `-` starting and ending with a letter or digit, not every part
 * digits (`10.0.0.1` is an address, not a name).
 */
export function checkWorkloadName(name: string): Problem | undefined {
  const parts = name.split(".");
  const ok =
    name.length <= 253 &&
    parts.every((p) => DNS_LABEL.test(p)) &&
    !parts.every((p) => /^[0-9]+$/.test(p));
  if (ok) return undefined;
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/-*\.+-*/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 253);
  const hint =
    fixed === "" || fixed === name || checkWorkloadName(fixed) ? "" : `, e.g. \`${fixed}\``;
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `workload name \`${escapeControls(name)}\` is not valid: use a lower-case DNS name of up to ` +
      "253 characters: parts of 1-63 letters, digits and `-` joined by `.`, each starting and " +
      `ending with a letter or digit, not all digits${hint}`,
  );
}

/** A named port (a container port name): up to 15 lowercase letters, digits and `-`. */
export function checkPortName(name: string): Problem | undefined {
  if (PORT_NAME.test(name)) return undefined;
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `named port \`${escapeControls(name)}\` is not valid: up to 15 lowercase letters, digits and ` +
      "`-`, starting with a letter",
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
