// Quarantine and release: the store first (audited there, with the actor), then the hub, which
// recompiles the workload to deny-all (enforced whatever its mode) and drops it from every peer
// set, waking exactly the agents whose RuleSet changed.
import { isIP } from "node:net";
import { ApiError, type QuarantineRequestSchema, type QuarantineWire } from "@microseg/protocol";
import type { Quarantine } from "@microseg/store";
import type { z } from "zod";
import type { ControllerContext } from "../context.js";

export async function quarantineWorkload(
  ctx: ControllerContext,
  name: string,
  req: z.output<typeof QuarantineRequestSchema>,
  actor: string,
): Promise<{ workload: string; quarantine: QuarantineWire }> {
  req.forensic.forEach((a, i) => {
    if (isIP(a) === 0) {
      const message = `forensic address "${a}" is not an IPv4 or IPv6 address`;
      throw new ApiError("MSEG_API_BAD_REQUEST", message, {
        issues: [{ path: `forensic.${i}`, message }],
      });
    }
  });
  const q: Quarantine = {
    workload: name,
    since: ctx.clock().toISOString(),
    reason: req.reason,
    forensic: req.forensic,
    actor,
  };
  const result = await ctx.store.quarantine.set(q, actor);
  if (!result.ok) throw notFound(name);
  const woken = ctx.hub.setQuarantine(name, result.quarantine);
  ctx.log.warn(
    { workload: name, actor, reason: req.reason, forensic: req.forensic, woken: woken.length },
    "workload quarantined",
  );
  return { workload: name, quarantine: wire(result.quarantine) };
}

export async function releaseWorkload(
  ctx: ControllerContext,
  name: string,
  actor: string,
): Promise<{ workload: string; released: QuarantineWire | null }> {
  if ((await ctx.store.workloads.get(name)) === undefined) throw notFound(name);
  const released = await ctx.store.quarantine.release(name, actor);
  const woken = ctx.hub.setQuarantine(name, undefined);
  ctx.log.warn({ workload: name, actor, woken: woken.length }, "workload released from quarantine");
  return { workload: name, released: released === undefined ? null : wire(released) };
}

export function wire(q: Quarantine): QuarantineWire {
  return { since: q.since, reason: q.reason, forensic: [...q.forensic], actor: q.actor };
}

function notFound(name: string): ApiError {
  return new ApiError(
    "MSEG_API_NOT_FOUND",
    `no workload "${name}" (GET /api/v1/workloads lists them)`,
  );
}
