// Follows the store's change stream (store.changes, docs/design/store.md "Change stream") so that
// what this controller holds in memory — the policy hub and the agent credential cache — learns
// of changes another controller process made on the same database. Started only when the store
// is shared (PostgreSQL); on SQLite one controller owns the file and its use cases update memory.
//
// Polling, not LISTEN/NOTIFY: one indexed `seq > $1` read every `intervalMs` (200 ms) costs the
// database little and needs no extra connection held open; a change reaches the other replicas
// within one interval plus the read.
//
// A change row names a record; the follower reads its current state and applies it only where it
// differs from what the hub holds, so a change this replica made itself (its use case already
// updated the hub) costs a read and a comparison, never a second compile. A follower that fell
// behind the rows the store keeps (their first seq is not the next one) resyncs the whole hub
// from the store, as startup loads it. A failing read (database away) is logged and retried on
// the next tick; the follower never throws into the process.
import type {
  AgentRecord,
  ChangeKind,
  Quarantine,
  StateChange,
  Store,
  WorkloadRecord,
} from "@microseg/store";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";
import type { AgentCredentials } from "../agent-credentials.js";
import { hubRevision } from "../use-cases/policy-text.js";
import type { FollowHealth } from "./follow-health.js";
import { type PolicyHub, plainWorkload } from "./policy-hub.js";

export const FOLLOW_INTERVAL_MS = 200;
const PAGE = 500;

export interface ChangeFollowerDeps {
  readonly store: Store;
  readonly hub: PolicyHub;
  readonly credentials: AgentCredentials;
  readonly log: Logger;
  /** Registers microseg_change_stream_behind here. */
  readonly registry?: Registry;
  readonly intervalMs?: number;
  /** Told of every successful read; when it turns stale, held long-polls are released. */
  readonly health?: FollowHealth;
}

export class ChangeFollower {
  private applied: number;
  /** The newest seq this follower knows exists (≥ applied). */
  private known: number;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  /** `from`: the change seq read before the hub was loaded (replaying a few is harmless). */
  constructor(
    private readonly deps: ChangeFollowerDeps,
    from: number,
  ) {
    this.applied = from;
    this.known = from;
    if (deps.registry !== undefined) {
      const self = this;
      new Gauge({
        name: "microseg_change_stream_behind",
        help: "Changes other controller replicas made that this one has not applied yet",
        registers: [deps.registry],
        collect() {
          this.set(self.known - self.applied);
        },
      });
    }
  }

  /** The last change seq applied to this replica's memory. */
  get seq(): number {
    return this.applied;
  }

  start(): void {
    this.schedule();
    // Apart from the polling timer: a read that hangs (a cut network) never ends its tick.
    const health = this.deps.health;
    if (health === undefined) return;
    let stale = false;
    this.watchdog = setInterval(() => {
      const now = health.problem() !== undefined;
      // Held long-polls answer now, and pollPolicy refuses them while stale.
      if (now && !stale) this.deps.hub.releaseAll();
      stale = now;
    }, this.deps.intervalMs ?? FOLLOW_INTERVAL_MS);
    this.watchdog.unref();
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    await this.running;
  }

  /** One pass: applies every change after the last applied one (tests call it directly). */
  async poll(): Promise<void> {
    for (;;) {
      const page = await this.deps.store.changes.after(this.applied, PAGE);
      if (page.length === 0) return;
      if ((page[0] as StateChange).seq !== this.applied + 1) {
        await this.resync();
        return;
      }
      this.known = Math.max(this.known, (page.at(-1) as StateChange).seq);
      await this.apply(page);
      this.applied = (page.at(-1) as StateChange).seq;
      if (page.length < PAGE || this.stopped) return;
      this.known = Math.max(this.known, await this.deps.store.changes.head());
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.deps.intervalMs ?? FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.poll();
      this.deps.health?.ok();
      if (this.failing) this.deps.log.info({ seq: this.applied }, "change stream: following again");
      this.failing = false;
    } catch (err) {
      this.deps.health?.failed();
      // Logged once per outage, not every 200 ms.
      if (!this.failing) {
        this.deps.log.error({ err, seq: this.applied }, "change stream: cannot read; retrying");
      }
      this.failing = true;
    }
  }

  /** Each record once per page, in the order of its last change. */
  private async apply(page: readonly StateChange[]): Promise<void> {
    const last = new Map<string, { kind: ChangeKind; key: string }>();
    for (const c of page) {
      const id = `${c.kind}\n${c.key}`;
      last.delete(id);
      last.set(id, c);
    }
    for (const c of last.values()) {
      if (c.kind === "workload") await this.workload(c.key);
      else if (c.kind === "revision") await this.revision();
      else if (c.kind === "quarantine") await this.quarantine(c.key);
      else await this.agent(c.key);
    }
  }

  private async workload(name: string): Promise<void> {
    this.applyWorkload(name, await this.deps.store.workloads.get(name));
  }

  private applyWorkload(name: string, stored: WorkloadRecord | undefined): void {
    const { hub } = this.deps;
    if (stored === undefined) {
      if (hub.storedWorkload(name) !== undefined) hub.removeWorkload(name);
      return;
    }
    const held = hub.storedWorkload(name);
    if (held !== undefined && same(plainWorkload(stored), held)) return;
    hub.upsertWorkload(stored);
  }

  private async revision(): Promise<void> {
    const active = await this.deps.store.policy.active();
    if (active === undefined || active.number === this.deps.hub.activeRevision) return;
    this.deps.hub.setRevision(hubRevision(active));
  }

  private async quarantine(workload: string): Promise<void> {
    this.applyQuarantine(workload, await this.deps.store.quarantine.get(workload));
  }

  private applyQuarantine(workload: string, q: Quarantine | undefined): void {
    const held = this.deps.hub.quarantineOf(workload);
    if (q === undefined ? held === undefined : held !== undefined && same(q, held)) return;
    this.deps.hub.setQuarantine(workload, q);
  }

  private async agent(id: string): Promise<void> {
    this.applyAgent(id, await this.deps.store.agents.get(id));
  }

  private applyAgent(id: string, agent: AgentRecord | undefined): void {
    if (agent !== undefined && !agent.revoked) return;
    const knew = this.deps.credentials.isRevoked(id);
    this.deps.credentials.forget(id);
    // Its held long-poll re-checks the credential and is refused.
    if (!knew && agent !== undefined) this.deps.hub.release(agent.workload);
  }

  /** Fell behind the kept rows: bring the whole hub to the store's state, as startup loads it. */
  private async resync(): Promise<void> {
    const { hub, store, log } = this.deps;
    const head = await store.changes.head();
    log.warn({ seq: this.applied, head }, "change stream: fell behind; reloading from the store");
    const [workloads, quarantines, agents] = await Promise.all([
      store.workloads.list(),
      store.quarantine.list(),
      store.agents.list(),
    ]);
    const names = new Set(workloads.map((w) => w.name));
    for (const w of hub.workloads()) {
      if (!names.has(w.name) && hub.storedWorkload(w.name) !== undefined) {
        hub.removeWorkload(w.name);
      }
    }
    // The lists just read are applied as they are: no record is read a second time.
    for (const w of workloads) this.applyWorkload(w.name, w);
    await this.revision();
    const quarantined = new Set(quarantines.map((q) => q.workload));
    for (const name of Object.keys(hub.quarantineMarks())) {
      if (!quarantined.has(name)) hub.setQuarantine(name, undefined);
    }
    for (const q of quarantines) this.applyQuarantine(q.workload, q);
    for (const a of agents) if (a.revoked) this.applyAgent(a.id, a);
    this.applied = head;
    this.known = Math.max(this.known, head);
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
