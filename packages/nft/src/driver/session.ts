// A long-lived `nft -i` child for frequent read-only listings: one command line in, one line of
// JSON out, no fork per read (a forked `nft -j -t list ruleset` costs ~4 ms of CPU; the same
// listing in a session ~0.4 ms). The session's flags (`-j -t …`) are fixed when it starts, so an
// exec's arguments must begin with exactly those flags; the rest is the command.
//
//   exec(["-j", "-t", "list", "ruleset"]) ── "list ruleset\n" ──> nft -j -t -i
//                                         <── one stdout line ── (success)
//                                         <── stderr output ──── (failure: the child is replaced,
//                                                                 so a late stderr line can never
//                                                                 be taken for the next answer)
//
// Commands run one at a time. A child that exits, or does not answer within timeoutMs, is
// replaced on the next call; nothing is retried behind the caller's back.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { NftExec, NftExecResult } from "./exec.js";

/**
 * The flags of the terse listings the agent reads often (`list ruleset`: rules with counters,
 * set declarations, no elements): the driver's drift check and the flow collector share one
 * session with these.
 */
export const TERSE_LIST_FLAGS = ["-j", "-t"] as const;

/** How long a failing child's stderr is read after its first piece. */
const STDERR_WAIT_MS = 500;

export interface NftSessionOptions {
  /** Flags the session runs with, e.g. ["-j", "-t"]; every exec must start with them. */
  readonly flags: readonly string[];
  /** Namespace to run in (`ip netns exec`); default: the caller's own. */
  readonly netns?: string;
  /** Per command; default 10 s. */
  readonly timeoutMs?: number;
  /** The program (tests); default `nft`. */
  readonly command?: string;
}

export interface NftSession {
  readonly exec: NftExec;
  /** The child's pid while one runs (footprint measurements). */
  readonly pid: number | undefined;
  close(): void;
}

interface Pending {
  readonly resolve: (r: NftExecResult) => void;
  readonly timer: NodeJS.Timeout;
}

export function createNftSession(o: NftSessionOptions): NftSession {
  const timeoutMs = o.timeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let pending: Pending | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const settle = (r: NftExecResult) => {
    const p = pending;
    if (p === undefined) return;
    pending = undefined;
    clearTimeout(p.timer);
    p.resolve(r);
  };

  const retire = (c: ChildProcess) => {
    if (child === c) child = undefined;
    c.stdin?.destroy();
    c.kill();
  };

  const start = (): ChildProcess => {
    const argv = [...o.flags, "-i"];
    const [cmd, args] = o.netns
      ? ["ip", ["netns", "exec", o.netns, o.command ?? "nft", ...argv]]
      : [o.command ?? "nft", argv];
    const c = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    c.stdin?.on("error", () => {});
    createInterface({ input: c.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (child === c) settle({ code: 0, stdout: `${line}\n`, stderr: "" });
    });
    // nft may write an error in pieces ("Error: ", then the message): the child is taken out of
    // service at the first piece, its input ended so that it exits, and the answer is what it
    // wrote until its stderr closed (at most STDERR_WAIT_MS).
    let err: string | undefined;
    c.stderr?.on("data", (b: Buffer) => {
      if (err !== undefined) {
        err += b.toString("utf8");
        return;
      }
      if (child !== c) return;
      err = b.toString("utf8");
      child = undefined;
      c.stdin?.end();
      let answered = false;
      const done = () => {
        // once: a late "end" must not answer the next command
        if (answered) return;
        answered = true;
        clearTimeout(wait);
        retire(c);
        settle({ code: 1, stdout: "", stderr: err ?? "" });
      };
      const wait = setTimeout(done, STDERR_WAIT_MS);
      c.stderr?.once("end", done);
    });
    c.on("error", (e) => {
      if (child === c) child = undefined;
      settle({ code: 127, stdout: "", stderr: String(e) });
    });
    c.on("exit", (code, signal) => {
      if (child !== c) return;
      child = undefined;
      settle({ code: code ?? 128, stdout: "", stderr: `nft session exited (${signal ?? code})` });
    });
    return c;
  };

  const run = (line: string): Promise<NftExecResult> =>
    new Promise((resolve) => {
      if (closed) {
        resolve({ code: 1, stdout: "", stderr: "nft session closed" });
        return;
      }
      child ??= start();
      const c = child;
      const timer = setTimeout(() => {
        retire(c);
        settle({ code: 124, stdout: "", stderr: `nft session: no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      pending = { resolve, timer };
      c.stdin?.write(`${line}\n`);
    });

  const exec: NftExec = (args, stdin) => {
    const own = args.slice(0, o.flags.length);
    if (stdin !== undefined || own.join(" ") !== o.flags.join(" ")) {
      throw new Error(`nft session (${o.flags.join(" ")}) cannot run: nft ${args.join(" ")}`);
    }
    const line = args.slice(o.flags.length).join(" ");
    if (/[\n;]/.test(line)) throw new Error(`nft session: one command per call: ${line}`);
    const answer = queue.then(() => run(line));
    queue = answer.catch(() => {});
    return answer;
  };

  return {
    exec,
    get pid() {
      return child?.pid;
    },
    close() {
      closed = true;
      if (child !== undefined) retire(child);
      settle({ code: 1, stdout: "", stderr: "nft session closed" });
    },
  };
}
