// Agent enrolment: key -> profile -> workload (labels and mode from the profile) -> agent with a
// fresh credential, all in one store unit. The credential is returned once.
import { isIP } from "node:net";
import { ApiError, type EnrolRequest, type EnrolResponse } from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { hashSecret, newId, newSecret } from "../secrets.js";

export async function enrolAgent(
  ctx: ControllerContext,
  req: EnrolRequest,
): Promise<EnrolResponse> {
  const credential = newSecret("agent");
  const workload = req.workload ?? req.hostname;
  const result = await ctx.store.agents.enrol({
    keyHash: hashSecret(req.key),
    now: ctx.clock(),
    agentId: newId("agent"),
    credentialHash: hashSecret(credential),
    hostname: req.hostname,
    interfaces: req.interfaces,
    workload,
    addresses: workloadAddresses(req.interfaces),
  });
  if (!result.ok) {
    if (result.reason === "workload-taken") {
      throw new ApiError(
        "MSEG_API_CONFLICT",
        `workload "${workload}" already has a live agent; revoke it first or enrol under another name`,
      );
    }
    if (result.reason === "conflict")
      throw new ApiError("MSEG_INTERNAL", "agent id collision; retry");
    ctx.log.warn({ hostname: req.hostname, reason: result.reason }, "enrolment refused");
    throw new ApiError("MSEG_ENROL_REFUSED", `enrolment key refused: ${result.reason}`, {
      reason: result.reason,
    });
  }
  const { agent, workload: record } = result;
  ctx.credentials.remember(agent);
  ctx.hub.upsertWorkload(record);
  ctx.log.info({ agent: agent.id, workload: record.name }, "agent enrolled");
  const { createdAt: _c, updatedAt: _u, ...wire } = record;
  return {
    agentId: agent.id,
    credential,
    workload: { ...wire, addresses: [...wire.addresses], labels: { ...wire.labels } },
    mode: record.mode,
    heartbeatSeconds: ctx.settings.heartbeatSeconds,
  };
}

/** Every interface address except loopback and link-local, without prefix, de-duplicated. */
export function workloadAddresses(interfaces: EnrolRequest["interfaces"]): string[] {
  const out = new Set<string>();
  for (const i of interfaces) {
    for (const raw of i.addresses) {
      const a = raw.split("/")[0] ?? "";
      const v = isIP(a);
      if (v === 4 && !/^(127\.|169\.254\.)/.test(a)) out.add(a);
      if (v === 6 && !/^(::1$|fe[89ab][0-9a-f]:)/i.test(a)) out.add(a.toLowerCase());
    }
  }
  return [...out].sort();
}
