// A scenario's background traffic plan: which host opens which connection, and how often.
//
//   traffic:
//     - { from: [web-1, web-2], to: [app-1, app-2], port: tcp/8080, every: 2s }
//
// expands to one TrafficFlow per (from, to) pair. Checked against the scenario's hosts: both
// ends must exist and differ, and the destination must listen on the port (a connection to a
// port nothing serves would look like a blocked flow). Pure: no I/O.
import { parseServicePort } from "@microseg/core";
import type { RawTraffic } from "../scenario/schema.js";
import type { ListenPort } from "../scenario/types.js";

/** One periodic connection of the plan. */
export interface TrafficFlow {
  readonly from: string;
  readonly to: string;
  readonly proto: "tcp" | "udp";
  readonly port: number;
  /** Mean period; each wait is jittered by ±TRAFFIC_JITTER of it (see schedule.ts). */
  readonly everyMs: number;
}

export const DEFAULT_EVERY_MS = 5000;
export const MIN_EVERY_MS = 200;
export const MAX_EVERY_MS = 3_600_000;
/** At most this many flows after expansion: the plan must stay light on a laptop. */
export const MAX_TRAFFIC_FLOWS = 500;

/** Where a problem is (path parts under `traffic`) and what to write instead. */
export type TrafficReport = (path: readonly (string | number)[], message: string) => void;

interface HostView {
  readonly name: string;
  readonly listen: readonly ListenPort[];
}

/** `500ms`, `2s`, `1.5s`, `1m` -> milliseconds; undefined when it is not a duration. */
export function parseEvery(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}

/** The expanded, checked plan; every problem goes to `report` (and its entry is skipped). */
export function planTraffic(
  raw: readonly RawTraffic[],
  hosts: readonly HostView[],
  report: TrafficReport,
): TrafficFlow[] {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const flows = new Map<string, TrafficFlow>();
  raw.forEach((entry, i) => {
    for (const flow of expandEntry(entry, byName, (path, msg) => report([i, ...path], msg))) {
      flows.set(`${flow.from} ${flow.to} ${flow.proto}/${flow.port}`, flow);
    }
  });
  if (flows.size > MAX_TRAFFIC_FLOWS) {
    report(
      [],
      `the plan expands to ${flows.size} flows; at most ${MAX_TRAFFIC_FLOWS} are allowed — use shorter host lists`,
    );
    return [];
  }
  return [...flows.values()];
}

function expandEntry(
  entry: RawTraffic,
  byName: ReadonlyMap<string, HostView>,
  report: TrafficReport,
): TrafficFlow[] {
  const port = checkPort(entry.port, (msg) => report(["port"], msg));
  const everyMs = checkEvery(entry.every, (msg) => report(["every"], msg));
  const from = checkHosts("from", entry.from, byName, report);
  const to = checkHosts("to", entry.to, byName, report);
  if (port === undefined || everyMs === undefined || from === undefined || to === undefined) {
    return [];
  }
  const spec = `${port.proto}/${port.port}`;
  const flows: TrafficFlow[] = [];
  let ok = true;
  for (const dst of to) {
    if (!dst.listen.some((l) => l.proto === port.proto && l.port === port.port)) {
      report(
        ["port"],
        `${dst.name} does not listen on ${spec}; add ${spec} to its listen: list or pick one of: ${listenText(dst)}`,
      );
      ok = false;
    }
  }
  for (const src of from) {
    for (const dst of to) {
      if (src.name !== dst.name) flows.push({ from: src.name, to: dst.name, ...port, everyMs });
    }
  }
  if (ok && flows.length === 0) {
    report(["to"], "every flow of this entry would go from a host to itself; name other hosts");
  }
  return ok ? flows : [];
}

function checkPort(
  text: string,
  report: (message: string) => void,
): { proto: "tcp" | "udp"; port: number } | undefined {
  const parsed = parseServicePort(text);
  if (!parsed.ok) {
    report(parsed.message);
    return undefined;
  }
  const p = parsed.port;
  if ((p.proto !== "tcp" && p.proto !== "udp") || !("from" in p) || p.from !== p.to) {
    report(`background traffic goes to one TCP or UDP port; write e.g. tcp/8080, not "${text}"`);
    return undefined;
  }
  return { proto: p.proto, port: p.from };
}

function checkEvery(
  text: string | undefined,
  report: (message: string) => void,
): number | undefined {
  if (text === undefined) return DEFAULT_EVERY_MS;
  const ms = parseEvery(text);
  if (ms === undefined) {
    report(`"${text}" is not a period; write e.g. 500ms, 2s or 1m`);
    return undefined;
  }
  if (ms < MIN_EVERY_MS || ms > MAX_EVERY_MS) {
    report(`${text} is out of range; a flow repeats every ${MIN_EVERY_MS}ms to 1h`);
    return undefined;
  }
  return ms;
}

function checkHosts(
  field: "from" | "to",
  value: string | readonly string[],
  byName: ReadonlyMap<string, HostView>,
  report: TrafficReport,
): HostView[] | undefined {
  const names = typeof value === "string" ? [value] : value;
  const found: HostView[] = [];
  names.forEach((name, j) => {
    const host = byName.get(name);
    if (host !== undefined) {
      found.push(host);
      return;
    }
    const path = typeof value === "string" ? [field] : [field, j];
    report(path, `no host is called "${name}"; the hosts are: ${[...byName.keys()].join(", ")}`);
  });
  return found.length === names.length ? found : undefined;
}

function listenText(host: HostView): string {
  return host.listen.map((l) => `${l.proto}/${l.port}`).join(", ") || "(it listens on nothing)";
}

/** `web-1 -> app-1 tcp/8080` */
export function flowText(flow: Pick<TrafficFlow, "from" | "to" | "proto" | "port">): string {
  return `${flow.from} -> ${flow.to} ${flow.proto}/${flow.port}`;
}
