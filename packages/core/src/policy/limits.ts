// Limits on what one load of policy (or lab scenario) text may cost. Each is refused with its own
// error code, before the work it guards is done: a file's bytes before parsing, its documents and
// nesting while the YAML is tokenized, its expanded size before aliases are expanded, and the
// policy's rules and their ports before they are normalized. The controller names them; tests may lower them.

import type { ErrorCode } from "../errors.js";

export const POLICY_LIMITS = {
  /** UTF-8 bytes of one file. MSEG_YAML_TOO_LARGE (HTTP 413). */
  maxFileBytes: 1_048_576,
  /** YAML documents (separated by `---`) in one file. MSEG_YAML_TOO_MANY_DOCUMENTS. */
  maxDocumentsPerFile: 1_000,
  /**
   * Nesting of maps and lists. Policy needs about ten levels; the limit keeps every recursive
   * step (composing, toJS, validation) far from the stack's end. MSEG_YAML_TOO_DEEP.
   */
  maxDepth: 64,
  /**
   * YAML nodes of one file once every alias (`*name`) counts as the node it names: 2,000 rules
   * under one anchor aliased by 499 scopes are a 166 KB file but 1,000,000 rules.
   * MSEG_YAML_TOO_MANY_NODES.
   */
  maxYamlNodes: 200_000,
  /**
   * Rules of the whole policy (all files): top-level rules, every rule of every scope, and one per
   * Kubernetes ingress/egress rule. MSEG_POLICY_TOO_MANY_RULES.
   */
  maxRules: 10_000,
  /**
   * Ports of all rules once each named service counts with all its ports (a range is one): 2,000
   * rules naming a service of 5,000 ports are a 136 KB file but 10,000,000 rule ports.
   * MSEG_POLICY_TOO_MANY_PORTS.
   */
  maxRulePorts: 200_000,
} as const;

/** The codes of POLICY_LIMITS' refusals: an input over a limit, not an invalid one. */
export const POLICY_LIMIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "MSEG_YAML_TOO_LARGE",
  "MSEG_YAML_TOO_MANY_DOCUMENTS",
  "MSEG_YAML_TOO_DEEP",
  "MSEG_YAML_TOO_MANY_NODES",
  "MSEG_POLICY_TOO_MANY_RULES",
  "MSEG_POLICY_TOO_MANY_PORTS",
]);

export type PolicyLimits = { readonly [K in keyof typeof POLICY_LIMITS]: number };

/** `1,048,576` */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
