// Workload inventory: list, get, put (create or replace), patch (labels merge, mode), delete.
// Every change goes to the store first (audited there with the actor), then to the hub, which
// recompiles incrementally and wakes the agents whose RuleSet changed.
import { isIP } from "node:net";
import type { Labels, Mode, Workload } from "@microseg/core";
import { ApiError, type WorkloadPatch, type WorkloadPutSchema } from "@microseg/protocol";
import type { WorkloadRecord } from "@microseg/store";
import type { z } from "zod";
import type { ControllerContext } from "../context.js";

const NAME = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,251}[a-zA-Z0-9])?$/;

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
  const { record, change } = await ctx.store.workloads.upsert(workload, actor);
  if (change !== "unchanged") {
    const changed = ctx.hub.upsertWorkload(record);
    ctx.log.info(
      { workload: record.name, change, actor, changed: changed.length },
      "workload saved",
    );
  }
  return { workload: record, change };
}

/** Names, labels and addresses the compiler can take; messages name the field. */
function checkWorkload(w: Workload): Workload {
  if (!NAME.test(w.name)) {
    throw bad(`name "${w.name}" must be 1-253 letters, digits, ".", "_" or "-"`, "name");
  }
  for (const a of w.addresses) {
    if (isIP(a) === 0) throw bad(`address "${a}" is not an IPv4 or IPv6 address`, "addresses");
  }
  checkLabels(w.labels);
  return w;
}

function checkLabels(labels: Labels): void {
  for (const [k, v] of Object.entries(labels)) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9./_-]{0,252})?$/.test(k))
      throw bad(`label key "${k}" is not valid`, `labels.${k}`);
    if (v.length > 63) throw bad(`label "${k}" is longer than 63 characters`, `labels.${k}`);
  }
}

function bad(message: string, path: string): ApiError {
  return new ApiError("MSEG_API_BAD_REQUEST", message, { issues: [{ path, message }] });
}

function notFound(name: string): ApiError {
  return new ApiError(
    "MSEG_API_NOT_FOUND",
    `no workload "${name}" (GET /api/v1/workloads lists them)`,
  );
}
