// The nft session against the real nft in a throwaway namespace: a terse listing answers like a
// forked `nft -j -t list ruleset` and sees every change made meanwhile (tables, counters moved by
// packets), an error does not stop the next command, and the child is one process throughout.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createNetns, describePrivileged, type Netns, sh } from "../testing/index.js";
import { createNftSession, type NftSession } from "./session.js";

type Json = Record<string, Record<string, unknown>>;

const TABLE = `table inet msegsession {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 9 counter
  }
}
`;

let ns: Netns;
let session: NftSession;

const items = async (): Promise<Json[]> => {
  const r = await session.exec(["-j", "-t", "list", "ruleset"]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { nftables: Json[] }).nftables;
};

const packets = async (): Promise<number> => {
  const rule = (await items()).find((i) => i.rule?.chain === "input")?.rule;
  const expr = rule?.expr as { counter?: { packets: number } }[];
  return expr.find((e) => e.counter)?.counter?.packets ?? -1;
};

describePrivileged("nft session in a namespace", () => {
  beforeAll(async () => {
    ns = await createNetns("msegt-session");
    session = createNftSession({ flags: ["-j", "-t"], netns: ns.name });
  });
  afterAll(async () => {
    session?.close();
    await ns?.delete();
  });

  it("lists what a forked nft lists, and sees a table created after it started", async () => {
    expect((await items()).filter((i) => i.table)).toEqual([]);
    const pid = session.pid;
    await sh("ip", ["netns", "exec", ns.name, "sh", "-c", `echo '${TABLE}' | nft -f -`]);
    const forked = await ns.exec("nft", ["-j", "-t", "list", "ruleset"]);
    expect(await items()).toEqual(JSON.parse(forked).nftables);
    expect(session.pid).toBe(pid);
  });

  it("reads counters that packets moved since the last command", async () => {
    expect(await packets()).toBe(0);
    for (let i = 0; i < 3; i++) {
      await ns.exec("bash", ["-c", "(echo > /dev/tcp/127.0.0.1/9) 2>/dev/null || true"]);
    }
    expect(await packets()).toBe(3);
  });

  it("answers an error with nft's message and keeps serving", async () => {
    const r = await session.exec(["-j", "-t", "list", "table", "inet", "nosuchtable"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No such file or directory/);
    expect(await packets()).toBe(3);
  });
});
