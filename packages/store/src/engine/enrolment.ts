// Enrolment profiles. usableProfile() is the single place a key is checked and spend() the single
// place a use is counted; agents.enrol calls both inside its own unit of work (checking the key
// before anything else, spending only once the enrolment is sure) so a refused or failed
// enrolment never spends a use.

import type { EnrolmentRepo, KeyRefusal, Result } from "../port.js";
import type { EnrolmentProfile } from "../records.js";
import { keyRefusal, profileSnapshot } from "../shared/rules.js";
import { record } from "./audit.js";
import type { Backend, EngineContext, Tables } from "./tables.js";

/** The profile whose key hashes to `keyHash`, when the key may be used now. */
export async function usableProfile(
  t: Tables,
  keyHash: string,
  now: Date,
): Promise<Result<{ profile: EnrolmentProfile }, KeyRefusal>> {
  const found = await t.profileByKey(keyHash);
  if (found === undefined) return { ok: false, reason: "unknown" };
  const refusal = keyRefusal(found, now);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  return { ok: true, profile: found };
}

/** Counts one use of a usable profile; answers the profile as stored. */
export async function spend(t: Tables, profile: EnrolmentProfile): Promise<EnrolmentProfile> {
  const spent = { ...profile, uses: profile.uses + 1 };
  await t.putProfile(spent);
  return spent;
}

export async function consume(
  t: Tables,
  keyHash: string,
  now: Date,
): Promise<Result<{ profile: EnrolmentProfile }, KeyRefusal>> {
  const usable = await usableProfile(t, keyHash, now);
  return usable.ok ? { ok: true, profile: await spend(t, usable.profile) } : usable;
}

export function enrolmentRepo(db: Backend, ctx: EngineContext): EnrolmentRepo {
  return {
    async create(input, actor) {
      return db.run(async (t) => {
        if (
          (await t.profile(input.id)) ||
          (await t.profileByName(input.name)) ||
          (await t.profileByKey(input.keyHash))
        ) {
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
          workload: input.workload ?? null,
          uses: 0,
          revoked: false,
          createdAt: ctx.clock().toISOString(),
        };
        await t.putProfile(profile);
        const target = `profile/${profile.id}`;
        await record(t, ctx, {
          actor,
          action: "enrolment.create",
          target,
          after: profileSnapshot(profile),
        });
        return { ok: true, profile } as const;
      });
    },
    async get(id) {
      return db.run(async (t) => t.profile(id), "read");
    },
    async list() {
      return db.run(async (t) => t.profiles(), "read");
    },
    async revoke(id, actor) {
      return db.run(async (t) => {
        const before = await t.profile(id);
        if (before === undefined) return undefined;
        if (before.revoked) return before;
        const after = { ...before, revoked: true };
        await t.putProfile(after);
        const snap = { before: profileSnapshot(before), after: profileSnapshot(after) };
        await record(t, ctx, {
          actor,
          action: "enrolment.revoke",
          target: `profile/${id}`,
          ...snap,
        });
        return after;
      });
    },
    async consumeKey(keyHash, now) {
      return db.run((t) => consume(t, keyHash, now));
    },
  };
}
