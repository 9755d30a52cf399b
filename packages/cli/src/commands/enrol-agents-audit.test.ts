// `microseg enrol-profiles`, `agents`, `audit` and `status` against a real controller, in process.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";
import { expiresAt } from "./enrol-profiles.js";

const online = useController();
const { run } = useCli();

/** Enrols an agent with `key` the way `microseg agent` does (POST /api/v1/enrol). */
async function enrol(key: string, hostname: string): Promise<{ status: number; agentId?: string }> {
  const res = await fetch(`${online.current.url}/api/v1/enrol`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      key,
      hostname,
      interfaces: [{ name: "eth0", addresses: ["198.18.3.10"] }],
    }),
  });
  return { status: res.status, ...((await res.json()) as { agentId?: string }) };
}

describe("microseg enrol-profiles", () => {
  it("create prints the key once and the agent command line; list and revoke", async () => {
    const r = await run([
      "enrol-profiles",
      "create",
      "--name",
      "web",
      "--label",
      "role=web",
      "--label",
      "env=prod",
      "--mode",
      "test",
      "--max-uses",
      "2",
      "--expires",
      "24h",
      ...online.current.flags,
    ]);
    expect(r.code).toBe(0);
    const key = /enrolment key \(shown once, keep it secret\):\n {2}(\S+)\n/.exec(r.out)?.[1] ?? "";
    expect(key).not.toBe("");
    expect(r.out).toContain(
      `curl -fsS '${online.current.url}/install.sh' | sh -s -- --controller '${online.current.url}' --enrol-key ${key}\n`,
    );
    expect(r.out).toContain(
      `microseg-agent enrol --controller ${online.current.url} --enrol-key ${key}`,
    );
    expect(r.out).toMatch(
      /enrols new workloads, labels role=web,env=prod, mode test, expires 20\d\d-.*, max uses 2/,
    );

    const list = await run(["enrol-profiles", ...online.current.flags]);
    expect(list.out).toMatch(/^ID\s+NAME\s+WORKLOAD\s+MODE\s+LABELS\s+USES\s+EXPIRES\s+STATE\n/);
    expect(list.out).toMatch(
      /web\s+\(new\)\s+test\s+role=web,env=prod\s+0\/2\s+20\d\d-\S+\s+active/,
    );
    expect(list.out).not.toContain(key);

    expect((await enrol(key, "web-1")).status).toBe(201);
    const { profiles } = JSON.parse(
      (await run(["enrol-profiles", "list", "--json", ...online.current.flags])).out,
    );
    expect(profiles[0]).toMatchObject({ name: "web", uses: 1 });

    const revoked = await run([
      "enrol-profiles",
      "revoke",
      profiles[0].id,
      ...online.current.flags,
    ]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(/revoked/);
    expect((await enrol(key, "web-2")).status).toBe(403);
  });

  it("--workload binds a key to one workload: the agent becomes it whatever its hostname", async () => {
    const r = await run([
      "enrol-profiles",
      "create",
      "--name",
      "cache-move",
      "--workload",
      "cache-1",
      "--max-uses",
      "1",
      ...online.current.flags,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\(cache-move\): enrols workload cache-1, labels -/);
    const key = /enrolment key \(shown once, keep it secret\):\n {2}(\S+)\n/.exec(r.out)?.[1] ?? "";
    const list = await run(["enrol-profiles", ...online.current.flags]);
    expect(list.out).toMatch(/cache-move\s+cache-1\s+enforce/);
    const res = await fetch(`${online.current.url}/api/v1/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key, hostname: "rebuilt-host", interfaces: [] }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { agentId: string; workload: { name: string } };
    expect(body.workload.name).toBe("cache-1");
    await online.current.api.revokeAgent(body.agentId);
    await online.current.api.deleteWorkload("cache-1");
  });

  it("usage errors: a bad label, duration or count; a duplicate name is MSEG_API_CONFLICT", async () => {
    const base = ["enrol-profiles", "create", ...online.current.flags];
    expect((await run([...base, "--name", "x", "--label", "nokey"])).code).toBe(2);
    const dur = await run([...base, "--name", "x", "--expires", "soon"]);
    expect(dur.code).toBe(2);
    expect(dur.err).toMatch(/--expires "soon" is neither a duration/);
    expect((await run([...base, "--name", "x", "--max-uses", "0"])).code).toBe(2);
    const dup = await run([...base, "--name", "web"]);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/\[MSEG_API_CONFLICT\]/);
    expect(expiresAt("2h", 0)).toBe("1970-01-01T02:00:00.000Z");
    expect(expiresAt("2030-01-01T00:00:00Z")).toBe("2030-01-01T00:00:00.000Z");
  });
});

describe("microseg agents", () => {
  it("lists agents with revision, mode, heartbeat, drift, convergence; revokes one", async () => {
    const list = await run(["agents", ...online.current.flags]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(
      /^ID\s+WORKLOAD\s+HOSTNAME\s+STATE\s+MODE\s+REVISION\s+HEARTBEAT\s+DRIFT\s+CONVERGED\n/,
    );
    expect(list.out).toMatch(/web-1\s+web-1\s+offline\s+test\s+-\s+never\s+unknown\s+yes/);
    const { agents } = JSON.parse((await run(["agents", "--json", ...online.current.flags])).out);
    expect(agents).toHaveLength(1);

    const revoked = await run(["agents", "revoke", agents[0].id, ...online.current.flags]);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(/^agent \S+ \(web-1 on web-1\) revoked\n/);
    expect((await run(["agents", ...online.current.flags])).out).toMatch(/web-1\s+revoked/);
    const unknown = await run(["agents", "revoke", "agt-nope", ...online.current.flags]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/\[MSEG_API_NOT_FOUND\]/);
  });

  it("status counts them", async () => {
    const r = await run(["status", ...online.current.flags]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/agents\s+1 enrolled, 1 revoked, 0 online/);
    expect(r.out).toMatch(/workloads\s+1\n/);
  });
});

describe("microseg audit", () => {
  it("lists who changed what; verify exits 0 on an intact chain and 1 on a broken one", async () => {
    const list = await run(["audit", ...online.current.flags]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^SEQ\s+AT\s+ACTOR\s+ACTION\s+TARGET\n/);
    expect(list.out).toMatch(/token\/admin\s+enrolment\.create/);
    const limited = JSON.parse(
      (await run(["audit", "--limit", "2", "--json", ...online.current.flags])).out,
    );
    expect(limited.entries).toHaveLength(2);

    const ok = await run(["audit", "verify", ...online.current.flags]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^audit log intact: \d+ entries, head seq \d+ hash [0-9a-f]{64}\n/);

    const db = new Database(join(online.current.dir, "microseg.db"));
    db.exec("DROP TRIGGER IF EXISTS audit_log_no_update");
    db.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
    db.close();
    const broken = await run(["audit", "verify", ...online.current.flags]);
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^audit log broken at seq 2 \(edited\)/);
    const json = await run(["audit", "verify", "--json", ...online.current.flags]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, seq: 2 });
  });
});
