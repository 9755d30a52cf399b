// The nftables driver: owns ONE table (`inet microseg` by default) in one network namespace.
//
//   apply(rs) ──► same hash as last? ──yes──► drift()? clean ──► noop
//        │                                      └ drifted ─────► full
//        ├─► renderDelta(last, rs), no drift seen since the last full ──► delta
//        └─► full: add+delete+add table ... in one `nft -j -f -` transaction,
//                  then read the structure back as the drift baseline
//
// Kernel transactions are atomic: when nft rejects a document the previous table stays as it was,
// and the driver keeps remembering the previous RuleSet. Calls are serialized.
// Deltas trust the driver's own last state: reading the table back first would cost O(set size)
// (nft fetches set contents for any listing). Tampering is found by drift() (the agent calls it
// periodically); once drift was seen, the next apply is a full one.

import type { AddressSet, ManagementAccess, RuleSet } from "@microseg/core";
import { MicrosegError } from "@microseg/core/errors";
import {
  DEFAULT_TABLE,
  kernelSets,
  type NftDocument,
  type RenderOptions,
  renderDelta,
  renderRuleSet,
} from "../render/index.js";
import { compareElements, compareStructure } from "./compare.js";
import { createNftExec, type NftExec } from "./exec.js";
import { assertNamespaceAllowed } from "./namespace-guard.js";
import { TERSE_LIST_FLAGS } from "./session.js";
import { canonicalCidr, parseTableListing, type TableState } from "./table-state.js";

export interface NftDriverOptions {
  /** Network namespace (as in `ip netns list`) to act in. Required unless allowRootNamespace. */
  readonly netns?: string;
  /** Refuse to touch the machine's root network namespace unless this is true. */
  readonly allowRootNamespace?: boolean;
  /** Table name inside family inet; default "microseg". */
  readonly table?: string;
  /** The management addresses (the controller's); what they may do: `managementAccess`. */
  readonly management?: AddressSet;
  /** The channel to the controller and the services management may reach (default: none). */
  readonly managementAccess?: ManagementAccess;
  /** Runs nft; default spawns `nft` (via `ip netns exec` when netns is set). */
  readonly exec?: NftExec;
  /**
   * Serves the terse listing of the drift check (`TERSE_LIST_FLAGS` + `list ruleset`), e.g. a
   * long-lived nft session; default: `exec`.
   */
  readonly listExec?: NftExec;
}

export interface ApplyResult {
  /** full: whole table replaced; delta: only set elements changed; noop: hash unchanged. */
  readonly kind: "full" | "delta" | "noop";
  readonly ms: number;
}

export interface DriftOptions {
  /**
   * Also compare set elements with the RuleSet (default true). That needs a full listing,
   * O(set size); without it only the structure (table, chains, set declarations, rules in order)
   * is compared, from a terse listing whose cost does not grow with the number of elements.
   */
  readonly elements?: boolean;
}

export interface DriftReport {
  readonly drifted: boolean;
  /** Human-readable differences between the kernel table and the last applied RuleSet. */
  readonly details: readonly string[];
}

/** Packet/byte counters of one rule, mapped back through its comment (the ruleId). */
export interface RuleCounter {
  readonly chain: "input" | "output";
  readonly ruleId: string;
  readonly packets: number;
  readonly bytes: number;
}

interface Applied {
  readonly ruleSet: RuleSet;
  /** Kernel structure read back right after the last full apply (undefined if that failed). */
  structure: TableState | undefined;
  /** Drift was seen (or the baseline could not be read): the next apply must be full. */
  tainted: boolean;
}

export class NftDriver {
  private readonly options: NftDriverOptions;
  private readonly exec: NftExec;
  private readonly render: RenderOptions;
  private last: Applied | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: NftDriverOptions) {
    this.options = options;
    this.exec = options.exec ?? createNftExec(options.netns);
    this.render = {
      table: options.table,
      management: options.management,
      managementAccess: options.managementAccess,
    };
  }

  get tableName(): string {
    return this.options.table ?? DEFAULT_TABLE;
  }

  /** The RuleSet the kernel was last made equal to (undefined before apply / after remove). */
  get applied(): RuleSet | undefined {
    return this.last?.ruleSet;
  }

  /** Makes the kernel table equal to `ruleSet` in one atomic nft transaction. */
  apply(ruleSet: RuleSet): Promise<ApplyResult> {
    return this.serial(async () => {
      const start = performance.now();
      const ms = () => Math.round((performance.now() - start) * 100) / 100;
      await assertNamespaceAllowed(this.options);
      const last = this.last;
      if (last && last.ruleSet.hash === ruleSet.hash) {
        if (!(await this.driftNow()).drifted) return { kind: "noop", ms: ms() };
      } else if (last && !last.tainted && (await this.tryDelta(last, ruleSet))) {
        return { kind: "delta", ms: ms() };
      }
      await this.applyFull(ruleSet);
      return { kind: "full", ms: ms() };
    });
  }

  /** Compares the kernel table with the last applied RuleSet. */
  drift(options: DriftOptions = {}): Promise<DriftReport> {
    return this.serial(async () => {
      await assertNamespaceAllowed(this.options);
      return this.driftNow(options.elements ?? true);
    });
  }

  /** Deletes the owned table (no error when it is already gone). */
  remove(): Promise<void> {
    return this.serial(async () => {
      await assertNamespaceAllowed(this.options);
      const table = { family: "inet", name: this.tableName } as const;
      await this.run({ nftables: [{ add: { table } }, { delete: { table } }] }, "remove");
      this.last = undefined;
    });
  }

  /** Counters of every rule that has a comment, in kernel order. */
  counters(): Promise<RuleCounter[]> {
    return this.serial(async () => {
      await assertNamespaceAllowed(this.options);
      const res = await this.exec(["-j", "list", "table", "inet", this.tableName]);
      if (res.code !== 0) throw applyFailed("listing counters", res.stderr);
      return parseCounters(res.stdout);
    });
  }

  private async applyFull(ruleSet: RuleSet): Promise<void> {
    await this.run(renderRuleSet(ruleSet, this.render), `apply for ${ruleSet.workload}`);
    // The drift baseline is read back before apply() returns: read later, a tamper in between
    // would become part of the baseline. It costs a listing (O(set size)), full applies only.
    const structure = await this.readTable(true).catch(() => undefined);
    this.last = { ruleSet, structure, tainted: structure === undefined };
  }

  /** Element-only update on top of the last applied RuleSet. */
  private async tryDelta(last: Applied, next: RuleSet): Promise<boolean> {
    const delta = renderDelta(last.ruleSet, next, this.render);
    if (!delta) return false;
    if (delta.nftables.length > 0) {
      const res = await this.exec(["-j", "-f", "-"], JSON.stringify(delta));
      if (res.code !== 0) return false; // e.g. someone deleted an element: repair by full apply
    }
    this.last = { ruleSet: next, structure: last.structure, tainted: false };
    return true;
  }

  private async driftNow(elements = true): Promise<DriftReport> {
    const last = this.last;
    if (!last) return { drifted: false, details: [] };
    const now = await this.readTable(!elements);
    if (!now) {
      last.tainted = true;
      return { drifted: true, details: [`table inet ${this.tableName} is missing`] };
    }
    const details = [
      ...(last.structure ? compareStructure(last.structure, now) : ["no baseline read back"]),
      ...(elements ? compareElements(this.expectedElements(last.ruleSet), now.elements) : []),
    ];
    if (details.length > 0) last.tainted = true;
    return { drifted: details.length > 0, details };
  }

  private expectedElements(ruleSet: RuleSet): Map<string, Set<string>> {
    return new Map(
      kernelSets(ruleSet, this.options.management).map((s) => [
        s.name,
        new Set(s.cidrs.map(canonicalCidr)),
      ]),
    );
  }

  /**
   * undefined when the table does not exist. `terse` leaves set elements out: it lists the whole
   * ruleset with -t, which nft answers without fetching any set element (a `list table` fetches
   * them all, O(set size), even with -t), and keeps only our table.
   */
  private async readTable(terse: boolean): Promise<TableState | undefined> {
    const res = terse
      ? await (this.options.listExec ?? this.exec)([...TERSE_LIST_FLAGS, "list", "ruleset"])
      : await this.exec(["-j", "list", "table", "inet", this.tableName]);
    if (res.code !== 0) {
      if (/No such file or directory/.test(res.stderr)) return undefined;
      throw applyFailed("listing the table", res.stderr);
    }
    return parseTableListing(res.stdout, terse ? this.tableName : undefined);
  }

  private async run(doc: NftDocument, what: string): Promise<void> {
    const res = await this.exec(["-j", "-f", "-"], JSON.stringify(doc));
    if (res.code !== 0) throw applyFailed(what, res.stderr);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function applyFailed(what: string, stderr: string): MicrosegError {
  return new MicrosegError(
    "MSEG_NFT_APPLY_FAILED",
    `nft failed (${what}); the previous table stays in place: ${stderr.trim() || "no output"}`,
  );
}

function parseCounters(stdout: string): RuleCounter[] {
  const items = (JSON.parse(stdout) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
  const out: RuleCounter[] = [];
  for (const item of items) {
    const rule = item.rule as { chain: string; comment?: string; expr: Record<string, unknown>[] };
    if (!rule?.comment) continue;
    const c = rule.expr.find((e) => e.counter)?.counter as { packets: number; bytes: number };
    if (!c) continue;
    const chain = rule.chain as RuleCounter["chain"];
    out.push({ chain, ruleId: rule.comment, packets: c.packets, bytes: c.bytes });
  }
  return out;
}
