// Enrolment profiles. consume() is the single place a key use is checked and counted; agents.enrol
// calls it inside its own unit of work so a refused or failed enrolment never spends a use.

import type { EnrolmentRepo, KeyRefusal, Result } from "../port.js";
import type { EnrolmentProfile } from "../records.js";
import { keyRefusal, profileSnapshot } from "../shared/rules.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

export function consume(
  t: Tables,
  keyHash: string,
  now: Date,
): Result<{ profile: EnrolmentProfile }, KeyRefusal> {
  const found = t.profileByKey(keyHash);
  if (found === undefined) return { ok: false, reason: "unknown" };
  const refusal = keyRefusal(found, now);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const profile = { ...found, uses: found.uses + 1 };
  t.putProfile(profile);
  return { ok: true, profile };
}

export function enrolmentRepo(db: Backend, ctx: EngineContext): EnrolmentRepo {
  return {
    async create(input, actor) {
      return db.run((t) => {
        if (t.profile(input.id) || t.profileByName(input.name) || t.profileByKey(input.keyHash)) {
          return { ok: false, reason: "conflict" } as const;
        }
        const profile: EnrolmentProfile = {
          id: input.id,
          name: input.name,
          keyHash: input.keyHash,
          labels: { ...input.labels },
          mode: input.mode,
          expiresAt: input.expiresAt ?? null,
          maxUses: input.maxUses ?? null,
          uses: 0,
          revoked: false,
          createdAt: ctx.clock().toISOString(),
        };
        t.putProfile(profile);
        const target = `profile/${profile.id}`;
        record(t, ctx, {
          actor,
          action: "enrolment.create",
          target,
          after: profileSnapshot(profile),
        });
        return { ok: true, profile } as const;
      });
    },
    async get(id) {
      return db.run((t) => t.profile(id));
    },
    async list() {
      return db.run((t) => t.profiles());
    },
    async revoke(id, actor) {
      return db.run((t) => {
        const before = t.profile(id);
        if (before === undefined) return undefined;
        if (before.revoked) return before;
        const after = { ...before, revoked: true };
        t.putProfile(after);
        const snap = { before: profileSnapshot(before), after: profileSnapshot(after) };
        record(t, ctx, { actor, action: "enrolment.revoke", target: `profile/${id}`, ...snap });
        return after;
      });
    },
    async consumeKey(keyHash, now) {
      return db.run((t) => consume(t, keyHash, now));
    },
  };
}
