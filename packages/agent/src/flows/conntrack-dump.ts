// One table dump, `conntrack -L -o extended,id` in the agent's namespace, stream-parsed line by
// line (a big table is never held whole): each entry goes to `onEntry` as a NEW event without a
// time (conntrack-line.ts). `wanted` is asked first with the entry's conntrack id (a cheap scan
// for the last ` id=`): an entry it refuses is counted but not parsed, since a dump of a big
// table lists mostly entries already known. Resolves with the number of entries read, or
// undefined when the dump could not run (conntrack missing, not permitted, killed).

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type ConntrackEvent, parseConntrackDumpLine } from "./conntrack-line.js";

export type ConntrackDump = (
  onEntry: (e: ConntrackEvent) => void,
  wanted?: (id: number) => boolean,
) => Promise<number | undefined>;

/** A dump runner through `prefix` (e.g. `ip netns exec <ns>`), as for the feed. */
export function conntrackDump(prefix: readonly string[] = []): ConntrackDump {
  return (onEntry, wanted) =>
    new Promise((resolve) => {
      const [cmd = "conntrack", ...args] = [...prefix, "conntrack", "-L", "-o", "extended,id"];
      const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
      let entries = 0;
      createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const at = line.lastIndexOf(" id=");
        if (at < 0 || line.startsWith("conntrack ")) return;
        entries += 1;
        if (wanted && !wanted(Number.parseInt(line.slice(at + 4), 10))) return;
        const entry = parseConntrackDumpLine(line);
        if (entry) onEntry(entry);
      });
      proc.on("error", () => resolve(undefined));
      proc.on("close", (code) => resolve(code === 0 ? entries : undefined));
    });
}
