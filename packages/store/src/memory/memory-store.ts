// The memory adapter: the engine over undo-logged maps. For tests, the benchmark baseline and
// short-lived tools; nothing survives close(). Records are frozen copies so a caller cannot
// change stored state by mutating what it got back.

import { createStore } from "../engine/create-store.js";
import { type Backend, type EngineContext, SCHEMA_VERSION, type Tables } from "../engine/tables.js";
import type {
  AlertFilter,
  AlertRecord,
  AlertSeverity,
  EdgeDelta,
  Quarantine,
} from "../flow-records.js";
import type { Lease, SharedSecret, StateChange, Store } from "../port.js";
import type {
  AgentRecord,
  ApiToken,
  AuditEntry,
  Draft,
  EnrolmentProfile,
  Revision,
  WorkloadRecord,
} from "../records.js";
import { KEYED_ACTION, KEYED_TARGET } from "../shared/audit-chain.js";
import { SerialQueue } from "../shared/serial.js";
import { type EdgeRow, mergeEdgeRows, queryEdgeRows } from "./memory-edges.js";
import { type UndoLog, UndoMap } from "./undo-map.js";

export interface MemoryStoreOptions {
  readonly clock?: () => Date;
  /** Seals audit entries (HMAC-SHA256); see shared/audit-chain.ts. */
  readonly auditKey?: Uint8Array;
  /** Test hook: called at named steps inside a unit of work; throwing aborts the unit. */
  readonly failpoint?: (step: string) => void;
}

export function openMemoryStore(options: MemoryStoreOptions = {}): Store {
  return createStore(memoryBackend(), engineContext(options));
}

export function engineContext(options: MemoryStoreOptions): EngineContext {
  return {
    clock: options.clock ?? (() => new Date()),
    ...(options.failpoint && { failpoint: options.failpoint }),
    ...(options.auditKey && { auditKey: options.auditKey }),
  };
}

/**
 * Deep copy + freeze: what goes in or comes out is never shared with the caller. Records are
 * plain JSON (as in every other adapter), and a JSON round trip is faster than structuredClone.
 */
function iso<T>(value: T): T {
  return deepFreeze(JSON.parse(JSON.stringify(value)) as T);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface MemoryState {
  readonly workloads: UndoMap<string, WorkloadRecord>;
  /** Canonical address -> names of the workloads holding it (Tables.workloadsAt). */
  readonly holders: UndoMap<string, readonly string[]>;
  readonly drafts: UndoMap<string, Draft>;
  readonly revisions: UndoMap<number, Revision>;
  /**
   * active: the active revision; lastRevision, lastSeq: the highest revision number and seq;
   * keyedSeq: the audit.keyed entry.
   */
  readonly meta: UndoMap<"active" | "lastRevision" | "lastSeq" | "keyedSeq" | "lastChange", number>;
  readonly profiles: UndoMap<string, EnrolmentProfile>;
  readonly agents: UndoMap<string, AgentRecord>;
  readonly tokens: UndoMap<string, ApiToken>;
  readonly audit: UndoMap<number, AuditEntry>;
  readonly flowSeqs: UndoMap<string, number>;
  /** Edge rows by bucket + ends + port + verdict (see memory-edges.ts). */
  readonly edges: UndoMap<string, EdgeRow>;
  readonly alerts: UndoMap<string, AlertRecord>;
  readonly quarantines: UndoMap<string, Quarantine>;
  readonly changes: UndoMap<number, StateChange>;
  readonly leases: UndoMap<string, Lease>;
  readonly secrets: UndoMap<string, SharedSecret>;
}

/** Exported for tests that need to reach under the port (tampering with the audit log). */
export function memoryBackend(): Backend & { state: MemoryState; reindexAudit(): void } {
  let log: UndoLog | undefined;
  const map = <K, V>() => new UndoMap<K, V>(() => log);
  const state: MemoryState = {
    workloads: map(),
    holders: map(),
    drafts: map(),
    revisions: map(),
    meta: map(),
    profiles: map(),
    agents: map(),
    tokens: map(),
    audit: map(),
    flowSeqs: map(),
    edges: map(),
    alerts: map(),
    quarantines: map(),
    changes: map(),
    leases: map(),
    secrets: map(),
  };
  const tables = memoryTables(state);
  const queue = new SerialQueue();
  return {
    name: "memory",
    state,
    // Units queue (SerialQueue) so that one unit's undo log never holds another's writes.
    run(fn) {
      return queue.run(async () => {
        const undo: UndoLog = [];
        log = undo;
        try {
          return await fn(tables);
        } catch (err) {
          for (const u of undo.reverse()) u();
          throw err;
        } finally {
          log = undefined;
        }
      });
    },
    schemaVersion: () => SCHEMA_VERSION,
    close() {},
    /** After a test rewrote state.audit directly: recomputes lastSeq and keyedSeq. */
    reindexAudit() {
      const entries = state.audit.values().sort((a, b) => a.seq - b.seq);
      state.meta.set("lastSeq", entries[entries.length - 1]?.seq ?? 0);
      state.meta.delete("keyedSeq");
      const keyed = entries.find(isKeyedEntry);
      if (keyed !== undefined) state.meta.set("keyedSeq", keyed.seq);
    },
  };
}

const isKeyedEntry = (e: AuditEntry) => e.action === KEYED_ACTION && e.target === KEYED_TARGET;

const byName = <T extends { name: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Drops `name` from the address index, for the addresses its stored record holds. */
function unindex(s: MemoryState, name: string): void {
  for (const key of s.workloads.get(name)?.addresses ?? []) {
    const rest = (s.holders.get(key) ?? []).filter((n) => n !== name);
    if (rest.length === 0) s.holders.delete(key);
    else s.holders.set(key, rest);
  }
}

/** Adds `w` to the address index (its addresses are canonical: Tables.putWorkload). */
function index(s: MemoryState, w: WorkloadRecord): void {
  for (const key of w.addresses) {
    const names = s.holders.get(key) ?? [];
    if (!names.includes(w.name)) s.holders.set(key, [...names, w.name].sort());
  }
}

function memoryTables(s: MemoryState): Tables {
  const find = <V>(m: UndoMap<string, V>, p: (v: V) => boolean) => m.values().find(p);
  return {
    workload: (name) => s.workloads.get(name),
    workloads: () => s.workloads.values().sort(byName),
    putWorkload: (w) => {
      const same = s.workloads.get(w.name)?.addresses.join() === w.addresses.join();
      if (!same) unindex(s, w.name);
      s.workloads.set(w.name, iso(w));
      if (!same) index(s, w);
    },
    deleteWorkload: (name) => {
      unindex(s, name);
      s.workloads.delete(name);
    },
    workloadsAt: (address) => [...(s.holders.get(address) ?? [])],
    draft: (name) => s.drafts.get(name),
    drafts: () => s.drafts.values().sort(byName),
    putDraft: (d) => s.drafts.set(d.name, iso(d)),
    deleteDraft: (name) => s.drafts.delete(name),
    revision: (n) => s.revisions.get(n),
    revisions: (limit, before = Number.MAX_SAFE_INTEGER) =>
      s.revisions
        .values()
        .filter((r) => r.number < before)
        .sort((a, b) => b.number - a.number)
        .slice(0, limit),
    lastRevisionNumber: () => s.meta.get("lastRevision") ?? 0,
    insertRevision: (r) => {
      s.revisions.set(r.number, iso(r));
      s.meta.set("lastRevision", r.number);
    },
    activeRevision: () => s.meta.get("active") ?? null,
    setActiveRevision: (n) => s.meta.set("active", n),
    profile: (id) => s.profiles.get(id),
    profileByKey: (hash) => find(s.profiles, (p) => p.keyHash === hash),
    profileByName: (name) => find(s.profiles, (p) => p.name === name),
    profiles: () => s.profiles.values().sort(byId),
    putProfile: (p) => s.profiles.set(p.id, iso(p)),
    agent: (id) => s.agents.get(id),
    agentByCredential: (hash) => find(s.agents, (a) => a.credentialHash === hash),
    agentsOf: (workload) =>
      s.agents
        .values()
        .filter((a) => a.workload === workload)
        .sort(byId),
    agents: () => s.agents.values().sort(byId),
    putAgent: (a) => s.agents.set(a.id, iso(a)),
    agentsByIds: (ids) => ids.flatMap((id) => s.agents.get(id) ?? []),
    putAgents: (list) => {
      for (const a of list) s.agents.set(a.id, iso(a));
    },
    deleteAgent: (id) => void s.agents.delete(id),
    token: (hash) => s.tokens.get(hash),
    tokenByName: (name) => find(s.tokens, (t) => t.name === name),
    tokens: () => s.tokens.values().sort(byName),
    putToken: (t) => s.tokens.set(t.hash, iso(t)),
    deleteToken: (name) => {
      const t = find(s.tokens, (x) => x.name === name);
      if (t) s.tokens.delete(t.hash);
    },
    auditHead: () => {
      const e = s.audit.get(s.meta.get("lastSeq") ?? 0);
      return e && { seq: e.seq, hash: e.hash };
    },
    appendAudit: (e) => {
      s.audit.set(e.seq, iso(e));
      s.meta.set("lastSeq", e.seq);
      if (isKeyedEntry(e) && s.meta.get("keyedSeq") === undefined) s.meta.set("keyedSeq", e.seq);
    },
    auditEntries: (after, limit, target) => auditPage(s, after, limit, target),
    auditKeyed: () => s.audit.get(s.meta.get("keyedSeq") ?? 0),
    auditSuccessor: (prevHash, notSeq) =>
      s.audit.values().find((e) => e.seq !== notSeq && e.prevHash === prevHash)?.seq,
    ...flowTables(s),
  };
}

/** Walks seqs up from `after` (a page costs its own size, not the log's), or filters by target. */
function auditPage(s: MemoryState, after: number, limit: number, target?: string): AuditEntry[] {
  if (target !== undefined) {
    return s.audit
      .values()
      .filter((e) => e.seq > after && e.target === target)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
  }
  const out: AuditEntry[] = [];
  const last = s.meta.get("lastSeq") ?? 0;
  for (let seq = after + 1; seq <= last && out.length < limit; seq++) {
    const e = s.audit.get(seq);
    if (e !== undefined) out.push(e);
  }
  return out;
}

function flowTables(s: MemoryState) {
  return {
    flowSeqs: (ids: readonly string[]) =>
      new Map(
        ids.flatMap((id) => {
          const seq = s.flowSeqs.get(id);
          return seq === undefined ? [] : [[id, seq] as const];
        }),
      ),
    setFlowSeqs: (seqs: ReadonlyMap<string, number>) => {
      for (const [id, seq] of seqs) s.flowSeqs.set(id, seq);
    },
    mergeEdges: (deltas: readonly EdgeDelta[]) => mergeEdgeRows(s.edges, deltas),
    edges: (filter: Parameters<Tables["edges"]>[0]) => queryEdgeRows(s.edges.values(), filter),
    pruneEdges: (before: number) => {
      const old = [...s.edges.entries()].filter(([, r]) => r.bucket < before);
      for (const [key] of old) s.edges.delete(key);
      return old.length;
    },
    edgeStats: () => {
      const rows = s.edges.values();
      let oldest: number | null = null;
      for (const r of rows) if (oldest === null || r.bucket < oldest) oldest = r.bucket;
      return { rows: rows.length, oldest };
    },
    alert: (id: string) => s.alerts.get(id),
    alertState: (id: string) => s.alerts.get(id),
    alerts: (f: AlertFilter) => {
      const all = s.alerts
        .values()
        .filter(
          (a) =>
            (f.kind === undefined || a.kind === f.kind) &&
            (f.status === undefined || a.status === f.status) &&
            (f.source === undefined || a.source === f.source) &&
            (f.since === undefined || a.lastAt >= f.since),
        )
        .sort((a, b) => text(b.lastAt, a.lastAt) || text(a.id, b.id));
      return f.limit === undefined ? all : all.slice(0, f.limit);
    },
    putAlert: (a: AlertRecord) => s.alerts.set(a.id, iso(a)),
    setAlertDelivered: (id: string, delivered: AlertSeverity) => {
      const a = s.alerts.get(id);
      if (a !== undefined) s.alerts.set(id, { ...a, delivered });
    },
    quarantine: (workload: string) => s.quarantines.get(workload),
    quarantines: () => s.quarantines.values().sort((a, b) => text(a.workload, b.workload)),
    putQuarantine: (q: Quarantine) => s.quarantines.set(q.workload, iso(q)),
    deleteQuarantine: (workload: string) => void s.quarantines.delete(workload),
    ...memoryChangeTables(s),
    lease: (name: string) => s.leases.get(name),
    leases: () => s.leases.values().sort(byName),
    putLease: (l: Lease) => s.leases.set(l.name, iso(l)),
    sharedSecret: (name: string) => s.secrets.get(name),
    insertSharedSecret: (x: SharedSecret) => s.secrets.set(x.name, iso(x)),
  };
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function memoryChangeTables(s: MemoryState) {
  const seqs = () => s.changes.values().map((c) => c.seq);
  return {
    appendChange: (c: Omit<StateChange, "seq">) => {
      const seq = (s.meta.get("lastChange") ?? 0) + 1;
      s.meta.set("lastChange", seq);
      s.changes.set(seq, { ...c, seq });
      return seq;
    },
    changesAfter: (after: number, limit: number) =>
      s.changes
        .values()
        .filter((c) => c.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit),
    lastChangeSeq: () => s.meta.get("lastChange") ?? 0,
    firstChangeSeq: () => (s.changes.values().length === 0 ? 0 : Math.min(...seqs())),
    pruneChanges: (keep: number) => {
      const last = s.meta.get("lastChange") ?? 0;
      for (const seq of seqs()) if (seq <= keep && seq < last) s.changes.delete(seq);
    },
  };
}
