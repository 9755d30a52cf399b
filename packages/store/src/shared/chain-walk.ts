// One pass over an audit chain in seq order, an entry at a time, so a caller can feed it page by
// page and never hold the whole log. It names the first seq where the chain breaks:
//   missing    a seq gap, or an entry that does not link to the one before it
//   edited     an entry whose content no longer matches its hash (or MAC), or that differs from
//              an anchor
//   reordered  an entry linking to the wrong predecessor while the true successor sits elsewhere
//   truncated  an anchor names an entry past the end
//   unkeyed    a key was given but no entry is keyed (the log was rewritten without the key)

import type { AuditAnchor, AuditVerdict } from "../port.js";
import type { AuditEntry } from "../records.js";
import { entryHash, GENESIS, KEYED_ACTION } from "./audit-chain.js";

type Broken = Extract<AuditVerdict, { ok: false }>;

export interface WalkOptions {
  /** The audit key; without it only the unkeyed part can be checked. */
  readonly key?: Uint8Array | undefined;
  /** Heads exported earlier; each must still be in the chain with the same hash. */
  readonly anchors?: readonly AuditAnchor[] | undefined;
  /**
   * The seq of an entry other than `notSeq` linking to `prevHash` (asked only on a break; a
   * store answers it from the database, so it may answer a promise).
   */
  readonly successorOf: (
    prevHash: string,
    notSeq: number,
  ) => number | undefined | Promise<number | undefined>;
}

export class ChainWalk {
  private prevHash = GENESIS;
  private count = 0;
  private keyedFrom: number | null = null;
  private readonly anchors: AuditAnchor[];
  private nextAnchor = 0;

  constructor(private readonly options: WalkOptions) {
    this.anchors = [...(options.anchors ?? [])].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Takes the next entry; answers the verdict when the chain breaks here (a promise of it when
   * successorOf answered one), else undefined: an intact entry costs no promise.
   */
  step(e: AuditEntry): Broken | undefined | Promise<Broken> {
    const expectedSeq = this.count + 1;
    if (e.seq !== expectedSeq) {
      return broken(expectedSeq, "missing", `entry ${expectedSeq} is missing (next is ${e.seq})`);
    }
    const selfOk = this.sealOk(e);
    if (selfOk && e.prevHash === this.prevHash) {
      this.prevHash = e.hash;
      this.count = e.seq;
      return this.checkAnchors(e);
    }
    if (e.prevHash === this.prevHash) return this.notLinked(e, selfOk, undefined);
    const successor = this.options.successorOf(this.prevHash, e.seq);
    return successor instanceof Promise
      ? successor.then((s) => this.notLinked(e, selfOk, s))
      : this.notLinked(e, selfOk, successor);
  }

  private notLinked(e: AuditEntry, selfOk: boolean, successor: number | undefined): Broken {
    if (successor) return broken(e.seq, "reordered", `entry ${e.seq} is out of place in the chain`);
    if (!selfOk) return broken(e.seq, "edited", this.editedMessage(e));
    return broken(
      e.seq,
      "missing",
      `entry ${e.seq} does not link to entry ${e.seq - 1}: an entry before it was removed or changed`,
    );
  }

  /** After the last entry: the verdict on the whole chain. */
  finish(): AuditVerdict {
    const anchor = this.anchors[this.nextAnchor];
    if (anchor !== undefined) {
      const from = this.count + 1;
      return broken(
        from,
        "truncated",
        `entries from ${from} on are missing: an anchor names entry ${anchor.seq} (hash ${anchor.hash.slice(0, 16)}…)`,
      );
    }
    if (this.options.key !== undefined && this.count > 0 && this.keyedFrom === null) {
      return broken(
        1,
        "unkeyed",
        "no entry is sealed with the audit key: the log was rewritten without the key, or the key belongs to another database",
      );
    }
    const head = this.count === 0 ? null : { seq: this.count, hash: this.prevHash };
    return { ok: true, count: this.count, head, keyedFrom: this.keyedFrom };
  }

  /** Keyed from the first entry whose MAC holds under the key, unkeyed before it. */
  private sealOk(e: AuditEntry): boolean {
    const key = this.options.key;
    if (this.keyedFrom !== null) return entryHash(e, key) === e.hash;
    if (entryHash(e) === e.hash) return true;
    if (key === undefined || entryHash(e, key) !== e.hash) return false;
    this.keyedFrom = e.seq;
    return true;
  }

  private checkAnchors(e: AuditEntry): Broken | undefined {
    for (let a = this.anchors[this.nextAnchor]; a !== undefined && a.seq <= e.seq; ) {
      if (a.hash !== e.hash) {
        return broken(
          e.seq,
          "edited",
          `entry ${e.seq} does not match its anchor (hash ${a.hash.slice(0, 16)}…): entries up to ${e.seq} were rewritten since the anchor was exported, or the anchor is from another log`,
        );
      }
      this.nextAnchor++;
      a = this.anchors[this.nextAnchor];
    }
    return undefined;
  }

  private editedMessage(e: AuditEntry): string {
    if (this.options.key === undefined && this.keyedFrom === null && e.action === KEYED_ACTION) {
      return `entry ${e.seq} starts the keyed part of the log: verify with the audit key`;
    }
    return `entry ${e.seq} was changed after it was written (or written without the audit key)`;
  }
}

function broken(seq: number, problem: Broken["problem"], message: string): Broken {
  return { ok: false, seq, problem, message };
}

/** Verifies entries given in storage order (ascending seq), all at once. For small chains. */
export function verifyChain(
  entries: readonly AuditEntry[],
  options: { key?: Uint8Array; anchors?: readonly AuditAnchor[] } = {},
): AuditVerdict {
  const walk = new ChainWalk({
    ...options,
    successorOf: (prevHash, notSeq) =>
      entries.find((o) => o.seq !== notSeq && o.prevHash === prevHash)?.seq,
  });
  for (const e of entries) {
    // successorOf above answers synchronously, so step never answers a promise here.
    const bad = walk.step(e) as Broken | undefined;
    if (bad !== undefined) return bad;
  }
  return walk.finish();
}
