// Reading and verifying the audit log over the API: pages of at most AUDIT_PAGE_MAX entries with
// the path of the next page, and a verify walk against anchors exported earlier.
import { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, type AuditAnchor, PATHS } from "@microseg/protocol";
import type { AuditEntry, AuditVerdict } from "@microseg/store";
import type { ControllerContext } from "../context.js";

export interface AuditPageQuery {
  readonly afterSeq?: number | undefined;
  readonly limit?: number | undefined;
  readonly target?: string | undefined;
}

export interface AuditPage {
  readonly entries: AuditEntry[];
  /** The next page's path, with the same filter and limit; null when this page is the last. */
  readonly next: string | null;
}

export async function pageAudit(ctx: ControllerContext, q: AuditPageQuery): Promise<AuditPage> {
  const limit = Math.min(q.limit ?? AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX);
  const afterSeq = q.afterSeq ?? 0;
  // One more than asked tells whether a next page exists without a second query.
  const rows = await ctx.store.audit.list({
    afterSeq,
    limit: limit + 1,
    ...(q.target !== undefined && { target: q.target }),
  });
  const entries = rows.slice(0, limit);
  const last = entries[entries.length - 1];
  if (rows.length <= limit || last === undefined) return { entries, next: null };
  const params = new URLSearchParams({ afterSeq: String(last.seq), limit: String(limit) });
  if (q.target !== undefined) params.set("target", q.target);
  return { entries, next: `${PATHS.audit}?${params}` };
}

export async function verifyAudit(
  ctx: ControllerContext,
  anchors: readonly AuditAnchor[],
): Promise<AuditVerdict> {
  return ctx.store.audit.verify(anchors.map((a) => ({ seq: a.seq, hash: a.hash })));
}
