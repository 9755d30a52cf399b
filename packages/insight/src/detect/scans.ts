// Scans: many distinct suspicious contacts of one source.
//   fast   within scanWindowMs: >= scanPorts ports on one host (vertical) or the same port on
//          >= scanHosts hosts (horizontal);
//   slow   >= slowScanContacts distinct failed contacts (blocked, refused, unanswered) within
//          slowScanWindowMs, however paced (the alert then stays open for that window, and its
//          summary says "slowly").
// Severity: high once the scan spans scanHosts hosts, else medium.
// Both raise one `scan` alert per source. A declared scanner's contacts raise `authorised-scan`
// (low, informational) on the same thresholds instead.
import type { FlowObservation } from "../flow.js";
import type { AlertBook, OpenAlert } from "./alert-book.js";
import type { SourceContacts } from "./contacts.js";
import { evidence } from "./evidence.js";
import type { DetectionOptions } from "./options.js";
import { SlowScans } from "./slow-scans.js";
import type { AlertKind, DetectedAlert } from "./types.js";

export class ScanDetector {
  private readonly slowScans: SlowScans;

  constructor(
    private readonly book: AlertBook,
    private readonly options: DetectionOptions,
  ) {
    this.slowScans = new SlowScans(options);
  }

  /** A new contact inside the fast window (SourceContacts said so). */
  fast(
    c: SourceContacts,
    obs: FlowObservation,
    at: number,
    authorised: boolean,
  ): DetectedAlert | undefined {
    const src = obs.from.name;
    const o = this.options;
    const kind: AlertKind = authorised ? "authorised-scan" : "scan";
    const since = at - o.scanWindowMs;
    const alert = this.book.openAlert(kind, src, at);
    const open = alert !== undefined;
    const vertical = open ? 0 : c.portsOn(obs.to.name, since);
    const horizontal = open ? 0 : c.hostsOn(obs.port, since);
    if (!open && vertical < o.scanPorts && horizontal < o.scanHosts) return undefined;
    // High once the scan spans scanHosts hosts: in the window, or over the open alert's life.
    const hosts = open ? alert.targets.size + (alert.targets.has(obs.to.name) ? 0 : 1) : horizontal;
    const seeds = open
      ? {}
      : vertical >= o.scanPorts
        ? { seedPorts: c.portsOf(obs.to.name) }
        : { seedTargets: c.hostsOf(obs.port) };
    return this.book.raise({
      kind,
      source: src,
      severity: authorised ? "low" : hosts >= o.scanHosts ? "high" : "medium",
      at,
      ...seeds,
      target: obs.to.name,
      port: obs.port,
      flow: evidence(obs),
      // Set when the alert opens only: an alert a slow scan opened keeps saying so.
      ...(open
        ? {}
        : { detail: { scanPorts: o.scanPorts, scanHosts: o.scanHosts, windowMs: o.scanWindowMs } }),
      summary: scanSummary,
    });
  }

  /**
   * A failed suspicious contact: counted over the slow window while no scan alert of the source
   * is open. Raises only to open the alert (while it is open, the fast path above updates it
   * with every new contact).
   */
  slow(obs: FlowObservation, at: number, authorised: boolean): DetectedAlert | undefined {
    const src = obs.from.name;
    const o = this.options;
    const kind: AlertKind = authorised ? "authorised-scan" : "scan";
    // While the source's scan alert is open the fast path updates it: nothing to count here (and
    // a fast scan's hundreds of contacts cost the slow detector nothing).
    if (this.book.isOpen(kind, src, at)) return undefined;
    const n = this.slowScans.record(src, obs.to.name, obs.port, at);
    if (n < o.slowScanContacts || n === 0) return undefined;
    const held = this.slowScans.contactsOf(src);
    return this.book.raise({
      kind,
      source: src,
      severity: authorised ? "low" : held.hosts.length >= o.scanHosts ? "high" : "medium",
      at,
      seedTargets: held.hosts,
      seedPorts: held.ports,
      target: obs.to.name,
      port: obs.port,
      flow: evidence(obs),
      holdMs: o.slowScanWindowMs,
      detail: { slowScanContacts: o.slowScanContacts, slowScanWindowMs: o.slowScanWindowMs },
      summary: scanSummary,
    });
  }

  sweep(now: number): void {
    this.slowScans.sweep(now);
  }

  size(): number {
    return this.slowScans.size();
  }
}

function scanSummary(a: OpenAlert): string {
  const who = a.kind === "authorised-scan" ? `${a.source} (authorised scanner)` : a.source;
  const what = `${namesOrCount(a.ports, "port")} on ${namesOrCount(a.targets, "host")}`;
  const slow = a.detail?.slowScanWindowMs;
  if (typeof slow !== "number") return `${who} scanned ${what}`;
  const hours = Math.round((slow / 3_600_000) * 10) / 10;
  return `${who} slowly scanned ${what} (${a.detail?.slowScanContacts} failed contacts within ${hours} h: low and slow)`;
}

/** The items themselves when there are a few (`tcp/3389`, `db-1, web-1`), else how many. */
export function namesOrCount(items: ReadonlySet<string>, noun: string): string {
  return items.size <= 3 ? [...items].sort().join(", ") : countOf(items, noun);
}

export function countOf(items: ReadonlySet<string>, noun: string): string {
  return `${items.size} ${noun}${items.size === 1 ? "" : "s"}`;
}
