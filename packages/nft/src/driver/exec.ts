// How the driver runs nft. Injectable so a fake twin (testing/fake-nft.ts) can stand in.

import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NftExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `nft <args>` with `stdin` (if given) in the driver's target namespace. */
export type NftExec = (args: readonly string[], stdin?: string) => Promise<NftExecResult>;

let fileSeq = 0;

/**
 * The real exec: `nft ...`, or `ip netns exec <netns> nft ...` when a namespace is given.
 * `-f -` is served from a private temp file: nft opens /dev/stdin by path, which fails on the
 * socket pair node uses for a child's stdin.
 */
export function createNftExec(netns?: string, timeoutMs = 30_000): NftExec {
  return async (args, stdin) => {
    const dash = args.indexOf("-");
    let file: string | undefined;
    let argv = [...args];
    if (dash > 0 && args[dash - 1] === "-f") {
      fileSeq += 1;
      file = join(tmpdir(), `mseg-nft-${process.pid}-${fileSeq}.json`);
      await writeFile(file, stdin ?? "", { mode: 0o600 });
      argv = argv.map((a, i) => (i === dash ? (file ?? a) : a));
    }
    try {
      const [cmd, full] = netns ? ["ip", ["netns", "exec", netns, "nft", ...argv]] : ["nft", argv];
      return await run(cmd, full, file ? undefined : stdin, timeoutMs);
    } finally {
      if (file) await rm(file, { force: true });
    }
  };
}

export function run(
  cmd: string,
  args: readonly string[],
  stdin: string | undefined,
  timeoutMs: number,
): Promise<NftExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: 127, stdout: "", stderr: String(e) }));
    child.on("close", (code, signal) => {
      const stderr = Buffer.concat(err).toString("utf8");
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: signal ? `${stderr}\nkilled by ${signal} (timeout ${timeoutMs} ms)` : stderr,
      });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(stdin ?? "");
  });
}
