// Policy text as the controller keeps it: one YAML text (native documents and Kubernetes
// NetworkPolicies, separated by `---`), validated with core's loadPolicy. The store keeps the
// text and, as `parsed`, the normalized model (parsedVersion 1); a revision in another parsed
// version is read again from its text.
import {
  type Diagnostic,
  loadPolicy,
  type Policy,
  type PolicyTest,
  type Workload,
} from "@microseg/core";
import type { Json, Revision } from "@microseg/store";
import type { HubRevision } from "../hub/policy-hub.js";

export const POLICY_FILE = "policy.yaml";
export const PARSED_VERSION = 1;

export type ParsedPolicy =
  | {
      readonly ok: true;
      readonly policy: Policy;
      readonly workloads: readonly Workload[];
      readonly tests: readonly PolicyTest[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function parsePolicyText(text: string, inventory: readonly Workload[] = []): ParsedPolicy {
  const loaded = loadPolicy([{ file: POLICY_FILE, text }], { inventory });
  if (loaded.diagnostics.length > 0) return { ok: false, diagnostics: loaded.diagnostics };
  return { ok: true, policy: loaded.policy, workloads: loaded.workloads, tests: loaded.tests };
}

/** The JSON kept as a draft's or revision's `parsed`. */
export function parsedJson(p: { policy: Policy; workloads: readonly Workload[] }): Json {
  return JSON.parse(JSON.stringify({ policy: p.policy, workloads: p.workloads })) as Json;
}

/**
 * A stored revision as the hub compiles it: its `parsed` model when written in this format (a
 * `tests:` entry naming a since-deleted workload must not stop the controller from starting),
 * else the text read again.
 */
export function hubRevision(revision: Revision): HubRevision {
  if (revision.parsedVersion === PARSED_VERSION) {
    const parsed = revision.parsed as unknown as { policy: Policy; workloads: Workload[] };
    return { number: revision.number, policy: parsed.policy, declared: parsed.workloads };
  }
  const parsed = parsePolicyText(revision.text);
  if (!parsed.ok) {
    const first = parsed.diagnostics[0];
    throw new Error(`revision ${revision.number} no longer parses: ${first?.message ?? "?"}`);
  }
  return { number: revision.number, policy: parsed.policy, declared: parsed.workloads };
}
