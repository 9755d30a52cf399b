// Element-only updates. When two RuleSets render to the same table structure (same mode,
// chains, entries and set names) they differ only in set elements, and the update is a list of
// `delete element` then `add element` commands: O(changed elements), independent of set size.
// Deletes come first so a prefix can be replaced by an overlapping one in the same transaction.
// Contract: applying renderDelta(prev, next) on top of renderRuleSet(prev) gives exactly the
// kernel state of renderRuleSet(next) (a privileged test checks it on a real kernel).

import type { RuleSet } from "@microseg/core";
import { toElements } from "./elements.js";
import { DEFAULT_TABLE, kernelSetNames } from "./names.js";
import { isHost, type RenderOptions } from "./render-ruleset.js";
import type { NftCommand, NftDocument } from "./wire.js";

/** undefined when the structure differs: the caller must do a full apply. */
export function renderDelta(
  prev: RuleSet,
  next: RuleSet,
  options: RenderOptions = {},
): NftDocument | undefined {
  if (structureKey(prev) !== structureKey(next)) return undefined;
  const table = options.table ?? DEFAULT_TABLE;
  const deletes: NftCommand[] = [];
  const adds: NftCommand[] = [];
  const emit = (list: NftCommand[], verb: "add" | "delete", name: string, cidrs: string[]) => {
    if (cidrs.length === 0) return;
    const element = { family: "inet", table, name, elem: toElements(cidrs) } as const;
    list.push(verb === "add" ? { add: { element } } : { delete: { element } });
  };
  for (const name of Object.keys(next.sets).sort()) {
    const names = kernelSetNames(name);
    for (const family of ["v4", "v6"] as const) {
      const old = prev.sets[name]?.[family] ?? [];
      const now = next.sets[name]?.[family] ?? [];
      if (sameList(old, now)) continue;
      const net = family === "v4" ? names.v4net : names.v6net;
      const [removed, added] = elementChanges(old, now);
      const [goneHosts, goneNets] = splitHosts(removed);
      const [addedHosts, addedNets] = splitHosts(added);
      emit(deletes, "delete", names[family], goneHosts);
      emit(deletes, "delete", net, goneNets);
      emit(adds, "add", names[family], addedHosts);
      emit(adds, "add", net, addedNets);
    }
  }
  return { nftables: [...deletes, ...adds] };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

function splitHosts(cidrs: readonly string[]): [string[], string[]] {
  const hosts: string[] = [];
  const nets: string[] = [];
  for (const c of cidrs) (isHost(c) ? hosts : nets).push(c);
  return [hosts, nets];
}

/**
 * [removed, added] between two element lists. Both come from the same producer in the same
 * order, so a small change leaves a long common head and tail: only the window between them is
 * compared, first as an edit script of at most MAX_EDITS steps (an element removed near the head
 * and one added near the tail shift everything between them, which defeats head/tail trimming
 * alone), else by hashing. A one-element change in a set of 100,000 costs a few linear scans.
 */
export function elementChanges(
  old: readonly string[],
  now: readonly string[],
): [removed: string[], added: string[]] {
  let head = 0;
  const max = Math.min(old.length, now.length);
  while (head < max && old[head] === now[head]) head++;
  let tail = 0;
  while (tail < max - head && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  const oldMid = old.slice(head, old.length - tail);
  const nowMid = now.slice(head, now.length - tail);
  return (
    fewEdits(oldMid, nowMid, MAX_EDITS) ?? [difference(oldMid, nowMid), difference(nowMid, oldMid)]
  );
}

const MAX_EDITS = 64;

/**
 * Myers' O((N+M)·D) shortest edit script, given up past `limit` edits. Elements are unique
 * within each list (they are set members), so deletions and insertions are exactly the
 * removed and added elements.
 */
export function fewEdits(
  a: readonly string[],
  b: readonly string[],
  limit: number,
): [removed: string[], added: string[]] | undefined {
  const n = a.length;
  const m = b.length;
  const bound = Math.min(limit, n + m);
  const off = bound + 1;
  const v = new Int32Array(2 * bound + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= bound; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[k - 1 + off] ?? 0) < (v[k + 1 + off] ?? 0));
      let x = down ? (v[k + 1 + off] ?? 0) : (v[k - 1 + off] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + off] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, off);
    }
  }
  return undefined;
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: readonly Int32Array[],
  off: number,
): [string[], string[]] {
  const removed: string[] = [];
  const added: string[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[k - 1 + off] ?? 0) < (v[k + 1 + off] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[prevK + off] ?? 0;
    const prevY = prevX - prevK;
    if (down) added.push(b[prevY] as string);
    else removed.push(a[prevX] as string);
    x = prevX;
    y = prevY;
  }
  return [removed.reverse(), added.reverse()];
}

function difference(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  const other = new Set(b);
  return a.filter((cidr) => !other.has(cidr));
}

/** Everything that shapes the table except set contents. */
function structureKey(ruleSet: RuleSet): string {
  return stableJson({
    mode: ruleSet.mode,
    inbound: ruleSet.inbound,
    outbound: ruleSet.outbound,
    sets: Object.keys(ruleSet.sets).sort(),
  });
}

/** JSON with object keys sorted, so key order never makes two equal values differ. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
