// Connection events from the kernel: one long-lived `conntrack -E -e NEW,UPDATE,DESTROY -o
// extended,id,timestamp -b <bytes>` child in the agent's network namespace, its lines parsed
// (conntrack-line.ts) and queued until the collector takes them. UPDATE carries a connection's
// first reply (its outcome); the ruleset's event mask keeps it to one per connection (without
// the agent's table, TCP state changes arrive too and are ignored by the collector).
//
// Loss is counted, never hidden: when the netlink socket buffer overflows the kernel drops
// events and counts them per socket (`Drops` in /proc/<pid>/net/netlink, the child's own
// namespace); conntrack says "We have hit ENOBUFS" on stderr. takeLost() answers the kernel's
// count (or, where /proc cannot be read, one per ENOBUFS message: a lower bound) plus events
// our own queue had to refuse. A missing `conntrack` is logged once and the feed stays empty;
// a child that exits is restarted with backoff. Nothing here can stop enforcement.
//
// Lost NEW events are recovered by resynchronising from the table, as conntrack-sync daemons
// do: an entry outlives its NEW event (UDP ~30 s, TCP TIME_WAIT ~120 s, established far longer),
// so after an overrun (ENOBUFS on stderr, or the drop counter moved) the feed dumps the table
// (conntrack-dump.ts, at most once per `resyncIntervalMs` and twice the last dump's duration,
// only after an overrun: an idle feed
// never dumps) and queues a NEW event for every entry whose id it has not seen (seen-ids.ts).
// Loss from the kernel is held until the dump that started after it finished, then reported
// minus what was recovered: lost events (NEW and DESTROY alike: a lost DESTROY loses only
// counters) minus recovered NEWs, an upper bound of the connections never reported (settle()
// says how recoveries beyond the loss are handled); a recovered id whose NEW event arrives
// after all is a duplicate, dropped, and its recovery taken back.

import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createBackoff } from "../backoff.js";
import { type ConntrackDump, conntrackDump } from "./conntrack-dump.js";
import { type ConntrackEvent, conntrackKey, parseConntrackLine } from "./conntrack-line.js";
import { SeenIds, type SeenIdsOptions } from "./seen-ids.js";

export interface ConntrackFeed {
  /** Events since the last call, in arrival order. */
  take(): ConntrackEvent[];
  /** Events lost since the last call. */
  takeLost(): Promise<number>;
  /**
   * Totals since start: lines read from the event socket, table dumps run after overruns and the
   * NEW events they recovered.
   */
  stats(): { events: number; resyncs: number; recovered: number };
  /** false once `conntrack` turned out to be missing (no events will ever come). */
  available(): boolean;
  stop(): void;
}

export interface ConntrackFeedOptions {
  /** Run through this prefix (e.g. `ip netns exec <ns>`); default none. */
  readonly prefix?: readonly string[];
  /**
   * Netlink receive buffer asked for with -b (the kernel doubles it); default 32 MiB. Memory is
   * only used while events back up; it rides out ~2 s of a busy CPU at 20,000 new connections/s.
   */
  readonly bufferBytes?: number;
  /** Events kept between two takes; more are counted as lost. Default 500,000. */
  readonly maxQueued?: number;
  /** The table dump run after an overrun; default `conntrack -L` through `prefix`. */
  readonly dump?: ConntrackDump;
  /** Shortest time between the starts of two dumps (or twice the last one's run); 1000 ms. */
  readonly resyncIntervalMs?: number;
  /** The child's netlink drop count; default netlinkDrops() (/proc). */
  readonly readDrops?: (pid: number) => Promise<number>;
  /** Bounds of the seen-id set (seen-ids.ts). */
  readonly seen?: SeenIdsOptions;
  readonly log: {
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

const NETLINK_NETFILTER = "12";
const SETPRIV = onPath("setpriv");
export const DEFAULT_CONNTRACK_BUFFER_BYTES = 32 * 1024 * 1024;

export function startConntrackFeed(o: ConntrackFeedOptions): ConntrackFeed {
  const maxQueued = o.maxQueued ?? 500_000;
  const backoff = createBackoff({ baseMs: 1000, maxMs: 60_000 });
  let queue: ConntrackEvent[] = [];
  let refused = 0;
  let overruns = 0;
  let child: ChildProcess | undefined;
  let stopped = false;
  let missing = false;
  let warnedOverrun = 0;
  let dropsBaseline: number | undefined;
  let lastDropsRead = Date.now();
  let lastOverrun = Number.NEGATIVE_INFINITY;
  let lines = 0;
  // The kernel's drop count (or the ENOBUFS messages) since the last poll, handed to the resync.
  const pollLoss = async () => {
    lastDropsRead = Date.now();
    const pid = child?.pid;
    const read = o.readDrops ?? netlinkDrops;
    const drops = pid === undefined ? undefined : await read(pid).catch(() => undefined);
    const messages = overruns;
    overruns = 0;
    const before = dropsBaseline ?? 0;
    if (drops !== undefined) dropsBaseline = drops;
    const lost = drops === undefined ? messages : Math.max(0, drops - before);
    if (lost > 0) lastOverrun = lastDropsRead;
    resync.lost(lost);
  };
  const resync = startResync(o, pollLoss, (e) => {
    if (queue.length >= maxQueued) refused += 1;
    else queue.push(e);
  });

  const start = () => {
    const args = [
      "conntrack",
      "-E",
      "-e",
      "NEW,UPDATE,DESTROY",
      "-o",
      "extended,id,timestamp",
      "-b",
      String(o.bufferBytes ?? DEFAULT_CONNTRACK_BUFFER_BYTES),
    ];
    // `setpriv --pdeathsig KILL` (util-linux) ends conntrack with the agent even when the agent
    // is killed: an orphaned conntrack in an idle namespace would otherwise never exit.
    const guard = SETPRIV ? [SETPRIV, "--pdeathsig", "KILL"] : [];
    const [cmd = "conntrack", ...rest] = [...(o.prefix ?? []), ...guard, ...args];
    const proc = spawn(cmd, rest, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    dropsBaseline = undefined;
    const notInstalled = () => {
      if (missing) return;
      missing = true;
      o.log.error(
        { command: [cmd, ...rest].join(" ") },
        "`conntrack` is not installed: allowed connections are not reported (install the conntrack package); enforcement is unaffected",
      );
    };
    proc.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") notInstalled();
      else o.log.error({ error: e.message }, "conntrack failed");
    });
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      lines += 1;
      const event = parseConntrackLine(line);
      if (!event || !resync.admit(event, conntrackKey(line))) return;
      if (queue.length >= maxQueued) refused += 1;
      else queue.push(event);
    });
    createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      if (/ENOBUFS/.test(line)) {
        overruns += 1;
        resync.request();
        const now = Date.now();
        lastOverrun = now;
        if (now - warnedOverrun > 10_000) {
          warnedOverrun = now;
          o.log.warn({ line }, "conntrack events lost: the netlink buffer overflowed");
        }
      } else if (/conntrack\W.*(No such file or directory|not found)/i.test(line)) {
        notInstalled(); // through `ip netns exec` or setpriv: the wrapper cannot find it
      } else if (/failed|not found|No such file|Operation not permitted/i.test(line)) {
        o.log.warn({ line }, "conntrack");
      }
    });
    // `close`, not `exit`: its stderr (which may say conntrack is missing) has been read by then.
    proc.on("close", (code) => {
      if (stopped || missing) return;
      const delay = backoff.next();
      o.log.warn({ code, retryInMs: delay }, "conntrack exited; restarting");
      setTimeout(() => {
        if (!stopped && !missing) start();
      }, delay).unref();
    });
  };
  start();

  return {
    take() {
      const out = queue;
      queue = [];
      if (out.length > 0) backoff.reset();
      resync.prune();
      return out;
    },
    async takeLost() {
      const lostHere = refused;
      refused = 0;
      // The kernel's count is read while overruns are being reported (conntrack says so once
      // per episode; drops go on until it caught up, so for 10 s after the last one) and once a
      // minute as a backstop: /proc reads every second would cost idle CPU.
      const now = Date.now();
      if (overruns > 0) lastOverrun = now;
      const quiet = now - lastOverrun > 10_000 && now - lastDropsRead < 60_000;
      if (!quiet) await pollLoss();
      return lostHere + resync.settle();
    },
    stats: () => ({ events: lines, ...resync.stats() }),
    available: () => !missing,
    stop() {
      stopped = true;
      resync.stop();
      child?.kill();
    },
  };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return undefined;
}

/** Sum of `Drops` over the netfilter netlink sockets process `pid` holds. */
export async function netlinkDrops(pid: number): Promise<number> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1]) inodes.add(m[1]);
  }
  return sumDrops(await readFile(`/proc/${pid}/net/netlink`, "utf8"), inodes);
}

/**
 * /proc/net/netlink: `sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode` per socket; sums
 * Drops of the NETLINK_NETFILTER sockets whose inode is in `inodes`.
 */
export function sumDrops(table: string, inodes: ReadonlySet<string>): number {
  let sum = 0;
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === NETLINK_NETFILTER && inodes.has(cols[9] ?? "")) sum += Number(cols[8]) || 0;
  }
  return sum;
}

/** Turns on per-connection packet/byte counters in this namespace (`prefix` as for the feed). */
export function enableAccounting(prefix: readonly string[] = []): Promise<boolean> {
  const [cmd = "sysctl", ...args] = [
    ...prefix,
    "sysctl",
    "-qw",
    "net.netfilter.nf_conntrack_acct=1",
  ];
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { stdio: "ignore" });
    proc.on("error", () => resolve(false));
    proc.on("exit", (code) => resolve(code === 0));
  });
}

/**
 * The resync bookkeeping: seen ids, dumps after overruns, and the loss they settle.
 *
 *   lost(n) ─► held ──(dump starts)──► inDump ──(dump ends)──► settled ─ recovered ─► takeLost
 */
function startResync(
  o: Pick<ConntrackFeedOptions, "prefix" | "dump" | "resyncIntervalMs" | "seen" | "log">,
  pollLoss: () => Promise<void>,
  emit: (e: ConntrackEvent) => void,
) {
  const dump = o.dump ?? conntrackDump(o.prefix);
  const intervalMs = o.resyncIntervalMs ?? 1000;
  const seen = new SeenIds(o.seen);
  let held = 0;
  let inDump = 0;
  let settled = 0;
  let credit = 0; // recovered NEWs not yet set against settled loss; a late duplicate takes one back
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let lastDurationMs = 0;
  let lastLog = Number.NEGATIVE_INFINITY;
  let stopped = false;
  const totals = { resyncs: 0, recovered: 0 };

  const run = async () => {
    timer = undefined;
    running = true;
    lastStart = Date.now();
    // Loss up to now is what this dump can recover: the kernel's count is read first.
    await pollLoss();
    inDump += held;
    held = 0;
    let recovered = 0;
    const entries = await dump(
      (e, key) => {
        if (!seen.recover(key, Date.now())) return;
        recovered += 1;
        emit(e);
      },
      (key) => !seen.touch(key, Date.now()),
    );
    running = false;
    lastEnd = Date.now();
    lastDurationMs = lastEnd - lastStart;
    totals.resyncs += 1;
    totals.recovered += recovered;
    credit += recovered;
    settled += inDump;
    inDump = 0;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      o.log.warn(
        { entries, recovered },
        entries === undefined
          ? "conntrack events lost and the table dump failed: lost connections are counted as dropped"
          : "conntrack events lost: resynchronised from a table dump",
      );
    }
    if (held > 0) request();
  };

  const request = () => {
    if (stopped || running || timer) return;
    // A dump of a big table is itself work: at least twice its own duration between two.
    const gap = Math.max(intervalMs, 2 * lastDurationMs);
    timer = setTimeout(() => void run(), Math.max(0, lastStart + gap - Date.now()));
    timer.unref();
  };

  return {
    request,
    /** Loss the kernel reported; a dump is asked for. */
    lost(n: number) {
      if (n <= 0) return;
      held += n;
      request();
    },
    /** false for a NEW event a dump already recovered (a duplicate); UPDATEs always pass. */
    admit(e: ConntrackEvent, key: number | undefined): boolean {
      if (key === undefined || e.type === "update") return true;
      if (e.type === "destroy") {
        seen.forget(key);
        return true;
      }
      if (seen.noteNew(key, Date.now()) === "new") return true;
      credit -= 1;
      totals.recovered -= 1;
      return false;
    },
    /** Loss to report now: what finished dumps could not recover (never below 0). */
    settle(): number {
      // A dump recovers events whose loss the kernel counts only later (dropped while it ran):
      // recoveries beyond the loss settled so far are carried while the episode lasts, and
      // given up 10 s after the last dump (they may be entries that were never lost: older than
      // the seen window, or from before the agent started), so dropped stays an upper bound.
      const remaining = settled - credit;
      settled = 0;
      if (remaining >= 0) {
        credit = 0;
        return remaining;
      }
      credit = -remaining;
      const idle = !running && !timer && held === 0 && Date.now() - lastEnd > 10_000;
      if (idle) credit = 0;
      return 0;
    },
    prune: () => seen.prune(Date.now()),
    stats: () => ({ ...totals }),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
