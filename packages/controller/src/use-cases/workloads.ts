// Workload inventory: list, get, put (create or replace), patch (labels merge, mode), delete.
// Every change goes to the store first (audited there with the actor), then to the hub, which
// recompiles incrementally and wakes the agents whose RuleSet changed. What is saved is checked
// with the protocol's WorkloadSchema (core's name, label and address grammar), as enrolment is;
// an address another workload holds (stored, or declared by the active policy) answers 409.
import { canonicalAddress, type Mode, type Workload } from "@microseg/core";
import {
  ApiError,
  type WorkloadPatch,
  type WorkloadPutSchema,
  WorkloadSchema,
} from "@microseg/protocol";
import type { AddressTaken, WorkloadRecord } from "@microseg/store";
import type { z } from "zod";
import type { ControllerContext } from "../context.js";
import { addressConflict } from "./enrol-refusals.js";

export async function listWorkloads(ctx: ControllerContext): Promise<WorkloadRecord[]> {
  return (await ctx.store.workloads.list()).map((w) => withQuarantine(ctx, w));
}

export async function getWorkload(ctx: ControllerContext, name: string): Promise<WorkloadRecord> {
  const w = await ctx.store.workloads.get(name);
  if (w === undefined) throw notFound(name);
  return withQuarantine(ctx, w);
}

/** The record as the API shows it: with its quarantine (detect/quarantine.ts) while there is one. */
function withQuarantine(ctx: ControllerContext, w: WorkloadRecord): WorkloadRecord {
  const q = ctx.hub.quarantineOf(w.name);
  if (q === undefined) return w;
  const quarantine = { since: q.since, reason: q.reason, forensic: q.forensic, actor: q.actor };
  return { ...w, quarantine };
}

export async function putWorkload(
  ctx: ControllerContext,
  name: string,
  body: z.output<typeof WorkloadPutSchema>,
  actor: string,
) {
  const workload = checkWorkload({ ...body, name });
  return saveWorkload(ctx, workload, actor);
}

export async function patchWorkload(
  ctx: ControllerContext,
  name: string,
  patch: WorkloadPatch,
  actor: string,
) {
  const before = await getWorkload(ctx, name);
  const labels: Record<string, string> = { ...before.labels };
  for (const [k, v] of Object.entries(patch.labels ?? {})) {
    if (v === null) delete labels[k];
    else labels[k] = v;
  }
  const { createdAt: _c, updatedAt: _u, quarantine: _q, ...rest } = before;
  const mode: Mode = patch.mode ?? before.mode;
  return saveWorkload(ctx, checkWorkload({ ...rest, labels, mode }), actor);
}

export async function deleteWorkload(ctx: ControllerContext, name: string, actor: string) {
  const result = await ctx.store.workloads.delete(name, actor);
  if (!result.ok && result.reason === "not-found") throw notFound(name);
  if (!result.ok) {
    throw new ApiError(
      "MSEG_API_CONFLICT",
      `workload "${name}" has a live agent; revoke the agent first (POST /api/v1/agents/ID/revoke)`,
    );
  }
  const changed = ctx.hub.removeWorkload(name);
  ctx.log.info({ workload: name, actor, changed: changed.length }, "workload deleted");
  return result.before;
}

async function saveWorkload(ctx: ControllerContext, workload: Workload, actor: string) {
  const declared = declaredHolder(ctx, workload);
  if (declared !== undefined) throw addressConflict(declared, `"${workload.name}"`);
  const saved = await ctx.store.workloads.upsert(workload, actor);
  if (!saved.ok) throw addressConflict(saved, `"${workload.name}"`);
  const { record, change } = saved;
  if (change !== "unchanged") {
    const changed = ctx.hub.upsertWorkload(record);
    ctx.log.info(
      { workload: record.name, change, actor, changed: changed.length },
      "workload saved",
    );
  }
  return { workload: record, change };
}

/** An address of `w` that a workload the active policy declares (and the store does not shadow) holds. */
function declaredHolder(ctx: ControllerContext, w: Workload): AddressTaken | undefined {
  const mine = new Set(w.addresses.map(canonicalAddress));
  for (const d of ctx.hub.declaredWorkloads()) {
    if (d.name === w.name || ctx.hub.storedWorkload(d.name) !== undefined) continue;
    const address = d.addresses.map(canonicalAddress).find((a) => mine.has(a));
    if (address !== undefined)
      return { ok: false, reason: "address-taken", address, holder: d.name };
  }
  return undefined;
}

/** The workload as the API takes it (WorkloadSchema); 400 naming every wrong field otherwise. */
function checkWorkload(w: Workload): Workload {
  const parsed = WorkloadSchema.safeParse(w);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
  }));
  const first = issues[0];
  throw new ApiError("MSEG_API_BAD_REQUEST", `${first?.path}: ${first?.message}`, { issues });
}

function notFound(name: string): ApiError {
  return new ApiError(
    "MSEG_API_NOT_FOUND",
    `no workload "${name}" (GET /api/v1/workloads lists them)`,
  );
}
