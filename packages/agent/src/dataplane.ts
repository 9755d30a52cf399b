// The dataplane manager: the only writer of the agent's nft table.
//
//   onUpdate(policy) ── cheap: keep the newest, arm one timer ──► applyPending (at most every
//   batchMs, one at a time, in order) ──► driver.apply ──ok──► persist last good, ack ok
//                                                     └─err─► previous table stays, ack error
//                                                             + "apply-failed" event
//   checkDrift / restore share the same queue, so they never interleave with an apply.
//
// The management set handed to the driver is the policy's plus the controller's own addresses;
// what they may do (ManagementAccess) is the policy's plus the agent's own channel. The driver
// takes both at construction, so a change of either means a new driver (and a full apply); the
// old driver stays active until the new one has applied successfully.

import type { AddressSet, ManagementAccess, PortMatch, RuleSet } from "@microseg/core";
import type { ApplyResult, DriftOptions, DriftReport } from "@microseg/nft";
import { NO_RULESET } from "@microseg/protocol/agent";
import type { Logger } from "pino";
import { accessFor, sameAccess, sameSet, withHosts } from "./management.js";
import type { AgentObserver } from "./metrics.js";
import type { StateStore } from "./state-store.js";
import type { Reporter } from "./status-reporter.js";
import { cut } from "./wire.js";

/** What the manager needs of NftDriver. */
export interface DataplaneDriver {
  apply(ruleSet: RuleSet): Promise<ApplyResult>;
  drift(options?: DriftOptions): Promise<DriftReport>;
}

export type DriverFactory = (management: AddressSet, access: ManagementAccess) => DataplaneDriver;

export interface DesiredPolicy {
  /** null before the controller's first revision (and for the before-first-policy RuleSet). */
  readonly revision: number | null;
  readonly ruleSet: RuleSet;
  /** As the controller sent it (the controller's own addresses are added here). */
  readonly management: AddressSet;
  /** As the controller sent it; undefined from an older controller (the channel alone). */
  readonly managementAccess?: ManagementAccess;
  readonly source: "controller" | "stored" | "before-policy";
  /** The controller sent "nothing to enforce" (ruleSet null): acknowledged as hash `none`. */
  readonly none?: boolean;
}

export interface DataplaneOptions {
  readonly driverFor: DriverFactory;
  readonly store: Pick<StateStore, "writeLastGood">;
  readonly reporter: Reporter;
  readonly log: Pick<Logger, "info" | "warn" | "error" | "debug">;
  /** The controller's addresses, always part of the management set. */
  readonly controllerHosts: readonly string[];
  /** The agent's own channel to them (its controller URL's port), always allowed outbound. */
  readonly controllerChannel: readonly PortMatch[];
  /** Minimum time between two applies (ms); default 100. */
  readonly batchMs?: number;
  /** Told of every apply's outcome and duration (metrics). */
  readonly observer?: Pick<AgentObserver, "applied">;
}

interface Active {
  readonly policy: DesiredPolicy;
  readonly management: AddressSet;
  readonly access: ManagementAccess;
  readonly driver: DataplaneDriver;
}

export class DataplaneManager {
  private pending: DesiredPolicy | undefined;
  private active: Active | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastApplyAt = Number.NEGATIVE_INFINITY;
  private readonly batchMs: number;

  constructor(private readonly o: DataplaneOptions) {
    this.batchMs = o.batchMs ?? 100;
  }

  /** The policy the kernel enforces now (undefined before the first successful apply). */
  get enforced(): DesiredPolicy | undefined {
    return this.active?.policy;
  }

  /** Cheap: remembers the newest policy and arms the apply timer. Never throws. */
  onUpdate(policy: DesiredPolicy): void {
    this.pending = policy;
    this.schedule();
  }

  /** Applies what is pending now; resolves when that apply is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.enqueue(() => this.applyPending());
  }

  /** Drift of the enforced table (undefined when nothing is enforced). */
  checkDrift(options: DriftOptions): Promise<DriftReport | undefined> {
    return this.enqueue(async () => this.active?.driver.drift(options));
  }

  /** Re-applies the enforced policy (a full apply when drift was seen). */
  restore(): Promise<ApplyResult | undefined> {
    return this.enqueue(async () => this.active?.driver.apply(this.active.policy.ruleSet));
  }

  /** Cancels a pending apply timer (nothing else: the table stays as it is). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || !this.pending) return;
    const delay = Math.max(0, this.lastApplyAt + this.batchMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.applyPending());
    }, delay);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async applyPending(): Promise<void> {
    const policy = this.pending;
    this.pending = undefined;
    if (!policy) return;
    await this.applyOne(policy);
    this.lastApplyAt = performance.now();
    this.schedule();
  }

  private async applyOne(policy: DesiredPolicy): Promise<void> {
    const management = withHosts(policy.management, this.o.controllerHosts);
    const access = accessFor(policy.managementAccess, this.o.controllerChannel);
    const current = this.active;
    const reuse =
      current !== undefined &&
      sameSet(current.management, management) &&
      sameAccess(current.access, access);
    const driver = reuse ? current.driver : this.o.driverFor(management, access);
    const start = performance.now();
    const { revision, ruleSet, source } = policy;
    const base = { revision, rulesetHash: policy.none ? NO_RULESET : ruleSet.hash };
    const ack = source !== "before-policy" || policy.none === true;
    try {
      const result = await driver.apply(ruleSet);
      this.active = { policy, management, access, driver };
      const elapsed = performance.now() - start;
      this.o.observer?.applied(true, elapsed / 1000);
      const ms = Math.round(elapsed);
      this.o.log.info({ revision, hash: ruleSet.hash, source, kind: result.kind, ms }, "applied");
      if (ack) this.o.reporter.applied({ ...base, ok: true, ms });
      if (source === "controller") await this.persist(policy);
    } catch (e) {
      const error = (e as Error).message;
      const elapsed = performance.now() - start;
      this.o.observer?.applied(false, elapsed / 1000);
      const ms = Math.round(elapsed);
      this.o.log.error({ revision, hash: ruleSet.hash, source, error }, "apply failed");
      if (ack) this.o.reporter.applied({ ...base, ok: false, error: cut(error), ms });
      const details = cut(`revision ${revision} (${ruleSet.hash}) was not applied: ${error}`);
      this.o.reporter.event({ kind: "apply-failed", at: new Date().toISOString(), details });
    }
    void this.o.reporter.send();
  }

  private async persist(policy: DesiredPolicy): Promise<void> {
    const { revision, ruleSet, management, managementAccess } = policy;
    try {
      const appliedAt = new Date().toISOString();
      const access = managementAccess && { managementAccess };
      await this.o.store.writeLastGood({ revision, ruleSet, management, ...access, appliedAt });
    } catch (e) {
      this.o.log.error({ error: (e as Error).message }, "could not store the last good policy");
    }
  }
}
