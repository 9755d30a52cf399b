// Draft against active, run in a policy worker: which rules changed (by id) and, on today's
// inventory, which workloads' RuleSets change and how (entries only one side has). Both sides are
// compiled here from scratch: the active side equals the hub's incremental state (the compiler's
// contract), and nothing of the draft is compiled on the thread that serves the API. Entries are
// described as one line each so a reviewer (or the CLI) can print them as they are.
import {
  type AddressSet,
  compile,
  EMPTY_POLICY,
  type Policy,
  type Rule,
  type RuleEntry,
  type RuleSet,
} from "@microseg/core";
import { parsePolicyText } from "../use-cases/policy-text.js";
import {
  type DraftSource,
  type InventoryInput,
  inventoryWith,
  type PolicyModel,
} from "./inventory.js";

type ChangeKind = "added" | "removed" | "changed";

export interface DiffInput extends InventoryInput {
  readonly draft: DraftSource;
  /** The active revision's model; null before the first provision. */
  readonly active: PolicyModel | null;
}

export function diffPolicies(input: DiffInput) {
  const draft = draftModel(input);
  const after = compile(draft.policy, inventoryWith(input, draft.workloads));
  const before =
    input.active === null
      ? new Map<string, RuleSet>()
      : compile(input.active.policy, inventoryWith(input, input.active.workloads));
  return {
    rules: diffRules(input.active?.policy.rules ?? [], draft.policy),
    workloads: diffRuleSets(before, after),
  };
}

/** A draft saved by an older controller is read from its text; if that no longer loads, as empty. */
function draftModel(input: DiffInput): PolicyModel {
  if ("model" in input.draft) return input.draft.model;
  const parsed = parsePolicyText(input.draft.text, input.stored);
  return parsed.ok ? parsed : { policy: EMPTY_POLICY, workloads: [] };
}

function diffRules(before: readonly Rule[], after: Policy) {
  const old = new Map(before.map((r) => [r.id, JSON.stringify(r)]));
  const now = new Map(after.rules.map((r) => [r.id, JSON.stringify(r)]));
  const out: { id: string; change: ChangeKind }[] = [];
  for (const [id, text] of now) {
    if (!old.has(id)) out.push({ id, change: "added" });
    else if (old.get(id) !== text) out.push({ id, change: "changed" });
  }
  for (const id of old.keys()) if (!now.has(id)) out.push({ id, change: "removed" });
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function diffRuleSets(before: ReadonlyMap<string, RuleSet>, after: ReadonlyMap<string, RuleSet>) {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out = [];
  for (const name of names) {
    const b = before.get(name);
    const a = after.get(name);
    if (b?.hash === a?.hash) continue;
    const bl = new Set(b === undefined ? [] : describe(b));
    const al = new Set(a === undefined ? [] : describe(a));
    out.push({
      workload: name,
      change: (b === undefined ? "added" : a === undefined ? "removed" : "changed") as ChangeKind,
      before: b?.hash ?? null,
      after: a?.hash ?? null,
      added: [...al].filter((l) => !bl.has(l)),
      removed: [...bl].filter((l) => !al.has(l)),
    });
  }
  return out;
}

/** One line per entry and per chain default, plus the mode. */
function describe(rs: RuleSet): string[] {
  const lines = [`mode ${rs.mode}`];
  for (const dir of ["inbound", "outbound"] as const) {
    const chain = rs[dir];
    lines.push(`${dir} default ${chain.default}`);
    for (const e of chain.entries) lines.push(`${dir} ${entryText(e, rs.sets)}`);
  }
  return lines;
}

function entryText(e: RuleEntry, sets: RuleSet["sets"]): string {
  const peer = "any" in e.peer ? "any" : addresses(sets[e.peer.set]);
  const ports = e.ports.length === 0 ? "any" : e.ports.map(portText).join(",");
  return `${e.action} ${e.ruleId} peer=${peer} ports=${ports}`;
}

function addresses(set: AddressSet | undefined): string {
  return set === undefined ? "?" : [...set.v4, ...set.v6].join(",") || "none";
}

function portText(p: RuleEntry["ports"][number]): string {
  if (p.proto === "any") return "any";
  if (!("ranges" in p)) {
    return p.types === undefined ? p.proto : `${p.proto}/${p.types.join("+")}`;
  }
  return p.ranges.map(([a, b]) => (a === b ? `${p.proto}/${a}` : `${p.proto}/${a}-${b}`)).join(",");
}
