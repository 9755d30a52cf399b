// In-memory cache of live agent credentials: credential hash -> agent (id, workload), so an agent
// request costs no store read once the credential is known.
//
// Contract (one controller owns the store, see docs/design/controller.md):
// - Only live agents are cached. An agent enters on enrolment or on its first successful
//   authentication against the store; the store stays the truth for unknown credentials.
// - A revoke is effective when revokeAgent() returns: the use case commits the revoke to the
//   store and then calls forget(id) before answering, so every request authenticated after that
//   gets 401. Revocation is permanent, so revoked ids are remembered for the life of the process
//   and never cached again — a store read that was in flight during the revoke cannot put a
//   stale "live" entry back.
import type { AgentRecord } from "@microseg/store";

export class AgentCredentials {
  private readonly byHash = new Map<string, AgentRecord>();
  private readonly hashOf = new Map<string, string>();
  private readonly revoked = new Set<string>();

  /** The cached live agent for a credential hash, undefined when not cached (ask the store). */
  lookup(credentialHash: string): AgentRecord | undefined {
    return this.byHash.get(credentialHash);
  }

  /** Caches a live agent; ignored for revoked agents (by record or by an earlier forget). */
  remember(agent: AgentRecord): void {
    if (agent.revoked || this.revoked.has(agent.id)) return;
    this.byHash.set(agent.credentialHash, agent);
    this.hashOf.set(agent.id, agent.credentialHash);
  }

  /** The agent was revoked: drop it now and never cache it again. */
  forget(id: string): void {
    this.revoked.add(id);
    const hash = this.hashOf.get(id);
    if (hash === undefined) return;
    this.hashOf.delete(id);
    this.byHash.delete(hash);
  }

  /** True once forget(id) was called in this process. */
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }
}
