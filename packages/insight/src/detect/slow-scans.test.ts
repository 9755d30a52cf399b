// The low-and-slow scan detector over simulated hours (the clock is each observation's time):
// one port every 10 s is caught, 19 contacts in 6 h are not, 20 spread over more than 6 h are
// not; a scan paced at one contact per 15 minutes is one alert for hours; memory stays bounded.
import { describe, expect, it } from "vitest";
import type { FlowObservation } from "../flow.js";
import { Baseline } from "./baseline.js";
import { DetectionEngine } from "./engine.js";
import { SlowScans } from "./slow-scans.js";
import { obs, viewOf } from "./testing.js";
import type { DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 0, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;

/** `n` refused contacts of `from`, `gapMs` apart, to port 1000+i on `hosts` in turn. */
function paced(from: string, n: number, gapMs: number, hosts = ["db-1"]): FlowObservation[] {
  return Array.from({ length: n }, (_, i) =>
    obs(from, hosts[i % hosts.length] as string, `tcp/${1000 + i}`, T0 + i * gapMs, "allowed", {
      outcome: "refused",
    }),
  );
}

function feed(e: DetectionEngine, batch: readonly FlowObservation[]): DetectedAlert[] {
  const out: DetectedAlert[] = [];
  for (const o of batch) out.push(...e.observe([o], o.last));
  return out;
}

describe("slow scans", () => {
  it("one port every 10 s: no fast scan, a slow one at the 20th contact", () => {
    const e = new DetectionEngine(viewOf());
    const out = feed(e, paced("x", 19, 10_000));
    expect(out).toEqual([]);
    const at20 = feed(e, paced("x", 20, 10_000).slice(19));
    expect(at20.map((a) => a.kind)).toEqual(["scan"]);
    const a = at20[0] as DetectedAlert;
    expect(a.severity).toBe("medium");
    expect(a.summary).toBe(
      "x slowly scanned 20 ports on db-1 (20 failed contacts within 6 h: low and slow)",
    );
    expect(a.evidence.detail).toEqual({ slowScanContacts: 20, slowScanWindowMs: 6 * HOUR });
    expect(a.evidence.ports).toHaveLength(20);
  });

  it("one contact every 15 minutes for 8 hours is one alert, raised at 4 h 45", () => {
    const e = new DetectionEngine(viewOf());
    const out = feed(e, paced("x", 32, 15 * MIN, ["db-1", "db-2", "db-3", "db-4"]));
    const ids = new Set(out.map((a) => a.id));
    expect(ids.size).toBe(1);
    expect(out[0]?.at).toBe(T0 + 19 * 15 * MIN);
    const last = out.at(-1) as DetectedAlert;
    expect(last.count).toBe(32 - 20 + 1);
    expect(last.lastAt).toBe(T0 + 31 * 15 * MIN);
    // four hosts: high, and still the slow summary after the fast path updated it
    expect(last.severity).toBe("high");
    expect(last.summary).toMatch(/^x slowly scanned 32 ports on 4 hosts/);
  });

  it("20 contacts spread over more than 6 hours raise nothing", () => {
    const e = new DetectionEngine(viewOf());
    expect(feed(e, paced("x", 40, 20 * MIN))).toEqual([]);
  });

  it("counts blocked and unanswered contacts, not answered ones nor an outage of known edges", () => {
    const answered = paced("x", 30, 10_000).map((o) => ({ ...o, outcome: "established" as const }));
    const allowed = new Set(answered.map((o) => Baseline.key("x", "db-1", o.port)));
    expect(feed(new DetectionEngine(viewOf(new Baseline(), allowed)), answered)).toEqual([]);
    const known = new Baseline();
    for (const o of answered) known.add("x", "db-1", o.port);
    const outage = paced("x", 30, 10_000);
    expect(feed(new DetectionEngine(viewOf(known)), outage)).toEqual([]);
    const blocked = paced("x", 20, 10_000).map((o) => ({ ...o, verdict: "blocked" as const }));
    expect(feed(new DetectionEngine(viewOf()), blocked).map((a) => a.kind)).toEqual(["scan"]);
    const silent = paced("x", 20, 10_000).map((o) => ({ ...o, outcome: "unanswered" as const }));
    expect(feed(new DetectionEngine(viewOf()), silent).map((a) => a.kind)).toEqual(["scan"]);
  });

  it("is tunable: 5 contacts in 1 h, or off with 0", () => {
    const tuned = new DetectionEngine(viewOf(), { slowScanContacts: 5, slowScanWindowMs: HOUR });
    expect(feed(tuned, paced("x", 5, 10 * MIN)).map((a) => a.kind)).toEqual(["scan"]);
    const off = new DetectionEngine(viewOf(), { slowScanContacts: 0 });
    expect(feed(off, paced("x", 100, 10_000))).toEqual([]);
  });

  it("holds at most maxSlowSources sources of slowScanContacts contacts each", () => {
    const slow = new SlowScans({
      slowScanContacts: 20,
      slowScanWindowMs: 6 * HOUR,
      maxSlowSources: 100,
    });
    for (let s = 0; s < 3000; s++) {
      for (let p = 0; p < 30; p++)
        slow.record(`10.2.${s >> 8}.${s & 255}`, "web-1", `tcp/${p}`, T0);
    }
    expect(slow.size()).toBe(100 * 20);
    // the newest sources are the ones kept, with their newest contacts
    expect(slow.contactsOf("10.2.11.183").ports).toEqual(
      Array.from({ length: 20 }, (_, i) => `tcp/${10 + i}`),
    );
    expect(slow.contactsOf("10.2.0.1").ports).toEqual([]);
    slow.sweep(T0 + 6 * HOUR + 1);
    expect(slow.size()).toBe(0);
  });

  it("drops the least recently failed source first, its order kept to within a sweep", () => {
    const slow = new SlowScans({
      slowScanContacts: 20,
      slowScanWindowMs: 6 * HOUR,
      maxSlowSources: 3,
    });
    for (const s of ["a", "b", "c"]) slow.record(s, "web-1", "tcp/1", T0);
    slow.sweep(T0 + MIN);
    // "a" failed again after the sweep: it is now the most recent, "b" the least
    slow.record("a", "web-1", "tcp/2", T0 + 2 * MIN);
    slow.record("d", "web-1", "tcp/1", T0 + 3 * MIN);
    expect(slow.contactsOf("a").ports).toEqual(["tcp/1", "tcp/2"]);
    expect(slow.contactsOf("b").ports).toEqual([]);
    expect(slow.contactsOf("c").ports).toEqual(["tcp/1"]);
  });
  it("a restart an hour into a slow scan keeps its alert: the scan goes on as the same alert", () => {
    const first = new DetectionEngine(viewOf());
    const raised = feed(first, paced("x", 20, 15 * MIN, ["db-1", "db-2"]));
    const alert = raised.at(-1) as DetectedAlert;
    expect(alert.kind).toBe("scan");
    // restarted more than the de-dup window (10 min) after the alert's last contact, well within
    // the slow window: restore keeps it open for the slow window, as the running engine did
    const later = alert.lastAt + HOUR;
    const restarted = new DetectionEngine(viewOf());
    restarted.restore(JSON.parse(JSON.stringify([alert])) as DetectedAlert[], later);
    const more = feed(
      restarted,
      Array.from({ length: 5 }, (_, i) =>
        obs("x", "db-3", `tcp/${2000 + i}`, later + i * 15 * MIN, "allowed", {
          outcome: "refused",
        }),
      ),
    );
    expect(more.length).toBeGreaterThan(0);
    expect(new Set(more.map((a) => a.id))).toEqual(new Set([alert.id]));
  });
});
