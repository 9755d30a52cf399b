// Request bodies are limited per route, from Content-Length before anything is read (a chunked
// body as it streams): 413 MSEG_API_BODY_TOO_LARGE naming the limit.
import {
  type ErrorBody,
  MAX_FLOW_COUNTER,
  MAX_FLOW_RECORDS,
  MAX_FLOW_TIME_MS,
} from "@microseg/protocol";
import { describe, expect, it } from "vitest";
import { BODY_LIMITS } from "../limits/defaults.js";
import { testController } from "../test-helpers.js";
import { bodyLimitFor } from "./body-limit.js";

describe("body limits per route", () => {
  it("names a limit for every route, from the route table", () => {
    expect(bodyLimitFor("POST", "/api/v1/enrol")).toBe(BODY_LIMITS.enrol);
    expect(bodyLimitFor("POST", "/api/v1/agent/status")).toBe(BODY_LIMITS.status);
    expect(bodyLimitFor("POST", "/api/v1/agent/flows")).toBe(BODY_LIMITS.flows);
    expect(bodyLimitFor("PUT", "/api/v1/policy/draft")).toBe(BODY_LIMITS.policy);
    expect(bodyLimitFor("POST", "/api/v1/policy/replay")).toBe(BODY_LIMITS.policy);
    expect(bodyLimitFor("PUT", "/api/v1/workloads/web-1")).toBe(BODY_LIMITS.json);
    expect(bodyLimitFor("POST", "/api/v1/no/such/route")).toBe(BODY_LIMITS.json);
  });

  it("lets the largest flow batch the schema allows through", () => {
    const longest = [
      "out",
      "x".repeat(16),
      "f".repeat(64),
      "f".repeat(64),
      65535,
      "would-block",
      MAX_FLOW_COUNTER,
      MAX_FLOW_COUNTER,
      MAX_FLOW_COUNTER,
      MAX_FLOW_TIME_MS,
      MAX_FLOW_TIME_MS,
    ];
    const one = JSON.stringify(longest).length + 1;
    expect(one * MAX_FLOW_RECORDS + 100).toBeLessThan(BODY_LIMITS.flows);
  });

  it("refuses an enrolment body over 64 KiB with 413, by its declared length or as it streams", async () => {
    const t = await testController();
    const big = JSON.stringify({
      key: "x".repeat(BODY_LIMITS.enrol),
      hostname: "h",
      interfaces: [],
    });
    const declared = await t.app.request("/api/v1/enrol", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(413);
    const body = (await declared.json()) as ErrorBody;
    expect(body.error.code).toBe("MSEG_API_BODY_TOO_LARGE");
    expect(body.error.message).toContain(`${BODY_LIMITS.enrol} bytes`);
    const chunked = await t.app.request("/api/v1/enrol", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it("keeps 8 MiB for policy text and refuses more", async () => {
    const t = await testController();
    const big = "x".repeat(BODY_LIMITS.policy + 1);
    const headers = { authorization: `Bearer ${t.token}`, "content-type": "application/yaml" };
    const declared = await t.app.request("/api/v1/policy/draft", {
      method: "PUT",
      headers: { ...headers, "content-length": String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(413);
    const small = await t.call("PUT", "/api/v1/policy/draft", "rules: []\n");
    expect(small.status).toBe(200);
  });

  it("refuses a status report over its limit", async () => {
    const t = await testController();
    const agent = await t.enrol("web-1", "198.18.0.10");
    const big = JSON.stringify({
      drift: { drifted: true, details: "x".repeat(BODY_LIMITS.status) },
    });
    const res = await t.app.request("/api/v1/agent/status", {
      method: "POST",
      headers: {
        authorization: `Bearer ${agent.credential}`,
        "content-type": "application/json",
        "content-length": String(big.length),
      },
      body: big,
    });
    expect(res.status).toBe(413);
  });
});
