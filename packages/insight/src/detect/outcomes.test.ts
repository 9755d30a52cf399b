// Detection with connection outcomes: refused and unanswered contacts are suspicious in every mode
// and never learned; contacts that were answered before are an outage, not a scan; lateral
// movement counts what reached a service, and failed attempts only on high-risk services.
import { describe, expect, it } from "vitest";
import type { FlowObservation, FlowOutcome, FlowVerdict } from "../flow.js";
import { Baseline } from "./baseline.js";
import { DetectionEngine } from "./engine.js";
import { obs, viewOf } from "./testing.js";
import type { DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const SERVERS = ["db-1", "db-2", "db-3", "db-4"];
/** 43 closed ports: tcp/20..tcp/62. */
const CLOSED = Array.from({ length: 43 }, (_, i) => `tcp/${20 + i}`);

const contact = (
  from: string,
  to: string,
  port: string,
  at: number,
  outcome: FlowOutcome,
  verdict: FlowVerdict = "allowed",
) => obs(from, to, port, at, verdict, { outcome });

/**
 * What the controller does with a learn-mode estate's batch: its answered, allowed flows join the
 * baseline before the engine looks at the batch (HubView.learn), one observation per batch.
 */
function learnAndFeed(engine: DetectionEngine, baseline: Baseline, batch: FlowObservation[]) {
  const out: DetectedAlert[] = [];
  for (const o of batch) {
    baseline.learn([o]);
    out.push(...engine.observe([o], o.last));
  }
  return out;
}

const latest = (as: readonly DetectedAlert[]) => [...new Map(as.map((a) => [a.id, a])).values()];
const ofKind = (as: readonly DetectedAlert[], k: string) => latest(as).filter((a) => a.kind === k);

/** A laptop sweeping 43 closed ports and the open tcp/5432 on four servers, 2 minutes long. */
function sweep(): FlowObservation[] {
  const ports = [
    ...CLOSED.map((p) => [p, "refused"] as const),
    ["tcp/5432", "established"] as const,
  ];
  return SERVERS.flatMap((server, s) =>
    ports.map(([port, outcome], i) =>
      contact("laptop", server, port, T0 + (s * ports.length + i) * 600, outcome),
    ),
  );
}

describe("a learn-mode estate", () => {
  it("a sweep of 43 closed ports on 4 servers is a scan, and no closed port is learned", () => {
    const baseline = new Baseline();
    const out = learnAndFeed(new DetectionEngine(viewOf(baseline)), baseline, sweep());
    const scans = ofKind(out, "scan");
    expect(scans).toHaveLength(1);
    expect(scans[0]?.source).toBe("laptop");
    expect(scans[0]?.severity).toBe("high");
    expect([...(scans[0]?.targets ?? [])].sort()).toEqual(SERVERS);
    expect(baseline.has(obs("laptop", "db-1", "tcp/22", T0))).toBe(false);
    expect(baseline.has(obs("laptop", "db-1", "tcp/5432", T0))).toBe(true);
    expect(baseline.size).toBe(4);
  });

  it("an ordinary client of the same servers raises nothing, outages included", () => {
    const baseline = new Baseline();
    const engine = new DetectionEngine(viewOf(baseline));
    const day: FlowObservation[] = [];
    for (let m = 0; m < 60; m++) {
      for (const s of SERVERS)
        day.push(contact("app-1", s, "tcp/5432", T0 + m * 60_000, "established"));
    }
    // the databases go down for ten minutes: every connection refused, then unanswered
    for (let m = 60; m < 70; m++) {
      for (const s of SERVERS) {
        day.push(
          contact("app-1", s, "tcp/5432", T0 + m * 60_000, m < 65 ? "refused" : "unanswered"),
        );
      }
    }
    expect(learnAndFeed(engine, baseline, day)).toEqual([]);
  });

  it("a refused contact is never learned: the same port refused again later still counts", () => {
    const baseline = new Baseline();
    const engine = new DetectionEngine(viewOf(baseline));
    learnAndFeed(engine, baseline, [contact("x", "db-1", "tcp/8080", T0, "refused")]);
    expect(baseline.size).toBe(0);
    const later = SERVERS.map((s, i) => contact("x", s, "tcp/8080", T0 + 1000 + i, "refused"));
    expect(ofKind(learnAndFeed(engine, baseline, later), "scan")).toHaveLength(1);
  });
});

describe("in every mode", () => {
  it("unanswered udp contacts to 4 hosts are a horizontal scan", () => {
    const e = new DetectionEngine(viewOf());
    const out = SERVERS.flatMap((s, i) =>
      e.observe([contact("x", s, "udp/161", T0 + i, "unanswered")], T0 + i),
    );
    expect(ofKind(out, "scan")).toHaveLength(1);
  });

  it("refused contacts count even where the policy allows the edge (enforce mode)", () => {
    const allowed = new Set(SERVERS.map((s) => Baseline.key("x", s, "tcp/5432")));
    const e = new DetectionEngine(viewOf(new Baseline(), allowed));
    const out = SERVERS.flatMap((s, i) =>
      e.observe([contact("x", s, "tcp/5432", T0 + i, "refused")], T0 + i),
    );
    expect(ofKind(out, "scan")).toHaveLength(1);
    // answered, the same contacts are a client of an allowed service: nothing
    const fine = new DetectionEngine(viewOf(new Baseline(), allowed));
    const quiet = SERVERS.flatMap((s, i) =>
      fine.observe([contact("x", s, "tcp/5432", T0 + i, "established")], T0 + i),
    );
    expect(quiet).toEqual([]);
  });

  it("would-block contacts the network refused count like blocked ones (test mode)", () => {
    const e = new DetectionEngine(viewOf());
    const out = CLOSED.slice(0, 15).flatMap((p, i) =>
      e.observe([contact("x", "db-1", p, T0 + i, "refused", "would-block")], T0 + i),
    );
    expect(ofKind(out, "scan")).toHaveLength(1);
  });
});

describe("lateral movement with outcomes", () => {
  it("refused contacts on ordinary ports are no lateral movement", () => {
    const e = new DetectionEngine(viewOf());
    const out = ["tcp/8081", "tcp/8082", "tcp/8083", "tcp/8084"].flatMap((p, i) =>
      e.observe([contact("web-1", `app-${i}`, p, T0 + i, "refused")], T0 + i),
    );
    expect(ofKind(out, "lateral-movement")).toEqual([]);
  });

  it("a refused ssh attempt is one, but reaches nothing: the target's later alert is its own", () => {
    const e = new DetectionEngine(viewOf());
    const ab = e.observe([contact("a", "b", "tcp/22", T0, "refused")], T0);
    expect(ofKind(ab, "lateral-movement")).toHaveLength(1);
    const bc = e.observe([contact("b", "c", "tcp/22", T0 + 60_000, "established")], T0 + 60_000);
    expect(bc[0]?.incident).not.toBe(ab[0]?.incident);
    expect(bc[0]?.evidence.chain).toBeUndefined();
  });

  it("an answered ssh edge no policy explains reaches its target (the chain goes on)", () => {
    const e = new DetectionEngine(viewOf());
    const ab = e.observe([contact("a", "b", "tcp/22", T0, "established")], T0);
    const bc = e.observe([contact("b", "c", "tcp/22", T0 + 60_000, "established")], T0 + 60_000);
    expect(bc[0]?.incident).toBe(ab[0]?.incident);
    expect(bc[0]?.evidence.chain).toEqual(["a", "b"]);
  });

  it("a refused ssh attempt the policy allows is explained: no alert", () => {
    const allowed = new Set([Baseline.key("bastion", "db-1", "tcp/22")]);
    const e = new DetectionEngine(viewOf(new Baseline(), allowed));
    expect(e.observe([contact("bastion", "db-1", "tcp/22", T0, "refused")], T0)).toEqual([]);
  });
});
