// The CLI never prints a control character it was sent: names, labels, hostnames, alert texts,
// flow ends and audit entries with ESC[31m, a newline and U+202E come out as escapes in every
// human form, and unchanged in --json. The controller's API refuses such values today; these are
// rows an older controller stored (written here with SQL, as that controller would have).
import { join } from "node:path";
import { hasControls } from "@microseg/core";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { enrolAgent, reportFlows, useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

const BAD = "evil\u001b[31m\nroot\u202e1";
const SHOWN = "evil\\x1b[31m\\nroot\\u202e1";
const now = new Date().toISOString();

/** No raw ESC, CSI, bidi or line separator, and the bad value never starts a line of its own. */
function clean(text: string): void {
  expect(hasControls(text.replaceAll("\n", ""))).toBe(false);
  expect(text).not.toMatch(/^root/m);
}

beforeAll(async () => {
  const web = await enrolAgent(online.current, "web-1", "198.18.1.10", { role: "web" });
  await reportFlows(online.current, web, 1, [
    ["out", "tcp", "198.18.1.10", "198.18.1.99", 22, "blocked", 1, 1, 0, Date.now(), Date.now()],
  ]);
  // A failed apply: the agent's own words end up as the agent's last error.
  const status = await fetch(`${online.current.url}/api/v1/agent/status`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${web}` },
    body: JSON.stringify({
      applied: { revision: 1, rulesetHash: "x", ok: false, error: BAD, ms: 1 },
    }),
  });
  expect(status.status).toBe(200);
  const db = new Database(join(online.current.dir, "microseg.db"));
  try {
    db.prepare(
      `INSERT INTO workloads (name, labels, addresses, mode, managed, created_at, updated_at)
       VALUES (?, ?, '["198.18.1.66"]', 'enforce', 1, ?, ?)`,
    ).run(BAD, JSON.stringify({ role: BAD }), now, now);
    db.prepare(
      `INSERT INTO agents (id, workload, profile_id, credential_hash, revoked, hostname, interfaces,
         enrolled_at, drift, last_error)
       VALUES ('agent-old', ?, NULL, ?, 0, ?, '[]', ?, 'unknown', NULL)`,
    ).run(BAD, "f".repeat(64), BAD, now);
    db.prepare(
      `INSERT INTO alerts (id, kind, severity, source, targets, at, last_at, summary, incident,
         evidence, status, count)
       VALUES ('al-old', 'scan', 'high', ?, ?, ?, ?, ?, 'inc-old', 'null', 'open', 1)`,
    ).run(BAD, JSON.stringify([BAD]), now, now, BAD);
    // The flow edge web-1 -> 198.18.1.99 now ends at a name an older controller resolved.
    db.prepare("UPDATE flow_ends SET name = ? WHERE name = '198.18.1.99'").run(BAD);
    const head = db.prepare("SELECT max(seq) AS s FROM audit_log").get() as { s: number };
    db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev_hash, hash)
       VALUES (?, ?, ?, 'workload.update', ?, 'null', 'null', 'x', 'y')`,
    ).run(head.s + 1, now, BAD, BAD);
  } finally {
    db.close();
  }
});

describe("human output escapes control characters; --json keeps the values", () => {
  it("workloads: the list, one workload, and an error naming it", async () => {
    const list = await run(["workloads", ...online.current.flags]);
    expect(list.code).toBe(0);
    clean(list.out);
    expect(list.out).toContain(`${SHOWN}  enforce`);
    expect(list.out).toContain(`role=${SHOWN}`);
    const one = await run(["workloads", "get", BAD, ...online.current.flags]);
    clean(one.out);
    expect(one.out).toContain(`name:      ${SHOWN}\n`);
    const missing = await run(["workloads", "get", `${BAD}x`, ...online.current.flags]);
    expect(missing.code).toBe(2);
    clean(missing.err);
    expect(missing.err).toContain(`${SHOWN}x`);
    const json = await run(["workloads", "--json", ...online.current.flags]);
    const names = JSON.parse(json.out).workloads.map((w: { name: string }) => w.name);
    expect(names).toContain(BAD);
    expect(hasControls(json.out.replaceAll("\n", ""))).toBe(false);
  });

  it("agents: hostname and the agent's last error", async () => {
    const r = await run(["agents", ...online.current.flags]);
    expect(r.code).toBe(0);
    clean(r.out);
    expect(r.out).toMatch(/agent-old\s+evil\\x1b\[31m\\nroot\\u202e1\s+evil\\x1b\[31m\\nroot/);
    expect(r.out).toMatch(/last error: evil\\x1b\[31m\\nroot\\u202e1\n/);
    const json = JSON.parse((await run(["agents", "--json", ...online.current.flags])).out);
    expect(json.agents.map((a: { hostname: string }) => a.hostname)).toContain(BAD);
  });

  it("alerts and incidents: source, targets and summary", async () => {
    const alerts = await run(["alerts", ...online.current.flags]);
    expect(alerts.code).toBe(0);
    clean(alerts.out);
    expect(alerts.out).toContain(SHOWN);
    const incidents = await run(["incidents", ...online.current.flags]);
    clean(incidents.out);
    expect(incidents.out).toContain(SHOWN);
    const json = JSON.parse((await run(["alerts", "--json", ...online.current.flags])).out);
    expect(json.alerts.find((a: { id: string }) => a.id === "al-old").summary).toBe(BAD);
  });

  it("flows: the ends of an edge", async () => {
    const r = await run(["flows", ...online.current.flags]);
    expect(r.code).toBe(0);
    clean(r.out);
    expect(r.out).toMatch(/web-1\s+evil\\x1b\[31m\\nroot\\u202e1\s+tcp\/22\s+blocked/);
    const json = JSON.parse((await run(["flows", "--json", ...online.current.flags])).out);
    expect(json.edges.map((e: { to: string }) => e.to)).toContain(BAD);
  });

  it("audit: actor and target", async () => {
    const r = await run(["audit", ...online.current.flags]);
    expect(r.code).toBe(0);
    clean(r.out);
    expect(r.out).toMatch(/evil\\x1b\[31m\\nroot\\u202e1\s+workload\.update\s+evil\\x1b/);
  });
});
