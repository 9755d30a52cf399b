// The conntrack feed with stand-ins for conntrack: lines become events, a missing conntrack is
// logged once and not restarted, /proc/net/netlink drop counting.

import { describe, expect, it } from "vitest";
import { startConntrackFeed, sumDrops } from "./conntrack-feed.js";

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
