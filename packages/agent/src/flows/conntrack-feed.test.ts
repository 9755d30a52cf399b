// The conntrack feed with stand-ins for conntrack: lines become events, a missing conntrack is
// logged once and not restarted, /proc/net/netlink drop counting, the resync from a (fake) table
// dump after an overrun.

import { describe, expect, it } from "vitest";
import { startConntrackFeed, sumDrops } from "./conntrack-feed.js";
import { conntrackKey, parseConntrackDumpLine } from "./conntrack-line.js";

const LINE =
  "[1795961997.986436]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=198.18.0.2 dst=198.18.0.1 sport=48436 dport=80 [UNREPLIED] src=198.18.0.1 dst=198.18.0.2 sport=80 dport=48436 id=1445459803";

function recorder() {
  const records: { level: string; msg: string }[] = [];
  return {
    records,
    log: {
      warn: (_o: object, msg: string) => records.push({ level: "warn", msg }),
      error: (_o: object, msg: string) => records.push({ level: "error", msg }),
    },
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("startConntrackFeed", () => {
  it("queues parsed events from the child's lines until taken", async () => {
    // A stand-in that ignores conntrack's arguments, prints two events and a notice, then waits.
    const script = `console.log(${JSON.stringify(LINE)}); console.log("NOTICE: x"); console.log(${JSON.stringify(LINE.replace("id=1445459803", "id=7"))}); setInterval(() => {}, 1000);`;
    const { log } = recorder();
    const feed = startConntrackFeed({ prefix: [process.execPath, "-e", script], log });
    try {
      const got: number[] = [];
      await until(() => {
        got.push(...feed.take().map((e) => e.id ?? 0));
        return got.length >= 2;
      });
      expect(got).toEqual([1445459803, 7]);
      expect(feed.take()).toEqual([]);
      expect(await feed.takeLost()).toBe(0);
    } finally {
      feed.stop();
    }
  });

  it("logs a missing conntrack once and does not restart it", async () => {
    const { log, records } = recorder();
    const feed = startConntrackFeed({ prefix: ["env", "PATH=/nonexistent"], log });
    try {
      await until(() => records.length > 0);
      await new Promise((r) => setTimeout(r, 1500)); // a restart would have happened by now
      expect(records).toEqual([
        {
          level: "error",
          msg: "`conntrack` is not installed: allowed connections are not reported (install the conntrack package); enforcement is unaffected",
        },
      ]);
    } finally {
      feed.stop();
    }
  });
});

describe("sumDrops", () => {
  it("sums Drops of the given netfilter sockets only", () => {
    const table = [
      "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
      "00000000b32fadbc 12  26099      00000000 0        0        0     2        0        1563752 ",
      "0000000095f8bb50 12  3510867265 00000005 0        0        0     2        4411     1563753 ",
      "0000000095f8bb51 0   3510867266 00000005 0        0        0     2        99       1563753 ",
      "0000000095f8bb52 12  3510867267 00000005 0        0        0     2        7        1999999 ",
    ].join("\n");
    expect(sumDrops(table, new Set(["1563752", "1563753"]))).toBe(4411);
  });
});

describe("startConntrackFeed resync after lost events", () => {
  const ev = (id: number) => LINE.replace("id=1445459803", `id=${id}`);
  const entry = (id: number) =>
    `ipv4     2 tcp      6 117 SYN_SENT src=198.18.0.2 dst=198.18.0.1 sport=48436 dport=80 [UNREPLIED] src=198.18.0.1 dst=198.18.0.2 sport=80 dport=48436 mark=0 use=1 id=${id}`;

  it("recovers the NEWs a dump finds unseen, drops a late duplicate, and reports what stays lost", async () => {
    // The child reports ids 1 and 2, then an overrun; id 4 arrives late (it was still in the
    // socket buffer while the dump ran). The kernel counts 3 lost events: NEW 3, NEW 5 and a
    // DESTROY, so one stays lost after the dump recovers 3 and 5.
    const script = `console.log(${JSON.stringify(ev(1))}); console.log(${JSON.stringify(ev(2))});
      console.error("WARNING: We have hit ENOBUFS! We are losing events.");
      setTimeout(() => console.log(${JSON.stringify(ev(4))}), 400); setInterval(() => {}, 1000);`;
    const dumps: number[] = [];
    const feed = startConntrackFeed({
      prefix: [process.execPath, "-e", script],
      readDrops: async () => 3,
      dump: async (onEntry) => {
        dumps.push(Date.now());
        const text = [1, 2, 3, 4, 5].map(entry).join("\n");
        for (const l of text.split("\n")) {
          const e = parseConntrackDumpLine(l);
          const key = conntrackKey(l);
          if (e && key !== undefined) onEntry(e, key);
        }
        return 5;
      },
      log: recorder().log,
    });
    try {
      const ids: number[] = [];
      let dropped = 0;
      await until(() => {
        ids.push(...feed.take().map((e) => e.id ?? 0));
        return ids.length >= 5;
      });
      await new Promise((r) => setTimeout(r, 600)); // the late duplicate has arrived
      ids.push(...feed.take().map((e) => e.id ?? 0));
      dropped += await feed.takeLost();
      dropped += await feed.takeLost();
      expect(ids.sort()).toEqual([1, 2, 3, 4, 5]);
      expect(dropped).toBe(1);
      expect(feed.stats()).toEqual({ events: 3, resyncs: 1, recovered: 2 });
      expect(dumps).toHaveLength(1);
    } finally {
      feed.stop();
    }
  });

  it("never dumps without an overrun, and dumps at most once per interval while they go on", async () => {
    const quietScript = `console.log(${JSON.stringify(ev(1))}); setInterval(() => {}, 1000);`;
    const busyScript = `let n = 0; const t = setInterval(() => {
        console.error("WARNING: We have hit ENOBUFS! We are losing events.");
        if (++n === 10) clearInterval(t); }, 50); setInterval(() => {}, 1000);`;
    const dumps = { quiet: [] as number[], busy: [] as number[] };
    const feeds = (["quiet", "busy"] as const).map((k) =>
      startConntrackFeed({
        prefix: [process.execPath, "-e", k === "quiet" ? quietScript : busyScript],
        readDrops: async () => 0,
        resyncIntervalMs: 300,
        dump: async () => {
          dumps[k].push(Date.now());
          return 0;
        },
        log: recorder().log,
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 1200));
      expect(dumps.quiet).toEqual([]);
      expect(dumps.busy.length).toBeGreaterThanOrEqual(2);
      expect(dumps.busy.length).toBeLessThanOrEqual(3); // 10 overruns over 0.5 s
      for (let i = 1; i < dumps.busy.length; i++)
        expect((dumps.busy[i] ?? 0) - (dumps.busy[i - 1] ?? 0)).toBeGreaterThanOrEqual(295);
    } finally {
      for (const f of feeds) f.stop();
    }
  });
});
