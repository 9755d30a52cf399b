// Policy text as the controller keeps it: one YAML text (native documents and Kubernetes
// NetworkPolicies, separated by `---`), validated with core's loadPolicy. The store keeps the
// text and, as `parsed`, the normalized model (parsedVersion 1):
//
//   { policy, workloads, compiled?: { ms, ruleSets, entries } }
//
// `compiled` is written by a policy worker (compile-worker/check.ts) when the draft compiled
// within the controller's budgets; a draft saved without it (by an older controller) is checked
// again in a worker before it is provisioned. A revision in another parsed version is read again
// from its text.
import {
  type Diagnostic,
  loadPolicy,
  type Policy,
  type PolicyTest,
  type Workload,
} from "@microseg/core";
import type { Json, Revision } from "@microseg/store";
import type { DraftSource } from "../compile-worker/inventory.js";
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
export function parsedJson(
  p: { policy: Policy; workloads: readonly Workload[] },
  compiled?: CompiledFacts,
): Json {
  const { policy, workloads } = p;
  return JSON.parse(JSON.stringify({ policy, workloads, compiled })) as Json;
}

/** What compiling a draft cost in a policy worker, kept with the draft. */
export interface CompiledFacts {
  readonly ms: number;
  readonly ruleSets: number;
  readonly entries: number;
}

interface StoredParsed {
  readonly policy: Policy;
  readonly workloads: Workload[];
  readonly compiled?: CompiledFacts;
}

/** The stored model of a draft or revision; undefined when written in another parsed version. */
export function storedModel(d: Pick<Revision, "parsed" | "parsedVersion">) {
  return d.parsedVersion === PARSED_VERSION ? (d.parsed as unknown as StoredParsed) : undefined;
}

/** A stored draft as a policy job takes it: its model, or its text when stored in another format. */
export function draftSource(d: Pick<Revision, "text" | "parsed" | "parsedVersion">): DraftSource {
  const model = storedModel(d);
  return model === undefined
    ? { text: d.text }
    : { model: { policy: model.policy, workloads: model.workloads } };
}

/**
 * A stored revision as the hub compiles it: its `parsed` model when written in this format (a
 * `tests:` entry naming a since-deleted workload must not stop the controller from starting),
 * else the text read again.
 */
export function hubRevision(revision: Revision): HubRevision {
  const model = storedModel(revision);
  if (model !== undefined) {
    return { number: revision.number, policy: model.policy, declared: model.workloads };
  }
  const parsed = parsePolicyText(revision.text);
  if (!parsed.ok) {
    const first = parsed.diagnostics[0];
    throw new Error(`revision ${revision.number} no longer parses: ${first?.message ?? "?"}`);
  }
  return { number: revision.number, policy: parsed.policy, declared: parsed.workloads };
}
