// `microseg policy apply|diff|provision|history|rollback` against a real controller, in process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();
const dir = mkdtempSync(join(tmpdir(), "mseg-policy-online-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const SERVICES = `services:
  - { name: postgres, ports: [tcp/5432] }
  - { name: ssh, ports: [tcp/22] }
`;
const WEB_TO_DB = `rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [postgres]
`;
const ADMIN_SSH = `rules:
  - name: admin-ssh
    from: { role: web }
    to: { role: db }
    services: [ssh]
`;

beforeAll(async () => {
  const { api } = online.current;
  await api.putWorkload("web-1", { labels: { role: "web" }, addresses: ["198.18.1.10"] });
  await api.putWorkload("db-1", { labels: { role: "db" }, addresses: ["198.18.1.20"] });
});

describe("microseg policy (online)", () => {
  it("diff before any draft: MSEG_API_NOT_FOUND, exit 2", async () => {
    const r = await run(["policy", "diff", ...online.current.flags]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /no draft yet; upload one with `microseg policy apply FILE…` \[MSEG_API_NOT_FOUND\]/,
    );
    const prov = await run(["policy", "provision", ...online.current.flags]);
    expect(prov.code).toBe(2);
    expect(prov.err).toMatch(/no draft yet; upload one/);
  });

  it("apply -> diff -> provision -> history", async () => {
    const files = [file("services.yaml", SERVICES), file("web.yaml", WEB_TO_DB)];
    const applied = await run(["policy", "apply", ...files, ...online.current.flags]);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/^draft saved: 1 rule, 0 IP lists/);

    const diff = await run(["policy", "diff", ...online.current.flags]);
    expect(diff.code).toBe(0);
    expect(diff.out).toMatch(
      /^draft against nothing provisioned yet: 1 rule and 2 workloads change/,
    );
    expect(diff.out).toContain("  + web-to-db (added)");
    expect(diff.out).toMatch(/~ db-1|\+ db-1/);

    const prov = await run(["policy", "provision", "-m", "first", ...online.current.flags]);
    expect(prov.code).toBe(0);
    expect(prov.out).toMatch(
      /^revision 1 provisioned; 2 workloads changed \((db-1, web-1|web-1, db-1)\)/,
    );

    const same = await run(["policy", "diff", "--json", ...online.current.flags]);
    expect(JSON.parse(same.out)).toMatchObject({ active: 1, identical: true });
    const again = await run(["policy", "provision", ...online.current.flags]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/\[MSEG_POLICY_UNCHANGED\]/);
  });

  it("a second revision, a stale provision refused, history, rollback", async () => {
    const files = [
      file("services.yaml", SERVICES),
      file("web.yaml", WEB_TO_DB),
      file("ssh.yaml", ADMIN_SSH),
    ];
    expect((await run(["policy", "apply", ...files, ...online.current.flags])).code).toBe(0);
    const diff = await run(["policy", "diff", ...online.current.flags]);
    expect(diff.out).toMatch(/^draft against active revision 1/);
    expect(diff.out).toContain("  + admin-ssh (added)");

    const stale = await run([
      "policy",
      "provision",
      "--expect-active",
      "7",
      ...online.current.flags,
    ]);
    expect(stale.code).toBe(2);
    expect(stale.err).toMatch(/\[MSEG_POLICY_STALE\]/);
    const prov = await run([
      "policy",
      "provision",
      "--expect-active",
      "1",
      "-m",
      "ssh",
      ...online.current.flags,
    ]);
    expect(prov.code).toBe(0);
    expect(prov.out).toMatch(/^revision 2 provisioned/);

    const back = await run(["policy", "rollback", "1", "-m", "undo ssh", ...online.current.flags]);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/^revision 3 rolled back to 1/);

    const history = await run(["policy", "history", ...online.current.flags]);
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/^ REV\s+CREATED\s+AUTHOR\s+HASH\s+COMMENT\n/);
    expect(history.out).toMatch(/\*3 .*\(rollback to 1\) undo ssh/);
    expect(history.out).toMatch(/ 2 .* ssh\n/);
    const json = JSON.parse(
      (await run(["policy", "history", "--json", ...online.current.flags])).out,
    );
    expect(json.active).toBe(3);
    expect(json.revisions).toHaveLength(3);

    const missing = await run(["policy", "rollback", "99", ...online.current.flags]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no revision 99.*\[MSEG_API_NOT_FOUND\]/);
    const bad = await run(["policy", "rollback", "one", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/"one" is not a revision number/);
  });

  it("an invalid policy: every diagnostic with its own file and line, exit 2, nothing saved", async () => {
    const before = await online.current.api.draft();
    const broken = file(
      "broken.yaml",
      "rules:\n  - name: oops\n    from: { role: web }\n    to: { role: db }\n    servces: [postgres]\n",
    );
    const r = await run([
      "policy",
      "apply",
      file("services.yaml", SERVICES),
      broken,
      ...online.current.flags,
    ]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^${broken}:5: rules\\[0\\]\\.servces: .*\\[MSEG_POLICY_UNKNOWN_FIELD\\]`),
    );
    expect(lines.at(-1)).toMatch(/problems? found; nothing was saved\.$/);
    expect((await online.current.api.draft()).text).toBe(before.text);

    const json = await run(["policy", "apply", broken, "--json", ...online.current.flags]);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.out);
    expect(body.saved).toBe(false);
    expect(body.diagnostics[0]).toMatchObject({ file: broken, code: "MSEG_POLICY_UNKNOWN_FIELD" });
  });

  it("an unreadable file: MSEG_FILE_UNREADABLE, exit 2", async () => {
    const r = await run(["policy", "apply", join(dir, "missing.yaml"), ...online.current.flags]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/missing\.yaml.*\[MSEG_FILE_UNREADABLE\]/);
  });
});
