// The long-poll loop's management version: `none` first (so a controller whose management
// settings changed since the stored policy answers at once), then the version of the last answer;
// an older controller sends none and is asked without it.
import { NO_MANAGEMENT_VERSION, type PolicyResponse } from "@microseg/protocol/agent";
import { describe, expect, it } from "vitest";
import type { ControllerClient } from "./controller-client.js";
import type { DesiredPolicy } from "./dataplane.js";
import { syncPolicy } from "./policy-sync.js";
import { memoryLog, serverRuleSet } from "./testing/index.js";

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
