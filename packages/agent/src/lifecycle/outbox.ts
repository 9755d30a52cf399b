// Agent events that must outlive the process: a stop, a package removal or an unpair reported
// while the controller was unreachable. Queued in DIR/outbox.json ({ events: AgentEvent[] },
// newest last, at most MAX_EVENTS_PER_REPORT: the oldest go first) and sent by the next agent
// start with its first status report; the file goes once the controller accepted them.

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { AgentEventSchema } from "@microseg/protocol/agent";
import { readJsonFile, writeAtomic } from "../state-store.js";
import { type AgentEvent, MAX_EVENTS_PER_REPORT } from "../wire.js";

export const OUTBOX_FILE = "outbox.json";

/** The queued events; an unreadable file counts as empty (it is replaced on the next write). */
export async function readOutbox(dir: string): Promise<AgentEvent[]> {
  const v = (await readJsonFile(join(dir, OUTBOX_FILE)).catch(() => undefined)) as
    | { events?: unknown }
    | undefined;
  if (!Array.isArray(v?.events)) return [];
  return v.events.flatMap((e) => {
    const parsed = AgentEventSchema.safeParse(e);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Adds those of `events` not queued yet after those queued (bounded: the oldest go). */
export async function queueEvents(dir: string, events: readonly AgentEvent[]): Promise<void> {
  const queued = await readOutbox(dir);
  const known = new Set(queued.map(key));
  const all = [...queued, ...events.filter((e) => !known.has(key(e)))];
  await writeOutbox(dir, all.slice(-MAX_EVENTS_PER_REPORT));
}

/** Removes `delivered` from the outbox (events another process queued meanwhile stay). */
export async function forgetEvents(dir: string, delivered: readonly AgentEvent[]): Promise<void> {
  const queued = await readOutbox(dir);
  if (queued.length === 0) return;
  const gone = new Set(delivered.map(key));
  await writeOutbox(
    dir,
    queued.filter((e) => !gone.has(key(e))),
  );
}

async function writeOutbox(dir: string, events: readonly AgentEvent[]): Promise<void> {
  const file = join(dir, OUTBOX_FILE);
  if (events.length === 0) await rm(file, { force: true });
  else await writeAtomic(file, JSON.stringify({ events }));
}

/** One event's identity: the same kind, time and details are the same event. */
function key(e: AgentEvent): string {
  return JSON.stringify([e.kind, e.at, e.details]);
}
