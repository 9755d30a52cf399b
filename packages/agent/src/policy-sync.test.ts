// The policy long-poll loop's answers to a controller that says "not now": 429 waits Retry-After
// (not the growing backoff), a replaced poll (409) is told apart from a revoked agent.
import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";
import { type ControllerClient, ControllerError } from "./controller-client.js";
import { syncPolicy } from "./policy-sync.js";
import type { PolicyResponse } from "./wire.js";

const RULESET = { workload: "web-1", hash: "h1" } as unknown as PolicyResponse["ruleSet"];

describe("syncPolicy", () => {
  it("waits Retry-After on 429, backs off on a replaced poll, then takes the policy", async () => {
    const abort = new AbortController();
    const answers: (() => PolicyResponse)[] = [
      () => {
        throw new ControllerError(429, "policy: controller answered 429", 4000);
      },
      () => {
        throw new ControllerError(409, "policy: controller answered 409 MSEG_API_POLL_REPLACED");
      },
      () => ({
        revision: 1,
        ruleSet: RULESET,
        management: { v4: [], v6: [] },
        issuedAt: "2026-03-01T00:00:00Z",
      }),
    ];
    const client = {
      policy: async () => {
        const next = answers.shift();
        if (next === undefined) {
          abort.abort();
          return undefined;
        }
        return next();
      },
    } as unknown as ControllerClient;
    const sleeps: number[] = [];
    const warnings: string[] = [];
    const applied: (string | undefined)[] = [];
    const log = {
      info: () => {},
      debug: () => {},
      error: () => {},
      warn: (_o: object, m: string) => warnings.push(m),
    };
    await syncPolicy({
      client,
      onPolicy: (p) => applied.push(p.ruleSet.hash),
      beforePolicy: RULESET as never,
      signal: abort.signal,
      log: log as never,
      backoff: createBackoff({ random: () => 1 }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(sleeps).toEqual([4000, 500]);
    expect(
      warnings.some((w) => w.includes("another process polls with this agent's credential")),
    ).toBe(true);
    expect(applied).toEqual(["h1"]);
  });
});
