// Agent enrolment: key -> profile -> workload -> agent with a fresh credential, all in one store
// unit. Who the agent becomes is decided by the store's rules (a profile bound to a workload
// gives that one; otherwise the agent's --workload, else its hostname in lower case, which must
// not exist yet; no address another workload holds), with the workloads the active policy
// declares counted as existing. The credential is returned once.
import { isIP } from "node:net";
import { canonicalAddress, workloadNameOfHost } from "@microseg/core";
import type { EnrolRequest, EnrolResponse } from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import { hashSecret, newId, newSecret } from "../secrets.js";
import { enrolRefusal } from "./enrol-refusals.js";

export async function enrolAgent(
  ctx: ControllerContext,
  req: EnrolRequest,
): Promise<EnrolResponse> {
  const credential = newSecret("agent");
  const defaultWorkload = workloadNameOfHost(req.hostname);
  const result = await ctx.store.agents.enrol({
    keyHash: hashSecret(req.key),
    now: ctx.clock(),
    agentId: newId("agent"),
    credentialHash: hashSecret(credential),
    hostname: req.hostname,
    interfaces: req.interfaces,
    ...(req.workload !== undefined && { workload: req.workload }),
    ...(defaultWorkload !== undefined && { defaultWorkload }),
    addresses: workloadAddresses(req.interfaces),
    declared: ctx.hub.declaredWorkloads(),
  });
  if (!result.ok) {
    ctx.log.warn({ hostname: req.hostname, refusal: result }, "enrolment refused");
    throw enrolRefusal(req, result);
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

/**
 * Every interface address except loopback and link-local, without prefix, in its canonical text,
 * de-duplicated.
 */
export function workloadAddresses(interfaces: EnrolRequest["interfaces"]): string[] {
  const out = new Set<string>();
  for (const i of interfaces) {
    for (const raw of i.addresses) {
      const a = raw.split("/")[0] ?? "";
      const v = isIP(a);
      if (v === 4 && !/^(127\.|169\.254\.)/.test(a)) out.add(canonicalAddress(a));
      if (v === 6 && !/^(::1$|fe[89ab][0-9a-f]:)/i.test(a)) out.add(canonicalAddress(a));
    }
  }
  return [...out].sort();
}
