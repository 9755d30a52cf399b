// The session's protocol against a stand-in program (testdata/fake-nft-session.sh): one line
// per command, errors on stderr replace the child, a hang times out, an exit is survived. The
// real nft is in session.privileged.test.ts.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNftSession, type NftSession } from "./session.js";

const FAKE = join(import.meta.dirname, "../../testdata/fake-nft-session.sh");
const sessions: NftSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

function session(timeoutMs = 5000): NftSession {
  const s = createNftSession({ flags: ["-j", "-t"], command: FAKE, timeoutMs });
  sessions.push(s);
  return s;
}

const answer = (stdout: string) =>
  JSON.parse(stdout) as { cmd: string; flags: string; pid: number };

describe("nft session", () => {
  it("sends each command to one long-lived child with the session's flags", async () => {
    const s = session();
    const a = await s.exec(["-j", "-t", "list", "ruleset"]);
    const b = await s.exec(["-j", "-t", "list", "table", "inet", "microseg"]);
    expect(a.code).toBe(0);
    expect(answer(a.stdout)).toMatchObject({ cmd: "list ruleset", flags: "-j -t -i" });
    expect(answer(b.stdout).cmd).toBe("list table inet microseg");
    expect(answer(b.stdout).pid).toBe(answer(a.stdout).pid);
  });

  it("answers concurrent calls in order, one command at a time", async () => {
    const s = session();
    const all = await Promise.all(
      [1, 2, 3, 4].map((n) => s.exec(["-j", "-t", "list", "set", "inet", "t", `s${n}`])),
    );
    expect(all.map((r) => answer(r.stdout).cmd)).toEqual([
      "list set inet t s1",
      "list set inet t s2",
      "list set inet t s3",
      "list set inet t s4",
    ]);
  });

  it("an error is a failed answer, and the next command gets a fresh child", async () => {
    const s = session();
    const first = answer((await s.exec(["-j", "-t", "list", "ruleset"])).stdout).pid;
    const bad = await s.exec(["-j", "-t", "bad", "command"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: No such file or directory/);
    const next = await s.exec(["-j", "-t", "list", "ruleset"]);
    expect(next.code).toBe(0);
    expect(answer(next.stdout).pid).not.toBe(first);
  });

  it("an error written in pieces is answered whole", async () => {
    const bad = await session().exec(["-j", "-t", "split", "command"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: No such file or directory\nsplit command\n/);
  });

  it("a child that does not answer is killed after the timeout; one that exits is replaced", async () => {
    const s = session(300);
    const hung = await s.exec(["-j", "-t", "hang"]);
    expect(hung.code).toBe(124);
    expect(hung.stderr).toMatch(/no answer within 300 ms/);
    const quit = await s.exec(["-j", "-t", "quit"]);
    expect(quit.code).toBe(3);
    expect((await s.exec(["-j", "-t", "list", "ruleset"])).code).toBe(0);
  });

  it("refuses other flags, input, and more than one command per call", async () => {
    const s = session();
    expect(() => s.exec(["-j", "list", "ruleset"])).toThrow(/cannot run: nft -j list ruleset/);
    expect(() => s.exec(["-j", "-t", "-f", "-"], "flush ruleset")).toThrow(/cannot run/);
    expect(() => s.exec(["-j", "-t", "list ruleset; flush ruleset"])).toThrow(/one command/);
  });

  it("answers nothing but a failure once closed", async () => {
    const s = session();
    await s.exec(["-j", "-t", "list", "ruleset"]);
    s.close();
    expect(s.pid).toBeUndefined();
    expect((await s.exec(["-j", "-t", "list", "ruleset"])).stderr).toMatch(/closed/);
  });
});
