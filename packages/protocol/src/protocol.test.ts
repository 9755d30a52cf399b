import type { ErrorCode, RuleSet, Workload } from "@microseg/core";
import { compile, EMPTY_POLICY, ERROR_CODES, loadPolicy } from "@microseg/core";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  EnrolRequestSchema,
  HTTP_STATUS,
  normalizeFingerprint,
  PATHS,
  PolicyQuerySchema,
  PolicyResponseSchema,
  pathFor,
  RuleSetSchema,
  StatusRequestSchema,
  sameFingerprint,
  WorkloadPutSchema,
  WorkloadSchema,
} from "./index.js";

const web: Workload = {
  name: "web-1",
  labels: { app: "shop", role: "web" },
  addresses: ["198.18.1.10"],
  mode: "enforce",
  managed: true,
  namedPorts: { http: { proto: "tcp", from: 80, to: 80 } },
};
const db: Workload = {
  ...web,
  name: "db-1",
  labels: { app: "shop", role: "db" },
  addresses: ["198.18.1.20", "2001:db8::20"],
};

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432, icmp, udp/5000-5100]
`;

describe("protocol v1 schemas", () => {
  it("carries compiled RuleSets unchanged (parse(JSON(ruleSet)) equals ruleSet)", () => {
    const loaded = loadPolicy([{ file: "p.yaml", text: POLICY }]);
    expect(loaded.diagnostics).toEqual([]);
    for (const rs of compile(loaded.policy, [web, db]).values()) {
      const parsed: RuleSet = RuleSetSchema.parse(JSON.parse(JSON.stringify(rs)));
      expect(parsed).toEqual(rs);
    }
    const empty = compile(EMPTY_POLICY, [web]).get("web-1");
    expect(RuleSetSchema.parse(empty)).toEqual(empty);
  });

  it("workloads round-trip as core Workloads", () => {
    const parsed: Workload = WorkloadSchema.parse(db);
    expect(parsed).toEqual(db);
  });

  it("a policy response may carry no RuleSet (nothing provisioned yet)", () => {
    const body = {
      revision: null,
      ruleSet: null,
      management: { v4: ["127.0.0.1/32"], v6: [] },
      issuedAt: "2026-01-01T00:00:00.000Z",
    };
    expect(PolicyResponseSchema.parse(body)).toEqual(body);
  });

  it("bounds the long-poll wait and coerces query strings", () => {
    expect(PolicyQuerySchema.parse({ known: "abc", wait: "25" })).toEqual({
      known: "abc",
      wait: 25,
    });
    expect(PolicyQuerySchema.safeParse({ wait: "61" }).success).toBe(false);
    expect(PolicyQuerySchema.safeParse({ wait: "-1" }).success).toBe(false);
  });

  it("accepts an empty status report as a heartbeat and rejects unknown event kinds", () => {
    expect(StatusRequestSchema.parse({})).toEqual({});
    const bad = { events: [{ kind: "reboot", at: "2026-01-01T00:00:00Z", details: "" }] };
    expect(StatusRequestSchema.safeParse(bad).success).toBe(false);
  });

  it("requires key, hostname and interfaces to enrol", () => {
    expect(EnrolRequestSchema.safeParse({ key: "k", hostname: "h" }).success).toBe(false);
    const ok = {
      key: "k",
      hostname: "h",
      interfaces: [{ name: "eth0", addresses: ["198.18.0.5"] }],
    };
    expect(EnrolRequestSchema.parse(ok)).toEqual(ok);
  });

  it("fills workload defaults on PUT", () => {
    expect(WorkloadPutSchema.parse({})).toEqual({
      labels: {},
      addresses: [],
      mode: "enforce",
      managed: true,
    });
  });
});

describe("errors on the wire", () => {
  it("maps every registry code to an HTTP error status", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code]).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("builds the error body with details only when given", () => {
    expect(new ApiError("MSEG_API_NOT_FOUND", "no such workload").body()).toEqual({
      error: { code: "MSEG_API_NOT_FOUND", message: "no such workload" },
    });
    const e = new ApiError("MSEG_POLICY_INVALID", "invalid", { diagnostics: [] });
    expect(e.status).toBe(422);
    expect(e.body().error.details).toEqual({ diagnostics: [] });
  });
});

describe("paths and fingerprints", () => {
  it("fills path parameters, URL-encoded", () => {
    expect(pathFor(PATHS.workload, { name: "a b" })).toBe("/api/v1/workloads/a%20b");
    expect(() => pathFor(PATHS.agent, {})).toThrow(/missing parameter id/);
  });

  it("normalizes fingerprints pasted with colons or upper case", () => {
    const hex = "ab".repeat(32);
    expect(normalizeFingerprint(`sha256:${"AB:".repeat(31)}AB`)).toBe(hex);
    expect(normalizeFingerprint("abc")).toBeUndefined();
    expect(sameFingerprint(hex.toUpperCase(), hex)).toBe(true);
    expect(sameFingerprint("x", "x")).toBe(false);
  });
});
