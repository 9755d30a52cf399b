// Audit: every audited change calls record() inside its own unit of work, so the entry and the
// change commit together.

import type { AuditInput, AuditRepo } from "../port.js";
import type { AuditEntry } from "../records.js";
import { sealEntry, verifyChain } from "../shared/audit-chain.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function record(t: Tables, ctx: EngineContext, input: AuditInput): AuditEntry {
  ctx.failpoint?.(`audit:${input.action}`);
  const entry = sealEntry(t.auditHead(), input, ctx.clock());
  t.appendAudit(entry);
  return entry;
}

const ALL = Number.MAX_SAFE_INTEGER;

export function auditRepo(db: Backend, ctx: EngineContext): AuditRepo {
  return {
    async append(input) {
      return db.run((t) => record(t, ctx, input));
    },
    async list(opts = {}) {
      return db.run((t) => t.auditEntries(opts.afterSeq ?? 0, opts.limit ?? ALL, opts.target));
    },
    async verify(expectedHead) {
      return verifyChain(
        db.run((t) => t.auditEntries(0, ALL)),
        expectedHead,
      );
    },
  };
}
