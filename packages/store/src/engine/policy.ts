// Policy lifecycle: named drafts, numbered immutable revisions, one active pointer.
// provision and rollback each write a revision, move the pointer and audit in one unit of work.

import type { DraftInput, PolicyRepo, RollbackInput } from "../port.js";
import { DEFAULT_DRAFT } from "../port.js";
import type { Draft, Revision } from "../records.js";
import { textHash } from "../shared/rules.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

const summary = (r: Revision) => ({ number: r.number, hash: r.hash, comment: r.comment });

export function policyRepo(db: Backend, ctx: EngineContext): PolicyRepo {
  return {
    async getDraft(name = DEFAULT_DRAFT) {
      return db.run(async (t) => t.draft(name), "read");
    },
    async listDrafts() {
      return db.run(async (t) => t.drafts(), "read");
    },
    async saveDraft(input, actor) {
      return db.run((t) => saveDraft(t, ctx, input, actor));
    },
    async deleteDraft(name, actor) {
      return db.run(async (t) => {
        if (!(await t.deleteDraft(name))) return false;
        await record(t, ctx, { actor, action: "policy.draft.delete", target: `draft/${name}` });
        return true;
      });
    },
    async provision(input, actor) {
      return db.run(async (t) => {
        const draft = await t.draft(input.draft ?? DEFAULT_DRAFT);
        if (draft === undefined) return { ok: false, reason: "no-draft" } as const;
        const refused = await precheck(t, input.expectedActive, textHash(draft.text));
        if (refused !== undefined) return refused;
        const revision = { ...draft, comment: input.comment, rolledBackFrom: null };
        return {
          ok: true,
          revision: await activate(t, ctx, revision, actor, "policy.provision"),
        } as const;
      });
    },
    async rollback(input: RollbackInput, actor) {
      return db.run(async (t) => {
        const old = await t.revision(input.to);
        if (old === undefined) return { ok: false, reason: "no-revision" } as const;
        const refused = await precheck(t, input.expectedActive, old.hash);
        if (refused !== undefined) return refused;
        const revision = { ...old, comment: input.comment, rolledBackFrom: old.number };
        return {
          ok: true,
          revision: await activate(t, ctx, revision, actor, "policy.rollback"),
        } as const;
      });
    },
    async active() {
      return db.run(async (t) => {
        const n = await t.activeRevision();
        return n === null ? undefined : await t.revision(n);
      }, "read");
    },
    async revision(number) {
      return db.run(async (t) => t.revision(number), "read");
    },
    async history(opts = {}) {
      return db.run(
        async (t) => t.revisions(opts.limit ?? Number.MAX_SAFE_INTEGER, opts.before),
        "read",
      );
    },
  };
}

async function saveDraft(
  t: Tables,
  ctx: EngineContext,
  input: DraftInput,
  actor: string,
): Promise<Draft> {
  const name = input.name ?? DEFAULT_DRAFT;
  const before = await t.draft(name);
  const draft: Draft = {
    name,
    text: input.text,
    parsed: input.parsed,
    parsedVersion: input.parsedVersion,
    baseRevision: await t.activeRevision(),
    updatedAt: ctx.clock().toISOString(),
    updatedBy: actor,
  };
  await t.putDraft(draft);
  // The audit entry names the text by hash: drafts can be large and are kept in full anyway.
  const hashOf = (d: Draft | undefined) => (d === undefined ? null : { hash: textHash(d.text) });
  const target = `draft/${name}`;
  const change = { before: hashOf(before), after: hashOf(draft) };
  await record(t, ctx, { actor, action: "policy.draft.save", target, ...change });
  return draft;
}

/** Optimistic concurrency and no-op detection, shared by provision and rollback. */
async function precheck(t: Tables, expectedActive: number | null | undefined, hash: string) {
  const activeNumber = await t.activeRevision();
  if (expectedActive !== undefined && expectedActive !== activeNumber) {
    return { ok: false, reason: "stale" } as const;
  }
  const active = activeNumber === null ? undefined : await t.revision(activeNumber);
  if (active?.hash === hash) return { ok: false, reason: "unchanged" } as const;
  return undefined;
}

type RevisionSource = Pick<
  Revision,
  "text" | "parsed" | "parsedVersion" | "comment" | "rolledBackFrom"
>;

async function activate(
  t: Tables,
  ctx: EngineContext,
  src: RevisionSource,
  actor: string,
  action: string,
): Promise<Revision> {
  const before = await t.activeRevision();
  const revision: Revision = {
    number: (await t.lastRevisionNumber()) + 1,
    text: src.text,
    parsed: src.parsed,
    parsedVersion: src.parsedVersion,
    author: actor,
    createdAt: ctx.clock().toISOString(),
    comment: src.comment,
    hash: textHash(src.text),
    rolledBackFrom: src.rolledBackFrom,
  };
  await t.insertRevision(revision);
  ctx.failpoint?.(`${action}:inserted`);
  await t.setActiveRevision(revision.number);
  const beforeRev = before === null ? undefined : await t.revision(before);
  await record(t, ctx, {
    actor,
    action,
    target: `revision/${revision.number}`,
    before: beforeRev === undefined ? null : summary(beforeRev),
    after: { ...summary(revision), rolledBackFrom: revision.rolledBackFrom },
  });
  return revision;
}
