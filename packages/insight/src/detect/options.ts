// Detector thresholds and windows. Defaults are documented in docs/design/detection.md; each is
// overridable (the controller takes them from its configuration).

export interface DetectionOptions {
  /** Vertical scan: one source, one host, >= this many distinct ports within scanWindowMs. */
  readonly scanPorts: number;
  /** Horizontal scan: one source, one port, >= this many hosts within scanWindowMs. */
  readonly scanHosts: number;
  readonly scanWindowMs: number;
  /**
   * Slow scan: one source, >= this many distinct failed contacts (host and port; blocked, refused
   * or unanswered) within slowScanWindowMs — a scan paced below the windows above.
   */
  readonly slowScanContacts: number;
  readonly slowScanWindowMs: number;
  /** Ransomware-style spread: spread services to >= this many hosts within spreadWindowMs. */
  readonly spreadHosts: number;
  readonly spreadWindowMs: number;
  /** Lateral movement raises once a source's unexplained edges weigh this much (high = 3). */
  readonly lateralScore: number;
  readonly lateralWindowMs: number;
  /** A->B then B->C within this window: one incident. Also how long a source's incident lasts. */
  readonly incidentWindowMs: number;
  /** An alert with no new evidence for this long is closed; new evidence opens a new one. */
  readonly dedupWindowMs: number;
  /** Enforcement gap: offline / drifted / behind for longer than this. */
  readonly gapGraceMs: number;
  /** An agent whose last heartbeat is older than this is offline. */
  readonly offlineAfterMs: number;
  /** Bounds: sources tracked at once (oldest dropped first), contacts kept per source. */
  readonly maxSources: number;
  readonly maxContactsPerSource: number;
  /** Sources the slow-scan detector follows at once (least recently failed dropped first). */
  readonly maxSlowSources: number;
}

export const DEFAULT_DETECTION_OPTIONS: DetectionOptions = {
  scanPorts: 15,
  scanHosts: 4,
  scanWindowMs: 60_000,
  slowScanContacts: 20,
  slowScanWindowMs: 6 * 3_600_000,
  spreadHosts: 3,
  spreadWindowMs: 30_000,
  lateralScore: 3,
  lateralWindowMs: 600_000,
  incidentWindowMs: 600_000,
  dedupWindowMs: 600_000,
  gapGraceMs: 120_000,
  offlineAfterMs: 90_000,
  maxSources: 50_000,
  maxContactsPerSource: 4096,
  maxSlowSources: 10_000,
};
