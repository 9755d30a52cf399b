// Detector behaviour on recorded flow sequences: just under each threshold nothing, just over one
// alert; de-duplication, incidents and chains; a normal baseline raises nothing; state is bounded.
import { describe, expect, it } from "vitest";
import type { FlowObservation } from "../flow.js";
import { Baseline } from "./baseline.js";
import { DecoyList, parseDecoy } from "./decoys.js";
import { DetectionEngine } from "./engine.js";
import { obs, viewOf } from "./testing.js";
import type { DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const kinds = (as: readonly DetectedAlert[]) => as.map((a) => a.kind).sort();
const ofKind = (as: readonly DetectedAlert[], k: string) => as.filter((a) => a.kind === k);

/** Feeds observations one batch each (as agents report them) and collects every raise. */
function feed(engine: DetectionEngine, batch: readonly FlowObservation[]): DetectedAlert[] {
  const out: DetectedAlert[] = [];
  for (const o of batch) out.push(...engine.observe([o], o.last));
  return out;
}

/** Latest snapshot per alert id. */
function latest(as: readonly DetectedAlert[]): DetectedAlert[] {
  return [...new Map(as.map((a) => [a.id, a])).values()];
}

const ports = (n: number, first = 10000) => Array.from({ length: n }, (_, i) => `tcp/${first + i}`);

describe("vertical scan", () => {
  it("14 ports on one host within 60 s raise no scan; 15 do", () => {
    const e = new DetectionEngine(viewOf());
    const under = feed(
      e,
      ports(14).map((p, i) => obs("x", "web-1", p, T0 + i * 100)),
    );
    expect(ofKind(under, "scan")).toEqual([]);
    const over = feed(e, [obs("x", "web-1", "tcp/20000", T0 + 2000)]);
    const scans = ofKind(over, "scan");
    expect(scans).toHaveLength(1);
    expect(scans[0]?.source).toBe("x");
    expect(scans[0]?.targets).toEqual(["web-1"]);
    expect(scans[0]?.severity).toBe("medium");
    // The ports that led to it are listed, not only the one that crossed the threshold.
    expect(scans[0]?.evidence.ports).toHaveLength(15);
  });

  it("15 ports spread over more than the window raise no scan", () => {
    const e = new DetectionEngine(viewOf());
    const out = feed(
      e,
      ports(15).map((p, i) => obs("x", "web-1", p, T0 + i * 5_000)),
    );
    expect(ofKind(out, "scan")).toEqual([]);
  });

  it("a 1,000-port scan is one alert whose count grows and lastAt moves", () => {
    const e = new DetectionEngine(viewOf());
    const out = feed(
      e,
      ports(1000, 1).map((p, i) => obs("10.9.9.9", "web-1", p, T0 + i * 10)),
    );
    const scans = latest(ofKind(out, "scan"));
    expect(scans).toHaveLength(1);
    const s = scans[0] as DetectedAlert;
    expect(s.count).toBe(1000 - 15 + 1);
    expect(s.at).toBe(T0 + 14 * 10);
    expect(s.lastAt).toBe(T0 + 999 * 10);
    expect(s.evidence.ports).toHaveLength(200);
    expect(s.evidence.flows.length).toBeLessThanOrEqual(20);
    // The alert lists 200 ports but counts them all.
    expect(s.summary).toBe("10.9.9.9 scanned 1000 ports on web-1");
    // Every alert of this source shares one incident.
    expect(new Set(latest(out).map((a) => a.incident)).size).toBe(1);
  });

  it("repeats of the same port are not new contacts", () => {
    const e = new DetectionEngine(viewOf());
    const out = feed(
      e,
      Array.from({ length: 50 }, (_, i) => obs("x", "web-1", "tcp/9999", T0 + i)),
    );
    expect(out).toEqual([]);
  });
});

describe("horizontal scan", () => {
  const sweep = (hosts: number) =>
    Array.from({ length: hosts }, (_, i) => obs("x", `10.0.0.${i + 1}`, "tcp/8080", T0 + i * 1000));

  it("3 hosts on one port raise nothing; 4 raise a high scan", () => {
    expect(feed(new DetectionEngine(viewOf()), sweep(3))).toEqual([]);
    const out = feed(new DetectionEngine(viewOf()), sweep(4));
    expect(kinds(out)).toEqual(["scan"]);
    expect(out[0]?.severity).toBe("high");
    expect(out[0]?.targets).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]);
    expect(latest(out)[0]?.summary).toBe("x scanned tcp/8080 on 4 hosts");
  });

  it("a client of a load-balanced service allowed by policy never counts", () => {
    const allowed = new Set(
      Array.from({ length: 10 }, (_, i) => Baseline.key("client", `backend-${i}`, "tcp/443")),
    );
    const e = new DetectionEngine(viewOf(new Baseline(), allowed));
    const out = feed(
      e,
      Array.from({ length: 10 }, (_, i) =>
        obs("client", `backend-${i}`, "tcp/443", T0 + i, "allowed"),
      ),
    );
    expect(out).toEqual([]);
  });

  it("known edges in the baseline never count, even when policy does not allow them", () => {
    const b = new Baseline();
    for (let i = 0; i < 10; i++) b.add("client", `backend-${i}`, "tcp/443");
    const out = feed(
      new DetectionEngine(viewOf(b)),
      Array.from({ length: 10 }, (_, i) =>
        obs("client", `backend-${i}`, "tcp/443", T0 + i, "allowed"),
      ),
    );
    expect(out).toEqual([]);
  });

  it("would-block contacts count like blocked ones", () => {
    const out = feed(
      new DetectionEngine(viewOf()),
      Array.from({ length: 4 }, (_, i) => obs("x", `h${i}`, "tcp/8080", T0 + i, "would-block")),
    );
    expect(kinds(out)).toContain("scan");
  });
});

describe("lateral movement", () => {
  it("one new ssh edge no policy or baseline explains raises a high alert", () => {
    const out = feed(new DetectionEngine(viewOf()), [
      obs("web-1", "db-1", "tcp/22", T0, "allowed"),
    ]);
    expect(kinds(out)).toEqual(["lateral-movement"]);
    expect(out[0]?.severity).toBe("high");
    expect(out[0]?.summary).toMatch(/tcp\/22 \(ssh\)/);
  });

  it("a database port weighs medium; one low-risk edge raises nothing", () => {
    const e = new DetectionEngine(viewOf());
    expect(feed(e, [obs("web-1", "app-1", "tcp/8081", T0, "allowed")])).toEqual([]);
    expect(feed(e, [obs("web-1", "db-1", "tcp/5432", T0 + 1, "allowed")])[0]?.severity).toBe(
      "medium",
    );
  });

  it("keeps the deciding rule in the evidence", () => {
    const out = feed(new DetectionEngine(viewOf()), [
      obs("web-1", "db-1", "tcp/3389", T0, "blocked", { rule: "deny-rdp" }),
    ]);
    expect(out[0]?.evidence.flows[0]?.rule).toBe("deny-rdp");
  });

  it("A->B then B->C within the window is one incident with the chain recorded", () => {
    const e = new DetectionEngine(viewOf());
    const ab = feed(e, [obs("a", "b", "tcp/22", T0, "allowed")]);
    const bc = feed(e, [obs("b", "c", "tcp/445", T0 + 60_000, "allowed")]);
    expect(ab[0]?.incident).toBeDefined();
    expect(bc[0]?.incident).toBe(ab[0]?.incident);
    expect(bc[0]?.id).not.toBe(ab[0]?.id);
    expect(bc[0]?.evidence.chain).toEqual(["a", "b"]);
    const cd = feed(e, [obs("c", "d", "tcp/5985", T0 + 120_000, "allowed")]);
    expect(cd[0]?.incident).toBe(ab[0]?.incident);
    expect(cd[0]?.evidence.chain).toEqual(["a", "b", "c"]);
  });

  it("B->C long after A->B is a separate incident", () => {
    const e = new DetectionEngine(viewOf());
    const ab = feed(e, [obs("a", "b", "tcp/22", T0, "allowed")]);
    const bc = feed(e, [obs("b", "c", "tcp/22", T0 + 11 * 60_000, "allowed")]);
    expect(bc[0]?.incident).not.toBe(ab[0]?.incident);
  });
});

describe("ransomware-style spread", () => {
  const fan = (n: number, gapMs: number) =>
    Array.from({ length: n }, (_, i) => obs("w", `h${i}`, "tcp/445", T0 + i * gapMs, "allowed"));

  it("smb to 2 hosts raises no spread; to 3 within 30 s a critical one", () => {
    expect(ofKind(feed(new DetectionEngine(viewOf()), fan(2, 1000)), "ransomware-spread")).toEqual(
      [],
    );
    const spread = latest(
      ofKind(feed(new DetectionEngine(viewOf()), fan(3, 1000)), "ransomware-spread"),
    );
    expect(spread).toHaveLength(1);
    expect(spread[0]?.severity).toBe("critical");
    expect(spread[0]?.targets).toEqual(["h0", "h1", "h2"]);
  });

  it("3 hosts spread over more than 30 s raise no spread", () => {
    expect(
      ofKind(feed(new DetectionEngine(viewOf()), fan(3, 16_000)), "ransomware-spread"),
    ).toEqual([]);
  });

  it("web ports never count as spread", () => {
    const out = feed(
      new DetectionEngine(viewOf()),
      Array.from({ length: 3 }, (_, i) => obs("w", `h${i}`, "tcp/80", T0 + i)),
    );
    expect(ofKind(out, "ransomware-spread")).toEqual([]);
  });
});

describe("decoy", () => {
  it("one touch of a decoy raises a high alert at once, even on an allowed edge", () => {
    const decoys = new DecoyList([{ target: "honey" }]);
    const allowed = new Set([Baseline.key("web-1", "honey", "tcp/80")]);
    const out = feed(new DetectionEngine(viewOf(new Baseline(), allowed, decoys)), [
      obs("web-1", "honey", "tcp/80", T0, "allowed"),
    ]);
    expect(kinds(out)).toEqual(["decoy"]);
    expect(out[0]?.severity).toBe("high");
    expect(out[0]?.targets).toEqual(["honey"]);
  });

  it("a decoy port matches only that port", () => {
    const decoys = new DecoyList([{ target: "file-1", port: "tcp/445" }]);
    const b = new Baseline();
    b.add("x", "file-1", "tcp/80");
    const e = new DetectionEngine(viewOf(b, new Set(), decoys));
    expect(feed(e, [obs("x", "file-1", "tcp/80", T0, "allowed")])).toEqual([]);
    expect(kinds(feed(e, [obs("x", "file-1", "tcp/445", T0 + 1, "allowed")]))).toContain("decoy");
  });

  it("parses decoy specs", () => {
    expect(parseDecoy("198.18.0.99")).toEqual({ target: "198.18.0.99" });
    expect(parseDecoy("198.18.0.99:tcp/445")).toEqual({ target: "198.18.0.99", port: "tcp/445" });
    expect(parseDecoy("[2001:db8::9]:udp/53")).toEqual({ target: "2001:db8::9", port: "udp/53" });
    expect(parseDecoy("2001:db8::9")).toEqual({ target: "2001:db8::9" });
    expect(parseDecoy("honey-1")).toEqual({ target: "honey-1" });
    expect(parseDecoy("bad target")).toBeUndefined();
  });
});

describe("enforcement gap", () => {
  const agent = (lastHeartbeat: number | undefined, extra = {}) => ({
    workload: "db-1",
    lastHeartbeat,
    drift: "in-sync" as const,
    appliedHash: "h1",
    expectedHash: "h1",
    ...extra,
  });

  it("an offline agent raises only after the grace period, then one updated alert", () => {
    const e = new DetectionEngine(viewOf(), { offlineAfterMs: 30_000, gapGraceMs: 60_000 });
    expect(e.checkAgents([agent(T0)], T0 + 10_000)).toEqual([]);
    expect(e.checkAgents([agent(T0)], T0 + 40_000)).toEqual([]);
    expect(e.checkAgents([agent(T0)], T0 + 99_000)).toEqual([]);
    const out = e.checkAgents([agent(T0)], T0 + 100_000);
    expect(kinds(out)).toEqual(["enforcement-gap"]);
    expect(out[0]?.evidence.gap).toBe("offline");
    const again = e.checkAgents([agent(T0)], T0 + 115_000);
    expect(again[0]?.id).toBe(out[0]?.id);
    expect(again[0]?.count).toBe(2);
  });

  it("drifted and behind agents; a healthy one raises nothing", () => {
    const e = new DetectionEngine(viewOf(), { gapGraceMs: 0 });
    const now = T0 + 1000;
    expect(e.checkAgents([agent(T0)], now)).toEqual([]);
    expect(e.checkAgents([agent(T0, { drift: "drifted" })], now)[0]?.evidence.gap).toBe("drifted");
    expect(
      e.checkAgents([{ ...agent(T0), workload: "w2", appliedHash: "old" }], now)[0]?.evidence.gap,
    ).toBe("behind");
  });

  it("a raised gap that clears is handed back once, to be resolved", () => {
    const e = new DetectionEngine(viewOf(), { gapGraceMs: 0 });
    const raised = e.checkAgents([agent(T0, { drift: "drifted" })], T0 + 1000);
    expect(e.takeClearedGaps()).toEqual([]);
    e.checkAgents([agent(T0 + 2000)], T0 + 2000);
    expect(e.takeClearedGaps()).toEqual([raised[0]?.id]);
    expect(e.takeClearedGaps()).toEqual([]);
    // A new gap is a new alert, not the resolved one reopened.
    const next = e.checkAgents([agent(T0 + 2000, { drift: "drifted" })], T0 + 3000);
    expect(next[0]?.id).not.toBe(raised[0]?.id);
  });

  it("a gap that clears before the grace period never raises", () => {
    const e = new DetectionEngine(viewOf(), { gapGraceMs: 60_000 });
    e.checkAgents([agent(T0, { drift: "drifted" })], T0);
    e.checkAgents([agent(T0 + 30_000)], T0 + 30_000);
    expect(e.checkAgents([agent(T0 + 70_000, { drift: "drifted" })], T0 + 70_000)).toEqual([]);
  });
});

describe("baseline", () => {
  /** A small estate's normal traffic: web tier -> app tier -> db, dns, monitoring. */
  function normalTraffic(start: number, minutes: number): FlowObservation[] {
    const out: FlowObservation[] = [];
    for (let m = 0; m < minutes; m++) {
      const at = start + m * 60_000;
      for (let w = 0; w < 6; w++) {
        for (let a = 0; a < 4; a++)
          out.push(obs(`web-${w}`, `app-${a}`, "tcp/8080", at + w, "allowed"));
        out.push(obs(`web-${w}`, "dns-1", "udp/53", at + w, "allowed"));
        out.push(obs("monitor", `web-${w}`, "tcp/9100", at + w, "allowed"));
        out.push(obs("bastion", `web-${w}`, "tcp/22", at + w, "allowed"));
      }
      for (let a = 0; a < 4; a++) {
        out.push(obs(`app-${a}`, "db-1", "tcp/5432", at + 10 + a, "allowed"));
        out.push(obs(`app-${a}`, "db-2", "tcp/5432", at + 10 + a, "allowed"));
        out.push(obs("backup", `app-${a}`, "tcp/445", at + 10 + a, "allowed"));
      }
    }
    return out;
  }

  it("normal traffic that was learned raises nothing", () => {
    const b = new Baseline();
    b.learn(normalTraffic(T0, 5));
    const e = new DetectionEngine(viewOf(b));
    const later = normalTraffic(T0 + 3_600_000, 30);
    expect(later.length).toBeGreaterThan(1500);
    expect(feed(e, later)).toEqual([]);
  });

  it("the same traffic unlearned and unallowed does raise (the test above can fail)", () => {
    const out = feed(new DetectionEngine(viewOf()), normalTraffic(T0, 1));
    expect(kinds(latest(out))).toEqual(
      expect.arrayContaining(["lateral-movement", "ransomware-spread", "scan"]),
    );
  });

  it("traffic the ingest attributed to an allowing rule raises nothing, unlearned as it is", () => {
    // the view neither knows nor allows anything: the rule on each observation is the answer
    const ruled = normalTraffic(T0, 1).map((o) => ({ ...o, rule: "estate" }));
    expect(feed(new DetectionEngine(viewOf()), ruled)).toEqual([]);
    // a failed contact stays suspicious whatever rule allows it: a scan of allowed ports
    const refused = ports(20).map((p, i) =>
      obs("x", "web-1", p, T0 + i, "allowed", { outcome: "refused", rule: "estate" }),
    );
    expect(new Set(kinds(feed(new DetectionEngine(viewOf()), refused)))).toEqual(new Set(["scan"]));
  });
});

describe("bounded state", () => {
  it("keeps at most maxSources sources and maxContactsPerSource contacts", () => {
    const e = new DetectionEngine(viewOf(), { maxSources: 100, maxContactsPerSource: 50 });
    const batch: FlowObservation[] = [];
    for (let s = 0; s < 5000; s++)
      batch.push(obs(`10.1.${s >> 8}.${s & 255}`, "web-1", "tcp/1", T0));
    e.observe(batch, T0);
    expect(e.stateSize()).toBeLessThan(100 + 3 * 5000);
    const many = ports(1000, 1).map((p) => obs("x", "web-1", p, T0));
    const out = e.observe(many, T0);
    // Only the capped contacts are new: 50 - 15 + 1 raises of the one scan alert.
    expect(ofKind(out, "scan")[0]?.count).toBe(50 - 15 + 1);
  });

  it("forgets idle sources and closed alerts after their windows", () => {
    const e = new DetectionEngine(viewOf());
    feed(
      e,
      ports(20).map((p, i) => obs("x", "web-1", p, T0 + i)),
    );
    expect(e.stateSize()).toBeGreaterThan(0);
    // the slow-scan detector keeps for its 6-hour window the 14 failed contacts made before the
    // scan alert opened (while it is open the fast path counts), nothing else
    e.observe([], T0 + 3_600_000);
    expect(e.stateSize()).toBe(14);
    e.observe([], T0 + 6 * 3_600_000 + 60_000);
    expect(e.stateSize()).toBe(0);
  });
});
