// One table dump, `conntrack -L -o extended,id` in the agent's namespace, stream-parsed line by
// line (a big table is never held whole): each entry goes to `onEntry` as a NEW event without a
// time (conntrack-line.ts), with its conntrackKey(). `wanted` is asked first with that key (a
// cheap scan of the line): an entry it refuses is counted but not parsed, since a dump of a big
// table lists mostly entries already known. Resolves with the number of entries read, or
// undefined when the dump could not run (conntrack missing, not permitted, killed).

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type ConntrackEvent, conntrackKey, parseConntrackDumpLine } from "./conntrack-line.js";

export type ConntrackDump = (
  onEntry: (e: ConntrackEvent, key: number) => void,
  wanted?: (key: number) => boolean,
) => Promise<number | undefined>;

/** A dump runner through `prefix` (e.g. `ip netns exec <ns>`), as for the feed. */
export function conntrackDump(prefix: readonly string[] = []): ConntrackDump {
  return (onEntry, wanted) =>
    new Promise((resolve) => {
      const [cmd = "conntrack", ...args] = [...prefix, "conntrack", "-L", "-o", "extended,id"];
      const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
      let entries = 0;
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const key = conntrackKey(line);
        if (key === undefined || line.startsWith("conntrack ")) return;
        entries += 1;
        if (wanted && !wanted(key)) return;
        const entry = parseConntrackDumpLine(line);
        if (entry) onEntry(entry, key);
      });
      proc.on("error", () => resolve(undefined));
      proc.on("close", (code) => resolve(code === 0 ? entries : undefined));
    });
}
