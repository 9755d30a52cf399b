// Event-driven tamper detection: one long-lived `nft monitor ruleset` child whose output names
// every change to the ruleset as it happens. A line about our table (`inet <table>`) triggers a
// drift check at once, so a flushed or edited table is repaired in well under a second without
// polling nft every few seconds (each poll forks nft: that alone was ~0.8% of a core at 2 s).
// The periodic check stays as a backstop. If the monitor dies it is restarted with backoff.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createBackoff } from "./backoff.js";

export interface ChangeFeed {
  /** Calls `onChange` (debounced) whenever the table may have changed; returns stop. */
  subscribe(onChange: () => void): () => void;
}

export interface NftMonitorOptions {
  readonly table: string;
  /** Coalesces bursts (one apply is many lines); default 100 ms. */
  readonly debounceMs?: number;
  readonly onError?: (message: string) => void;
  /** Command to run; default `nft monitor ruleset`. */
  readonly command?: readonly string[];
}

export function nftMonitor(o: NftMonitorOptions): ChangeFeed {
  return {
    subscribe(onChange) {
      const backoff = createBackoff({ baseMs: 1000, maxMs: 60_000 });
      const needle = `inet ${o.table}`;
      let child: ChildProcess | undefined;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const fire = () => {
        if (timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          onChange();
        }, o.debounceMs ?? 100);
      };
      const start = () => {
        const [cmd = "nft", ...args] = o.command ?? ["nft", "monitor", "ruleset"];
        child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
        child.on("error", (e) => o.onError?.(e.message));
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
          backoff.reset();
          if (line.includes(needle)) fire();
        });
        child.on("exit", () => {
          if (stopped) return;
          o.onError?.("nft monitor exited; restarting");
          fire(); // whatever happened meanwhile is checked
          setTimeout(start, backoff.next()).unref();
        });
      };
      start();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        child?.kill();
      };
    },
  };
}
