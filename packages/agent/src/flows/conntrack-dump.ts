// One table dump, `conntrack -L -o extended,id` in the agent's namespace, stream-parsed line by
// line (a big table is never held whole): each entry goes to `onEntry` as a NEW event without a
// time (conntrack-line.ts). Resolves with the number of entries read, or undefined when the dump
// could not run (conntrack missing, not permitted, killed).

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type ConntrackEvent, parseConntrackDumpLine } from "./conntrack-line.js";

export type ConntrackDump = (onEntry: (e: ConntrackEvent) => void) => Promise<number | undefined>;

/** A dump runner through `prefix` (e.g. `ip netns exec <ns>`), as for the feed. */
export function conntrackDump(prefix: readonly string[] = []): ConntrackDump {
  return (onEntry) =>
    new Promise((resolve) => {
      const [cmd = "conntrack", ...args] = [...prefix, "conntrack", "-L", "-o", "extended,id"];
      const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
      let entries = 0;
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const entry = parseConntrackDumpLine(line);
        if (!entry) return;
        entries += 1;
        onEntry(entry);
      });
      proc.on("error", () => resolve(undefined));
      proc.on("close", (code) => resolve(code === 0 ? entries : undefined));
    });
}
