// What someone holding the database but not the audit key can do to the log: delete, edit, swap
// and insert rows, and recompute hashes with the public algorithm (plain SHA-256, as unkeyed
// chains use) or with a key of their own. Written once over the harness's raw rows.

import type { AuditEntry } from "../records.js";
import { entryHash, GENESIS } from "../shared/audit-chain.js";
import type { StoreHarness } from "../testing.js";

type Row = AuditEntry;
type Patch = Partial<Pick<Row, "actor" | "action" | "target" | "after">>;

/** undefined: plain SHA-256 (the unkeyed chain); else HMAC with a key the attacker made up. */
export type ForgeryKey = Uint8Array | undefined;
export const ATTACKER_KEY: Uint8Array = new Uint8Array(32).fill(9);

export async function deleteEntry(h: StoreHarness, seq: number): Promise<void> {
  const rows = await h.tamper.rows();
  await h.tamper.replaceRows(rows.filter((e) => e.seq !== seq));
}

/** Changes fields of the stored entry, leaving its hash as it was. */
export async function editEntry(h: StoreHarness, seq: number, patch: Patch): Promise<void> {
  const rows = await h.tamper.rows();
  await h.tamper.replaceRows(rows.map((e) => (e.seq === seq ? { ...e, ...patch } : e)));
}

/** Exchanges the positions (seq) of two entries. */
export async function swapEntries(h: StoreHarness, a: number, b: number): Promise<void> {
  const rows = await h.tamper.rows();
  const at = (s: number) => rows.find((e) => e.seq === s) as Row;
  const [ea, eb] = [at(a), at(b)];
  await h.tamper.replaceRows(
    rows.map((e) => (e.seq === a ? { ...eb, seq: a } : e.seq === b ? { ...ea, seq: b } : e)),
  );
}

/**
 * Rewrites the rows with `change`, renumbers them 1..n and recomputes the hashes of entries
 * `from`..`to` (and the links into them) with `key`.
 */
export async function rewrite(
  h: StoreHarness,
  change: (rows: Row[]) => Row[],
  key: ForgeryKey,
  from = 1,
  to = Number.MAX_SAFE_INTEGER,
): Promise<void> {
  const rows = change(await h.tamper.rows()).map((e, i) => ({ ...e, seq: i + 1 }));
  await h.tamper.replaceRows(reseal(rows, from, to, key));
}

/** A new entry in the shape the store writes. */
export function forged(patch: Patch & { at?: string } = {}): Row {
  return {
    seq: 0,
    at: patch.at ?? "2026-01-01T01:00:00.000Z",
    actor: "mallory",
    action: "token.create",
    target: "token/backdoor",
    before: null,
    after: { name: "backdoor", role: "admin" },
    prevHash: "",
    hash: "",
    ...patch,
  };
}

function reseal(rows: Row[], from: number, to: number, key: ForgeryKey): Row[] {
  const out: Row[] = [];
  for (const e of rows) {
    const prev = out[out.length - 1];
    if (e.seq < from || e.seq > to) {
      out.push(e);
      continue;
    }
    const prevHash = prev?.hash ?? GENESIS;
    out.push({ ...e, prevHash, hash: entryHash({ ...e, prevHash }, key) });
  }
  return out;
}
