import { describe, expect, it, vi } from "vitest";
import { type ControllerClient, ControllerError } from "./controller-client.js";
import { MAX_QUEUED_EVENTS, StatusReporter } from "./status-reporter.js";
import type { StatusRequest } from "./wire.js";

function client(up: { ok: boolean }, sent: StatusRequest[]): ControllerClient {
  return {
    enrol: async () => {
      throw new Error("unused");
    },
    policy: async () => undefined,
    status: async (report) => {
      if (!up.ok) throw new Error("ECONNREFUSED");
      sent.push(report);
      return { heartbeatSeconds: 7 };
    },
    sendFlows: async () => {
      throw new Error("unused");
    },
  };
}

const event = (i: number) => ({ kind: "tamper" as const, at: `t${i}`, details: `d${i}` });

describe("StatusReporter", () => {
  it("queues events while the controller is away and delivers them once, in order", async () => {
    const up = { ok: false };
    const sent: StatusRequest[] = [];
    const reporter = new StatusReporter(() => client(up, sent));
    reporter.event(event(1));
    reporter.event(event(2));
    expect(await reporter.send()).toBe(false);
    up.ok = true;
    expect(await reporter.send()).toBe(true);
    expect(await reporter.send()).toBe(true);
    expect(sent.map((s) => s.events?.map((e) => e.at))).toEqual([["t1", "t2"], undefined]);
  });

  it("drops the events of a report the controller refuses as malformed (400), then acknowledges again", async () => {
    const sent: StatusRequest[] = [];
    let refuse = true;
    const c: ControllerClient = {
      ...client({ ok: true }, sent),
      status: async (report) => {
        if (refuse && report.events !== undefined) {
          throw new ControllerError(400, "status: invalid body: events.0.kind");
        }
        sent.push(report);
        return {};
      },
    };
    const reporter = new StatusReporter(() => c);
    reporter.event({ kind: "stopped", at: "t1", details: "stopped (maintenance)" });
    expect(await reporter.send()).toBe(false);
    expect([reporter.queued, reporter.dropped]).toEqual([0, 1]);
    refuse = false;
    reporter.applied({ revision: 3, rulesetHash: "h3", ok: true, ms: 1 });
    expect(await reporter.send()).toBe(true);
    expect(sent.map((s) => s.applied?.revision)).toEqual([3]);
  });

  it("keeps events a 401 or a network error refused (they are sent later)", async () => {
    const c: ControllerClient = {
      ...client({ ok: true }, []),
      status: async () => {
        throw new ControllerError(401, "status: unknown credential");
      },
    };
    const reporter = new StatusReporter(() => c);
    reporter.event(event(1));
    expect(await reporter.send()).toBe(false);
    expect([reporter.queued, reporter.dropped]).toEqual([1, 0]);
  });

  it("hands every accepted answer to onAnswer (the maintenance token hash rides on it)", async () => {
    const c: ControllerClient = {
      ...client({ ok: true }, []),
      status: async () => ({ heartbeatSeconds: 5, maintenanceHash: "ab".repeat(32) }),
    };
    const reporter = new StatusReporter(() => c);
    const answers: unknown[] = [];
    reporter.onAnswer = (a) => answers.push(a);
    await reporter.send();
    expect(answers).toEqual([{ heartbeatSeconds: 5, maintenanceHash: "ab".repeat(32) }]);
  });

  it("sends at most 100 events per report and bounds the queue", async () => {
    const sent: StatusRequest[] = [];
    const reporter = new StatusReporter(() => client({ ok: true }, sent));
    for (let i = 0; i < MAX_QUEUED_EVENTS + 5; i++) reporter.event(event(i));
    expect(reporter.dropped).toBe(5);
    expect(reporter.queued).toBe(MAX_QUEUED_EVENTS);
    await reporter.send();
    expect(sent.map((s) => s.events?.length)).toEqual(Array(10).fill(100));
    expect(sent[0]?.events?.[0]?.at).toBe("t5");
    expect(reporter.queued).toBe(0);
  });

  it("always carries the latest applied revision and drift state", async () => {
    const sent: StatusRequest[] = [];
    const reporter = new StatusReporter(() => client({ ok: true }, sent));
    reporter.applied({ revision: 3, rulesetHash: "h", ok: true, ms: 4 });
    reporter.drift({ drifted: false });
    await reporter.send();
    await reporter.send();
    expect(reporter.controllerHeartbeatS).toBe(7);
    expect(sent[1]).toEqual({
      applied: { revision: 3, rulesetHash: "h", ok: true, ms: 4 },
      drift: { drifted: false },
    });
  });

  it("holds its reports for Retry-After after a 429, keeping its events", async () => {
    let now = 0;
    const sent: StatusRequest[] = [];
    let limited = true;
    const c: ControllerClient = {
      ...client({ ok: true }, sent),
      status: async (report) => {
        if (limited) throw new ControllerError(429, "status: controller answered 429", 5000);
        sent.push(report);
        return {};
      },
    };
    const reporter = new StatusReporter(
      () => c,
      () => {},
      () => now,
    );
    reporter.event(event(1));
    expect(await reporter.send()).toBe(false);
    limited = false;
    now = 4999;
    expect(await reporter.send()).toBe(false); // not asked again before Retry-After
    expect(sent).toHaveLength(0);
    now = 5000;
    expect(await reporter.send()).toBe(true);
    expect(sent.map((s) => s.events?.map((e) => e.at))).toEqual([["t1"]]);
  });

  it("sends what waited as soon as Retry-After has passed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const sent: StatusRequest[] = [];
      let limited = true;
      const c: ControllerClient = {
        ...client({ ok: true }, sent),
        status: async (report) => {
          if (limited) throw new ControllerError(429, "status: controller answered 429", 2000);
          sent.push(report);
          return {};
        },
      };
      const reporter = new StatusReporter(() => c);
      reporter.event(event(1));
      expect(await reporter.send()).toBe(false);
      limited = false;
      await vi.advanceTimersByTimeAsync(1999);
      expect(sent).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(sent.map((s) => s.events?.map((e) => e.at))).toEqual([["t1"]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
