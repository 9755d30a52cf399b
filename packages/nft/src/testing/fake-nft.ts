// A fake twin of `nft` for unit tests: an in-memory table store that accepts the JSON documents
// the driver sends (`-j -f -`) and lists them back (`-j [-t] list table inet <name>`) in nft's
// shape (handles, counters with values). Documents are atomic like the kernel's transactions:
// an error leaves the state untouched. It understands only what microseg uses.

import type { NftExec, NftExecResult } from "../driver/exec.js";

type Json = Record<string, unknown>;

interface FakeTable {
  chains: Json[];
  sets: Map<string, { decl: Json; elems: Map<string, unknown> }>;
  rules: Json[];
}

export interface FakeNft {
  readonly exec: NftExec;
  /** Every document sent with `-f`, as parsed JSON, in order. */
  readonly documents: Json[];
  /** Table names present (family inet). */
  tables(): string[];
}

export function createFakeNft(): FakeNft {
  let state = new Map<string, FakeTable>();
  let handle = 1;
  const documents: Json[] = [];
  const exec: NftExec = async (args, stdin) => {
    const list = args.indexOf("list");
    if (list >= 0 && args[list + 1] === "ruleset") return listRuleset(state, args.includes("-t"));
    if (list >= 0) {
      const name = String(args[list + 3]);
      const table = state.get(name);
      if (!table) return { code: 1, stdout: "", stderr: "Error: No such file or directory\n" };
      return listed(tableItems(name, table, args.includes("-t")));
    }
    if (args.includes("-f")) {
      const doc = JSON.parse(stdin ?? "{}") as { nftables?: Json[] };
      documents.push(doc as Json);
      const next = cloneState(state);
      try {
        for (const command of doc.nftables ?? []) handle = applyCommand(next, command, handle);
      } catch (e) {
        return { code: 1, stdout: "", stderr: `Error: ${(e as Error).message}\n` };
      }
      state = next;
      return { code: 0, stdout: "", stderr: "" };
    }
    return { code: 1, stdout: "", stderr: `fake nft: unsupported arguments ${args.join(" ")}` };
  };
  return { exec, documents, tables: () => [...state.keys()] };
}

function cloneState(state: Map<string, FakeTable>): Map<string, FakeTable> {
  const out = new Map<string, FakeTable>();
  for (const [name, t] of state) {
    const sets = new Map(
      [...t.sets].map(([k, s]) => [k, { decl: s.decl, elems: new Map(s.elems) }]),
    );
    out.set(name, { chains: [...t.chains], sets, rules: [...t.rules] });
  }
  return out;
}

function applyCommand(state: Map<string, FakeTable>, command: Json, handle: number): number {
  const [verb, body] = Object.entries(command)[0] ?? [];
  const [kind, obj] = Object.entries((body ?? {}) as Json)[0] ?? [];
  const o = (obj ?? {}) as Json;
  const tableName = String(kind === "table" ? o.name : o.table);
  const table = state.get(tableName);
  const need = (): FakeTable => {
    if (!table) throw new Error(`Could not process rule: No such file or directory (${tableName})`);
    return table;
  };
  const key = `${verb} ${kind}`;
  if (key === "add table") {
    if (!table) state.set(tableName, { chains: [], sets: new Map(), rules: [] });
  } else if (key === "delete table") {
    need();
    state.delete(tableName);
  } else if (key === "flush table") {
    need().rules = [];
  } else if (key === "add chain") {
    need().chains.push({ ...o, handle });
  } else if (key === "add set") {
    need().sets.set(String(o.name), { decl: { ...o, handle }, elems: new Map() });
  } else if (key === "add rule") {
    need().rules.push({ ...o, handle, expr: withCounterValues(o.expr) });
  } else if (key === "delete rule") {
    const t = need();
    const before = t.rules.length;
    t.rules = t.rules.filter((r) => r.handle !== o.handle);
    if (t.rules.length === before)
      throw new Error("Could not process rule: No such file or directory");
  } else if (key === "add element" || key === "delete element") {
    editElements(need(), o, verb === "add");
  } else {
    throw new Error(`fake nft does not support "${key}"`);
  }
  return handle + 1;
}

function editElements(table: FakeTable, o: Json, add: boolean): void {
  const set = table.sets.get(String(o.name));
  if (!set) throw new Error(`Could not process rule: No such file or directory (set ${o.name})`);
  for (const elem of o.elem as unknown[]) {
    const k = JSON.stringify(elem);
    if (add) set.elems.set(k, elem);
    else if (!set.elems.delete(k))
      throw new Error("Could not process rule: No such file or directory");
  }
}

function withCounterValues(expr: unknown): unknown {
  return (expr as Json[]).map((e) => ("counter" in e ? { counter: { packets: 0, bytes: 0 } } : e));
}

function listRuleset(state: ReadonlyMap<string, FakeTable>, terse: boolean): NftExecResult {
  return listed([...state.entries()].flatMap(([name, table]) => tableItems(name, table, terse)));
}

function tableItems(name: string, table: FakeTable, terse: boolean): Json[] {
  const sets = [...table.sets.values()].map((s) =>
    terse || s.elems.size === 0
      ? { set: s.decl }
      : { set: { ...s.decl, elem: [...s.elems.values()] } },
  );
  return [
    { table: { family: "inet", name, handle: 0 } },
    ...sets,
    ...table.chains.map((chain) => ({ chain })),
    ...table.rules.map((rule) => ({ rule })),
  ];
}

function listed(items: Json[]): NftExecResult {
  const nftables = [{ metainfo: { json_schema_version: 1 } }, ...items];
  return { code: 0, stdout: JSON.stringify({ nftables }), stderr: "" };
}
