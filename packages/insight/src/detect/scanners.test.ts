// Authorised scanners: declared by the reserved label or the `scanners` IP list, their sweeps
// raise an informational authorised-scan instead of scan, and never spread, lateral-movement or
// decoy alerts; an undeclared host doing the same raises them all.
import { describe, expect, it } from "vitest";
import type { FlowObservation } from "../flow.js";
import { SCANNER_LABEL, Scanners } from "../scanners.js";
import { policyOf, workload } from "../testing/estate.js";
import { Baseline } from "./baseline.js";
import { DecoyList } from "./decoys.js";
import { DetectionEngine } from "./engine.js";
import { obs, viewOf } from "./testing.js";
import type { DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

const estate = [
  workload("nessus", { role: "scanner", [SCANNER_LABEL]: "true" }, "198.18.5.1"),
  workload("qualys-box", { role: "appliance" }, "203.0.113.9", { managed: false }),
  workload("laptop", { role: "laptop" }, "198.18.6.1"),
  workload("db-1", { role: "db" }, "198.18.1.1"),
];
const policy = policyOf(`
ipLists:
  - name: scanners
    cidrs: [203.0.113.0/24, "2001:db8:5::/48"]
    except: [203.0.113.66/32]
`);
const scanners = new Scanners(estate, policy);
const end = (name: string) =>
  ({ name, kind: /^[0-9.]+$|:/.test(name) ? "address" : "workload" }) as const;

describe("Scanners", () => {
  it("takes the reserved label, the scanners IP list and workloads owning a listed address", () => {
    expect(scanners.reason(end("nessus"))).toBe("label");
    expect(scanners.reason(end("qualys-box"))).toBe("ipList");
    expect(scanners.reason(end("203.0.113.200"))).toBe("ipList");
    expect(scanners.reason(end("2001:db8:5::10"))).toBe("ipList");
    expect(scanners.isScanner(end("203.0.113.66"))).toBe(false); // except
    expect(scanners.isScanner(end("laptop"))).toBe(false);
    expect(scanners.isScanner(end("198.51.100.1"))).toBe(false);
    expect(new Scanners(estate).isScanner(end("203.0.113.200"))).toBe(false);
  });

  it('a label value other than "true" declares nothing; nothing declared is empty', () => {
    const w = workload("x", { [SCANNER_LABEL]: "false" }, "198.18.9.9");
    expect(new Scanners([w]).isScanner(end("x"))).toBe(false);
    expect(new Scanners([w]).empty).toBe(true);
    expect(scanners.empty).toBe(false);
  });
});

/** Every attack at once: 300 ports on db-1, smb and ssh to 5 hosts, a decoy touch. */
function attacks(from: string): FlowObservation[] {
  const out: FlowObservation[] = [];
  for (let p = 1; p <= 300; p++)
    out.push(obs(from, "db-1", `tcp/${p}`, T0 + p * 10, "allowed", { outcome: "refused" }));
  for (let h = 0; h < 5; h++) {
    out.push(obs(from, `h-${h}`, "tcp/445", T0 + 5000 + h, "allowed", { outcome: "established" }));
    out.push(obs(from, `h-${h}`, "tcp/22", T0 + 6000 + h, "allowed", { outcome: "established" }));
  }
  out.push(obs(from, "honey", "tcp/80", T0 + 7000, "allowed"));
  return out;
}

function run(from: string): DetectedAlert[] {
  const decoys = new DecoyList([{ target: "honey" }]);
  const e = new DetectionEngine(viewOf(new Baseline(), new Set(), decoys, scanners));
  const out: DetectedAlert[] = [];
  for (const o of attacks(from)) out.push(...e.observe([o], o.last));
  return [...new Map(out.map((a) => [a.id, a])).values()];
}

describe("detection of declared scanners", () => {
  it("an undeclared host sweeping is a scan, lateral movement, spread and decoy", () => {
    expect(
      run("laptop")
        .map((a) => a.kind)
        .sort(),
    ).toEqual(["decoy", "lateral-movement", "ransomware-spread", "scan"]);
  });

  for (const from of ["nessus", "qualys-box", "203.0.113.200"]) {
    it(`${from}: one informational authorised-scan, nothing else`, () => {
      const alerts = run(from);
      expect(alerts.map((a) => a.kind)).toEqual(["authorised-scan"]);
      const a = alerts[0] as DetectedAlert;
      expect(a.severity).toBe("low");
      expect(a.summary).toMatch(new RegExp(`^${from} \\(authorised scanner\\) scanned \\d+ ports`));
    });
  }

  it("a declared scanner's alert never makes it a suspect; an undeclared one's does", () => {
    const e = new DetectionEngine(viewOf(new Baseline(), new Set(), new DecoyList(), scanners));
    for (const o of [...attacks("nessus"), ...attacks("laptop")]) e.observe([o], o.last);
    expect(e.isSuspect("nessus", T0 + 8000)).toBe(false);
    expect(e.isSuspect("laptop", T0 + 8000)).toBe(true);
    expect(e.isSuspect("laptop", T0 + 8000 + 11 * 60_000)).toBe(false);
  });
});
