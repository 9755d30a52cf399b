// The policy long-poll loop: its answers to a controller that says "not now" (429 waits
// Retry-After, not the growing backoff; a replaced poll, 409, is told apart from a revoked agent),
// and its management version: `none` first (so a controller whose management settings changed
// since the stored policy answers at once), then the version of the last answer; an older
// controller sends none and is asked without it.
import { NO_MANAGEMENT_VERSION, type PolicyResponse } from "@microseg/protocol/agent";
import { describe, expect, it, vi } from "vitest";
import { ContactHint, createBackoff } from "./backoff.js";
import { type ControllerClient, ControllerError } from "./controller-client.js";
import type { DesiredPolicy } from "./dataplane.js";
import { syncPolicy } from "./policy-sync.js";
import { memoryLog, serverRuleSet } from "./testing/index.js";

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

describe("syncPolicy after the controller was away", () => {
  it("ends its backoff when another channel reached the controller, not before", async () => {
    const abort = new AbortController();
    const hint = new ContactHint();
    const polls: string[] = [];
    const client = {
      policy: async () => {
        polls.push("poll");
        if (polls.length === 1) throw new Error("connect ECONNREFUSED 198.18.0.1:8443");
        abort.abort();
        return { revision: 1, ruleSet: RULESET, management: { v4: [], v6: [] }, issuedAt: "" };
      },
    } as unknown as ControllerClient;
    let sleeping: ((how: string) => void) | undefined;
    const ended: string[] = [];
    // A backoff of a minute that ends only by its signal: the loop goes on only if the hint fired.
    const sleep = (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        expect(ms).toBeGreaterThanOrEqual(30_000);
        sleeping = (how) => {
          ended.push(how);
          resolve();
        };
        signal.addEventListener("abort", () => sleeping?.("signal"), { once: true });
      });
    const applied: string[] = [];
    const loop = syncPolicy({
      client,
      onPolicy: (p) => applied.push(p.ruleSet.hash),
      beforePolicy: RULESET as never,
      signal: abort.signal,
      log: memoryLog().log,
      backoff: createBackoff({ baseMs: 60_000, random: () => 1 }),
      contact: hint,
      sleep,
    });
    await vi.waitFor(() => expect(sleeping).toBeDefined());
    await new Promise((r) => setTimeout(r, 20));
    expect(polls).toHaveLength(1);
    hint.contact();
    await loop;
    expect(ended).toEqual(["signal"]);
    expect(polls).toHaveLength(2);
    expect(applied).toEqual(["h1"]);
  });
});

const ruleSet = serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }, [80]);
const answer = (extra: Partial<PolicyResponse>): PolicyResponse => ({
  revision: 1,
  ruleSet: ruleSet as PolicyResponse["ruleSet"],
  management: { v4: ["198.18.0.1/32"], v6: [] },
  issuedAt: new Date().toISOString(),
  ...extra,
});

describe("syncPolicy management version", () => {
  it("asks with none, then echoes the controller's version; none from an older controller", async () => {
    const access: NonNullable<PolicyResponse["managementAccess"]> = {
      channel: [],
      services: [{ proto: "tcp", ranges: [[22, 22]] }],
    };
    const answers = [
      answer({ managementVersion: "v1", managementAccess: access }),
      answer({ managementVersion: "v2" }),
      answer({}),
    ];
    const asked: (string | undefined)[] = [];
    const got: DesiredPolicy[] = [];
    const stop = new AbortController();
    const client = {
      policy: async (_known: string | undefined, _w: number, _s?: AbortSignal, mgmt?: string) => {
        asked.push(mgmt);
        const next = answers.shift();
        if (next === undefined) stop.abort();
        return next;
      },
    } as unknown as ControllerClient;
    await syncPolicy({
      client,
      onPolicy: (p) => got.push(p),
      beforePolicy: ruleSet,
      signal: stop.signal,
      log: memoryLog().log,
      known: "other",
      waitS: 0,
    });
    expect(asked).toEqual([NO_MANAGEMENT_VERSION, "v1", "v2", undefined]);
    expect(got[0]?.managementAccess).toEqual(access);
    expect(got[2]).not.toHaveProperty("managementAccess");
  }, 10_000);
});
