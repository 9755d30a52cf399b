// `microseg alerts`, `alerts ack`, `incidents`, `quarantine` and `release` against a real
// controller (plain http on 127.0.0.1, SQLite): a scan reported through the agent channel becomes
// one alert; quarantine shows in the workload list and the audit log.
import { beforeAll, describe, expect, it } from "vitest";
import { enrolAgent, reportFlows, useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

const enrol = (name: string, address: string, labels: Record<string, string>) =>
  enrolAgent(online.current, name, address, labels);

const report = (credential: string, seq: number, records: unknown[]) =>
  reportFlows(online.current, credential, seq, records);

async function eventually<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await f();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  return f();
}

beforeAll(async () => {
  const web = await enrol("web-1", "198.18.1.10", { role: "web" });
  await enrol("db-1", "198.18.1.20", { role: "db" });
  const now = Date.now();
  // An outside address tries 20 ports on web-1: web-1's agent reports the blocked attempts.
  const records = Array.from({ length: 20 }, (_, i) => [
    "in",
    "tcp",
    "198.18.1.10",
    "203.0.113.66",
    1000 + i,
    "blocked",
    1,
    1,
    0,
    now - 5000 + i,
    now - 5000 + i,
  ]);
  await report(web, 1, records);
});

describe("microseg alerts", () => {
  it("--json prints exactly { alerts } with the contract's fields", async () => {
    const r = await eventually(
      () => run(["alerts", "--json", ...online.current.flags]),
      (x) =>
        x.code === 0 && JSON.parse(x.out).alerts.some((a: { kind: string }) => a.kind === "scan"),
    );
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(Object.keys(body)).toEqual(["alerts"]);
    const scan = body.alerts.find((a: { kind: string }) => a.kind === "scan");
    expect(scan).toMatchObject({ source: "203.0.113.66", targets: ["web-1"], status: "open" });
    for (const k of ["id", "kind", "severity", "source", "targets", "at", "summary"]) {
      expect(scan).toHaveProperty(k);
    }
  });

  it("prints a table with the evidence's rules, filters, and acks", async () => {
    const table = await run(["alerts", "--kind", "scan", ...online.current.flags]);
    expect(table.out).toMatch(/^ID\s+KIND\s+SEVERITY\s+STATUS\s+SOURCE\s+TARGETS\s+COUNT/);
    expect(table.out).toMatch(/scan\s+medium\s+open\s+203\.0\.113\.66\s+web-1/);
    const id = JSON.parse(
      (await run(["alerts", "--kind", "scan", "--json", ...online.current.flags])).out,
    ).alerts[0].id as string;
    const ack = await run(["alerts", "ack", id, ...online.current.flags]);
    expect(ack.code).toBe(0);
    expect(ack.out).toMatch(new RegExp(`acknowledged ${id}`));
    const open = await run([
      "alerts",
      "--status",
      "open",
      "--kind",
      "scan",
      ...online.current.flags,
    ]);
    expect(open.out).toBe("no alerts match\n");
    const recent = await run(["alerts", "--since", "1h", "--json", ...online.current.flags]);
    expect(JSON.parse(recent.out).alerts.length).toBeGreaterThan(0);
    const bad = await run(["alerts", "--since", "yesterday", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--since "yesterday"/);
    const missing = await run(["alerts", "ack", "nope", ...online.current.flags]);
    expect(missing.code).not.toBe(0);
  });

  it("microseg incidents groups them", async () => {
    const r = await run(["incidents", "--json", ...online.current.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).incidents.length).toBeGreaterThan(0);
    expect((await run(["incidents", ...online.current.flags])).out).toMatch(/^INCIDENT\s+SEVERITY/);
  });
});

describe("microseg quarantine / release", () => {
  it("quarantines with reason and forensic address, shows it, audits it, releases", async () => {
    const q = await run([
      "quarantine",
      "db-1",
      "--reason",
      "suspicious",
      "--forensic",
      "198.18.9.9",
      ...online.current.flags,
    ]);
    expect(q.code).toBe(0);
    expect(q.out).toBe("quarantined db-1 (forensic: 198.18.9.9)\n");
    const w = await online.current.api.getWorkload("db-1");
    expect(w.quarantine).toMatchObject({ reason: "suspicious", forensic: ["198.18.9.9"] });
    const audit = await online.current.api.audit({ target: "workload/db-1" });
    expect(audit.entries.some((e) => /quarantine/.test(e.action))).toBe(true);
    const r = await run(["release", "db-1", ...online.current.flags]);
    expect(r.out).toBe("released db-1 from quarantine\n");
    expect((await online.current.api.getWorkload("db-1")).quarantine).toBeUndefined();
    const again = await run(["release", "db-1", ...online.current.flags]);
    expect(again.out).toBe("db-1 was not quarantined\n");
  });

  it("names an unknown workload and a bad forensic address", async () => {
    const missing = await run(["quarantine", "nope", ...online.current.flags]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/no workload "nope"/);
    const bad = await run([
      "quarantine",
      "db-1",
      "--forensic",
      "not-an-ip",
      ...online.current.flags,
    ]);
    expect(bad.err).toMatch(/forensic address "not-an-ip"/);
  });

  it("--help teaches", async () => {
    expect((await run(["quarantine", "--help"])).out).toMatch(/--forensic 198\.18\.9\.9/);
    expect((await run(["alerts", "--help"])).out).toMatch(/alerts ack/);
  });
});
