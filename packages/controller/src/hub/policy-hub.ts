// The policy hub: the active revision compiled against the inventory, kept incrementally, and the
// agents' long-polls waiting on it.
//
//   provision / rollback ──setRevision──┐
//   workload put/patch/delete, enrol ───┼──> Compiler.apply(changes) ──> delta (changed hashes)
//                                       │                                   │
//   GET /agent/policy ──wait(name, known)──> waiters[name] <── wake exactly ┘ those workloads
//
// Contract: the hub is the only holder of the compiled state and is updated after the store
// committed a change (the store is the truth; a restart rebuilds the hub from it). The inventory
// a revision compiles against is the store's workloads plus the workloads the policy text itself
// declares (`workloads:` sections); a stored workload wins over a declared one of the same name.
// Before the first provision no RuleSet is visible (agents get `ruleSet: null`).
// Quarantines (store.quarantine) are applied on top of the stored workloads: a quarantined
// workload compiles to deny-all (core/compile/quarantine.ts) and drops out of every peer set, so
// setQuarantine wakes exactly it and the agents whose sets held it.

import {
  type Change,
  Compiler,
  EMPTY_POLICY,
  labelValue,
  type Policy,
  type RuleSet,
  type Workload,
  type WorkloadQuarantine,
} from "@microseg/core";
import { NO_RULESET } from "@microseg/protocol";
import type { Quarantine } from "@microseg/store";

export type WaitOutcome = "changed" | "timeout" | "closed" | "replaced";

interface Waiter {
  readonly known: string;
  readonly done: (outcome: WaitOutcome) => void;
}

export interface HubRevision {
  readonly number: number;
  readonly policy: Policy;
  readonly declared: readonly Workload[];
}

/** The workloads whose label `key` is `value` (trackLabel). */
interface LabelIndex {
  readonly key: string;
  readonly value: string;
  readonly names: Set<string>;
}

export class PolicyHub {
  private readonly compiler: Compiler;
  private active: number | null = null;
  private policy: Policy = EMPTY_POLICY;
  private readonly stored = new Map<string, Workload>();
  private declared = new Map<string, Workload>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** The one held long-poll of each owner (an agent id). */
  private readonly byOwner = new Map<string, Waiter>();
  private readonly quarantines = new Map<string, Quarantine>();
  /** Per agent id, the last policy answer this hub's controller gave it (revision, hash). */
  private readonly answers = new Map<string, PolicyAnswer>();
  private closed = false;
  private changes = 0;
  /** Live sets of the workloads carrying a label value (trackLabel), by "key=value". */
  private readonly labelled = new Map<string, LabelIndex>();

  constructor(
    workloads: readonly Workload[],
    revision?: HubRevision,
    quarantines: readonly Quarantine[] = [],
  ) {
    for (const q of quarantines) this.quarantines.set(q.workload, q);
    for (const w of workloads) this.stored.set(w.name, plainWorkload(w));
    if (revision !== undefined) {
      this.active = revision.number;
      this.policy = revision.policy;
      for (const w of revision.declared) this.declared.set(w.name, plainWorkload(w));
    }
    this.compiler = new Compiler(revision?.policy ?? EMPTY_POLICY, this.inventory());
  }

  get activeRevision(): number | null {
    return this.active;
  }

  /** The active policy (empty before the first provision). */
  get activePolicy(): Policy {
    return this.policy;
  }

  /** The workloads the active revision's text declares (`workloads:` sections). */
  declaredWorkloads(): Workload[] {
    return [...this.declared.values()];
  }

  /** Every visible RuleSet by workload (none before the first provision). */
  ruleSets(): ReadonlyMap<string, RuleSet> {
    return this.active === null ? new Map() : this.compiler.all();
  }

  /** The inventory a revision declaring `declared` would compile against. */
  inventoryWith(declared: readonly Workload[]): Workload[] {
    const byName = new Map(declared.map((w) => [w.name, plainWorkload(w)]));
    for (const [name, w] of this.stored) byName.set(name, w);
    return [...byName.values()].map((w) => this.withQuarantine(w));
  }

  /** What inventoryWith applies to a workload of each quarantined name (for the policy workers). */
  quarantineMarks(): Record<string, WorkloadQuarantine> {
    const out: Record<string, WorkloadQuarantine> = {};
    for (const [name, q] of this.quarantines) out[name] = { forensic: q.forensic };
    return out;
  }

  /** The inventory the active revision compiles against, quarantines applied. */
  workloads(): Workload[] {
    return this.inventory();
  }

  /** Grows by one whenever the compiled state may have changed (views cache on it). */
  get generation(): number {
    return this.changes;
  }

  quarantineOf(name: string): Quarantine | undefined {
    return this.quarantines.get(name);
  }

  /** Quarantines (or, with undefined, releases) a workload; answers the workloads woken. */
  setQuarantine(name: string, q: Quarantine | undefined): string[] {
    if (q === undefined) this.quarantines.delete(name);
    else this.quarantines.set(name, q);
    return this.applyChanges([this.effectiveChange(name)]);
  }

  /** One workload of the active inventory, quarantine applied (no store read, no copy). */
  workload(name: string): Workload | undefined {
    return this.effective(name);
  }

  /** A workload of the store's inventory as the hub holds it (no store read). */
  storedWorkload(name: string): Workload | undefined {
    return this.stored.get(name);
  }

  /** How many workloads the store's inventory holds. */
  storedCount(): number {
    return this.stored.size;
  }

  /** The RuleSet the agent of `workload` must enforce; undefined before the first provision. */
  ruleSet(workload: string): RuleSet | undefined {
    return this.active === null ? undefined : this.compiler.get(workload);
  }

  /** The hash an agent of `workload` should report (`none` when it gets no RuleSet). */
  hashOf(workload: string): string {
    return this.ruleSet(workload)?.hash ?? NO_RULESET;
  }

  /** Makes `revision` active. Returns the workloads whose visible RuleSet changed. */
  setRevision(revision: HubRevision): string[] {
    const wasNone = this.active === null;
    const before = new Map(this.declared);
    this.declared = new Map(revision.declared.map((w) => [w.name, plainWorkload(w)]));
    this.active = revision.number;
    this.policy = revision.policy;
    const changes: Change[] = [{ kind: "set-policy", policy: revision.policy }];
    for (const name of new Set([...before.keys(), ...this.declared.keys()])) {
      this.reindex(name);
      changes.push(this.effectiveChange(name));
    }
    const changed = this.applyChanges(changes);
    // From "no policy" to a policy every agent's visible hash changes, also where the compiled
    // RuleSet did not.
    return wasNone ? this.wakeAll() : changed;
  }

  /**
   * Notes the policy answer given to agent `id`. An agent applies every answer it gets, in
   * order, so until it reports this revision applied an older report says nothing about its
   * kernel: after A -> B -> A, a report of A from before B may come from an agent that is
   * applying B's answer now (isConverged in use-cases/agents.ts).
   */
  answered(id: string, answer: PolicyAnswer): void {
    this.answers.set(id, answer);
  }

  /** The last answer this controller gave agent `id` (none since start: undefined). */
  lastAnswer(id: string): PolicyAnswer | undefined {
    return this.answers.get(id);
  }

  upsertWorkload(workload: Workload): string[] {
    this.stored.set(workload.name, plainWorkload(workload));
    this.reindex(workload.name);
    return this.applyChanges([this.effectiveChange(workload.name)]);
  }

  removeWorkload(name: string): string[] {
    this.stored.delete(name);
    this.reindex(name);
    return this.applyChanges([this.effectiveChange(name)]);
  }

  /**
   * The names of the workloads (stored, else declared) whose label `key` is `value`, as a set
   * the hub keeps current: asking it costs one lookup, and nothing while it is empty (detection
   * asks it of every flow).
   */
  trackLabel(key: string, value: string): ReadonlySet<string> {
    const id = `${key}=${value}`;
    let entry = this.labelled.get(id);
    if (entry === undefined) {
      entry = { key, value, names: new Set() };
      this.labelled.set(id, entry);
      for (const name of new Set([...this.stored.keys(), ...this.declared.keys()])) {
        this.reindexIn(entry, name);
      }
    }
    return entry.names;
  }

  /**
   * Resolves "changed" at once when the workload's visible hash differs from `known`; otherwise
   * when it changes, after `ms` ("timeout"), or when the hub closes or `signal` aborts
   * ("closed": the agent hung up, nobody is left to answer). An `owner` (the agent) holds at
   * most one wait: a newer wait of the same owner resolves the older one "replaced" at once,
   * so a reconnecting agent never waits behind its own dead connection, and one credential
   * cannot pile up held requests.
   */
  wait(
    workload: string,
    known: string,
    ms: number,
    signal?: AbortSignal,
    owner?: string,
  ): Promise<WaitOutcome> {
    if (owner !== undefined) this.byOwner.get(owner)?.done("replaced");
    if (this.closed || signal?.aborted === true) return Promise.resolve("closed");
    if (this.hashOf(workload) !== known) return Promise.resolve("changed");
    if (ms <= 0) return Promise.resolve("timeout");
    return new Promise((resolve) => {
      const set = this.waiters.get(workload) ?? new Set<Waiter>();
      this.waiters.set(workload, set);
      const waiter: Waiter = {
        known,
        done: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          set.delete(waiter);
          if (set.size === 0 && this.waiters.get(workload) === set) this.waiters.delete(workload);
          if (owner !== undefined && this.byOwner.get(owner) === waiter) this.byOwner.delete(owner);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => waiter.done("timeout"), ms);
      const onAbort = () => waiter.done("closed");
      signal?.addEventListener("abort", onAbort, { once: true });
      set.add(waiter);
      if (owner !== undefined) this.byOwner.set(owner, waiter);
    });
  }

  /** Answers every held long-poll now ("changed": each re-checks, see pollPolicy). */
  releaseAll(): void {
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w.done("changed");
  }

  /** Answers the held long-polls of `workload` now (e.g. its agent was revoked: they re-check). */
  release(workload: string): void {
    for (const w of [...(this.waiters.get(workload) ?? [])]) w.done("changed");
  }

  /** Number of long-polls currently held. */
  waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  /** True once close() ran: the controller is stopping. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Answers every held long-poll ("closed"); later waits resolve at once. */
  close(): void {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w.done("closed");
  }

  private inventory(): Workload[] {
    const names = new Set([...this.stored.keys(), ...this.declared.keys()]);
    return [...names].map((n) => this.effective(n)).filter((w) => w !== undefined);
  }

  private reindex(name: string): void {
    for (const entry of this.labelled.values()) this.reindexIn(entry, name);
  }

  private reindexIn(entry: LabelIndex, name: string) {
    const w = this.held(name);
    if (w !== undefined && labelValue(w.labels, entry.key) === entry.value) entry.names.add(name);
    else entry.names.delete(name);
  }

  /** The workload as stored, else as the active revision declares it (no quarantine applied). */
  private held(name: string): Workload | undefined {
    return this.stored.get(name) ?? this.declared.get(name);
  }

  private effective(name: string): Workload | undefined {
    const w = this.held(name);
    return w === undefined ? undefined : this.withQuarantine(w);
  }

  private withQuarantine(w: Workload): Workload {
    const q = this.quarantines.get(w.name);
    return q === undefined ? w : { ...w, quarantine: { forensic: q.forensic } };
  }

  private effectiveChange(name: string): Change {
    const w = this.effective(name);
    return w === undefined
      ? { kind: "remove-workload", name }
      : { kind: "upsert-workload", workload: w };
  }

  /** Applies the changes and wakes the long-polls of exactly the workloads whose hash changed. */
  private applyChanges(changes: readonly Change[]): string[] {
    const delta = this.compiler.apply(changes);
    this.changes++;
    const names = [...delta.changed.keys(), ...delta.removed];
    if (this.active === null) return [];
    for (const name of names) this.wake(name);
    return names.sort();
  }

  private wake(name: string): void {
    const set = this.waiters.get(name);
    if (set === undefined) return;
    const hash = this.hashOf(name);
    for (const w of [...set]) if (w.known !== hash) w.done("changed");
  }

  private wakeAll(): string[] {
    for (const name of [...this.waiters.keys()]) this.wake(name);
    return [...this.compiler.all().keys()].sort();
  }
}

/** A policy answer as far as convergence cares: its revision (0: none active) and hash. */
export interface PolicyAnswer {
  readonly revision: number;
  readonly hash: string;
}

/** Only the model's fields: records carry timestamps the compiler does not need. */
export function plainWorkload(w: Workload): Workload {
  const out: Workload = {
    name: w.name,
    labels: w.labels,
    addresses: w.addresses,
    mode: w.mode,
    managed: w.managed,
    ...(w.namespace !== undefined && { namespace: w.namespace }),
    ...(w.namespaceLabels !== undefined && { namespaceLabels: w.namespaceLabels }),
    ...(w.namedPorts !== undefined && { namedPorts: w.namedPorts }),
  };
  return out;
}
