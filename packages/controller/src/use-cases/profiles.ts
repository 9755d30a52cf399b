// Enrolment profiles: the labels and mode a new workload gets when its agent enrols with the
// profile's key, or the one workload the key enrols (`workload`: the agent becomes it, and may
// take it over while it has no live agent). The key is returned once at creation; the store
// keeps its sha256. Every field was checked by ProfileCreateSchema (expiresAt a real time).
import { ApiError, type ProfileCreateSchema } from "@microseg/protocol";
import type { EnrolmentProfile } from "@microseg/store";
import type { z } from "zod";
import type { ControllerContext } from "../context.js";
import { hashSecret, newId, newSecret } from "../secrets.js";

export async function createProfile(
  ctx: ControllerContext,
  body: z.output<typeof ProfileCreateSchema>,
  actor: string,
) {
  const key = newSecret("enrol");
  const result = await ctx.store.enrolment.create(
    {
      id: newId("prof"),
      name: body.name,
      keyHash: hashSecret(key),
      labels: body.labels,
      mode: body.mode,
      expiresAt: body.expiresAt ?? null,
      maxUses: body.maxUses ?? null,
      workload: body.workload ?? null,
    },
    actor,
  );
  if (!result.ok) throw new ApiError("MSEG_API_CONFLICT", `a profile named "${body.name}" exists`);
  return { profile: profileView(result.profile), key };
}

export async function listProfiles(ctx: ControllerContext) {
  return (await ctx.store.enrolment.list()).map(profileView);
}

export async function revokeProfile(ctx: ControllerContext, id: string, actor: string) {
  const profile = await ctx.store.enrolment.revoke(id, actor);
  if (profile === undefined)
    throw new ApiError("MSEG_API_NOT_FOUND", `no enrolment profile "${id}"`);
  return profileView(profile);
}

/** Without the key hash: not a secret, but nothing a reader needs. */
export function profileView(p: EnrolmentProfile) {
  const { keyHash: _k, ...rest } = p;
  return rest;
}
