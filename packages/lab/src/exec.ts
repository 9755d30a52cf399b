// `lab exec HOST -- CMD…`: runs a command in a lab host's network namespace with the caller's
// stdio, and resolves to its exit code (128 + signal number when a signal ended it).
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { MicrosegError } from "@microseg/core";
import { requireUp } from "./probe.js";
import { stateDir } from "./state.js";

export interface ExecOptions {
  readonly dir?: string;
  readonly stdio?: "inherit" | "ignore";
}

export async function labExec(
  host: string,
  command: readonly string[],
  opts: ExecOptions = {},
): Promise<number> {
  const state = requireUp(opts.dir ?? stateDir());
  const target = state.hosts.find((h) => h.name === host);
  if (target === undefined) {
    const names = state.hosts.map((h) => h.name).join(", ");
    throw new MicrosegError(
      "MSEG_LAB_UNKNOWN_HOST",
      `lab "${state.lab}" has no host "${host}"; its hosts are: ${names}`,
    );
  }
  if (command.length === 0) {
    throw new MicrosegError(
      "MSEG_USAGE",
      "give a command to run, e.g. microseg lab exec web-1 -- ip addr",
    );
  }
  const child = spawn("ip", ["netns", "exec", target.netns, ...command], {
    stdio: opts.stdio ?? "inherit",
  });
  return new Promise((resolve) => {
    child.once("error", () => resolve(127));
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
