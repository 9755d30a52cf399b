// Reads a child process's stdout as JSON lines (pino logs, the fake controller's reports) and
// waits for a line that matches.

import type { ChildProcess } from "node:child_process";

export type Line = Record<string, unknown>;

export class JsonLines {
  readonly lines: Line[] = [];
  private readonly waiters = new Set<(line: Line) => void>();
  private rest = "";

  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = this.rest + chunk.toString("utf8");
      const parts = text.split("\n");
      this.rest = parts.pop() ?? "";
      for (const part of parts) this.push(part);
    });
  }

  /** The first line (seen since index `from`) that matches, or rejects after `ms`. */
  waitFor(match: (line: Line) => boolean, ms = 10_000, from = 0): Promise<Line> {
    const found = this.lines.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching line in ${ms} ms; last lines:\n${this.tail()}`));
      }, ms);
      const waiter = (line: Line) => {
        if (!match(line)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(line);
      };
      this.waiters.add(waiter);
    });
  }

  tail(n = 8): string {
    return this.lines
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join("\n");
  }

  /** Sends SIGTERM (or `signal`) and resolves with the exit code. */
  stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    // A child killed by a signal has no exit code, only a signal code: it is gone all the same.
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve(this.child.exitCode);
    }
    return new Promise((resolve) => {
      this.child.once("exit", (code) => resolve(code));
      this.child.kill(signal);
    });
  }

  private push(text: string): void {
    if (!text.trim()) return;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      line = { text };
    }
    this.lines.push(line);
    for (const w of [...this.waiters]) w(line);
  }
}
