// The policy long-poll loop. Each round asks for anything newer than the hash it last received;
// the controller answers at once with a new policy or with 204 after `waitS`. A policy goes to the
// dataplane's cheap onUpdate; the loop never waits for the apply. Network errors never end the
// loop: it backs off (exponential, jittered) and the kernel keeps the last good policy meanwhile.
// A 429 waits Retry-After instead; a 409 (MSEG_API_POLL_REPLACED) means a newer poll with this
// agent's credential replaced ours: another process holds the same credential. A backoff ends
// early when another channel (status report, flow batch) reached the controller (`contact`).

import type { RuleSet } from "@microseg/core";
import { NO_MANAGEMENT_VERSION, NO_RULESET, POLL_WAIT_DEFAULT_S } from "@microseg/protocol/agent";
import type { Logger } from "pino";
import { type Backoff, type ContactHint, createBackoff, sleep as realSleep } from "./backoff.js";
import { type ControllerClient, ControllerError, retryAfter } from "./controller-client.js";
import type { DesiredPolicy } from "./dataplane.js";
import type { AgentObserver } from "./metrics.js";

export interface PolicySyncOptions {
  readonly client: ControllerClient;
  readonly onPolicy: (policy: DesiredPolicy) => void;
  /** Hash of the RuleSet the agent already has (the stored last good one). */
  readonly known?: string;
  /** Enforced when the controller says there is nothing to enforce (ruleSet null). */
  readonly beforePolicy: RuleSet;
  /** Long-poll wait the controller is asked for (s); default the protocol's (30). */
  readonly waitS?: number;
  readonly signal: AbortSignal;
  readonly log: Pick<Logger, "info" | "warn" | "error" | "debug">;
  readonly backoff?: Backoff;
  /** Injectable for tests. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Ends a backoff early when another channel reached the controller. */
  readonly contact?: ContactHint;
  /** Told whether each poll got an answer from the controller (any HTTP status below 500). */
  readonly observer?: Pick<AgentObserver, "contact">;
}

export async function syncPolicy(o: PolicySyncOptions): Promise<void> {
  const backoff = o.backoff ?? createBackoff();
  const sleep = o.sleep ?? realSleep;
  let known = o.known ?? NO_RULESET;
  // "none" first: a controller answers at once if its management settings are not the ones the
  // stored policy came with; afterwards the version it sent (absent from older controllers).
  let mgmt: string | undefined = NO_MANAGEMENT_VERSION;
  let offline = false;
  while (!o.signal.aborted) {
    try {
      const res = await o.client.policy(known, o.waitS ?? POLL_WAIT_DEFAULT_S, o.signal, mgmt);
      o.observer?.contact(true);
      if (offline) o.log.info("controller reachable again");
      offline = false;
      backoff.reset();
      if (!res) continue;
      const hash = res.ruleSet?.hash ?? NO_RULESET;
      if (hash === known) await sleep(1000, o.signal); // never spin on a repeat
      known = hash;
      mgmt = res.managementVersion;
      const { revision, management } = res;
      // Absent from an older controller: the dataplane then allows the channel alone.
      const access = res.managementAccess && { managementAccess: res.managementAccess };
      if (res.ruleSet)
        o.onPolicy({ revision, ruleSet: res.ruleSet, management, ...access, source: "controller" });
      else
        o.onPolicy({
          revision,
          ruleSet: o.beforePolicy,
          management,
          ...access,
          source: "before-policy",
          none: true,
        });
    } catch (e) {
      if (o.signal.aborted) break;
      o.observer?.contact(e instanceof ControllerError && e.status < 500);
      const wait = retryAfter(e);
      if (wait !== undefined) {
        o.log.debug({ retryInMs: wait }, "policy requests above this agent's quota; waiting");
        await sleep(wait, o.signal);
        continue;
      }
      const delay = backoff.next();
      const error = (e as Error).message;
      const refused = e instanceof ControllerError && e.refused;
      const replaced = e instanceof ControllerError && e.status === 409;
      const msg = replaced
        ? "another process polls with this agent's credential (a cloned host?); enrol it with its own key"
        : refused
          ? "the controller refuses this agent (revoked?); the last good policy stays in force"
          : "controller unreachable; the last good policy stays in force";
      if (offline) o.log.debug({ error, retryInMs: delay }, msg);
      else if (replaced) o.log.warn({ error, retryInMs: delay }, msg);
      else if (refused) o.log.error({ error, retryInMs: delay }, msg);
      else o.log.warn({ error, retryInMs: delay }, msg);
      offline = true;
      await sleep(delay, o.contact ? AbortSignal.any([o.signal, o.contact.next]) : o.signal);
    }
  }
}
