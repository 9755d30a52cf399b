// Audit: every audited change calls record() inside its own unit of work, so the entry and the
// change commit together. The key (when the store has one) seals each entry; see
// shared/audit-chain.ts for the chain and the keyed part.

import type { AuditInput, AuditRepo, StartKeyedResult } from "../port.js";
import type { AuditEntry } from "../records.js";
import {
  AUDIT_PAGE,
  KEYED_ACTION,
  KEYED_TARGET,
  keyIdOf,
  sealEntry,
} from "../shared/audit-chain.js";
import { ChainWalk } from "../shared/chain-walk.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export async function record(
  t: Tables,
  ctx: EngineContext,
  input: AuditInput,
): Promise<AuditEntry> {
  ctx.failpoint?.(`audit:${input.action}`);
  // An unkeyed entry after the keyed part would break the chain for good.
  if (ctx.auditKey === undefined && (await t.auditKeyed()) !== undefined) {
    throw new Error("the audit log is sealed with an audit key: open the store with that key");
  }
  const entry = sealEntry(await t.auditHead(), input, ctx.clock(), ctx.auditKey);
  await t.appendAudit(entry);
  return entry;
}

const ALL = Number.MAX_SAFE_INTEGER;

export function auditRepo(db: Backend, ctx: EngineContext): AuditRepo {
  const key = ctx.auditKey;
  const keyId = key === undefined ? undefined : keyIdOf(key);
  const epochOf = async (t: Tables) => {
    const e = await t.auditKeyed();
    return e && { seq: e.seq, keyId: String((e.after as { keyId?: unknown } | null)?.keyId) };
  };
  return {
    async append(input) {
      return db.run((t) => record(t, ctx, input));
    },
    async list(opts = {}) {
      return db.run(
        async (t) => t.auditEntries(opts.afterSeq ?? 0, opts.limit ?? ALL, opts.target),
        "read",
      );
    },
    async head() {
      return db.run(async (t) => t.auditHead(), "read");
    },
    async epoch() {
      return db.run(epochOf, "read");
    },
    async startKeyed(actor) {
      return db.run(async (t): Promise<StartKeyedResult> => {
        if (keyId === undefined) return { ok: false, reason: "no-key" };
        const epoch = await epochOf(t);
        if (epoch !== undefined) {
          if (epoch.keyId !== keyId) return { ok: false, reason: "other-key", keyId: epoch.keyId };
          return { ok: true, started: false, epoch };
        }
        const head = await t.auditHead();
        const e = await record(t, ctx, {
          actor,
          action: KEYED_ACTION,
          target: KEYED_TARGET,
          before: head === undefined ? null : { alg: "sha256", seq: head.seq, hash: head.hash },
          after: { alg: "hmac-sha256", keyId },
        });
        return { ok: true, started: true, epoch: { seq: e.seq, keyId } };
      });
    },
    async verify(anchors) {
      const walk = new ChainWalk({
        key,
        anchors,
        successorOf: (prevHash, notSeq) =>
          db.run(async (t) => t.auditSuccessor(prevHash, notSeq), "read"),
      });
      // A page per unit of work: memory stays at one page, and other calls run in between.
      for (let after = 0; ; ) {
        const page = await db.run(async (t) => t.auditEntries(after, AUDIT_PAGE), "read");
        for (const e of page) {
          const bad = walk.step(e);
          if (bad !== undefined) return bad;
        }
        const last = page[page.length - 1];
        if (last === undefined || page.length < AUDIT_PAGE) return walk.finish();
        after = last.seq;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
