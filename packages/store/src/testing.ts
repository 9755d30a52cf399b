// Helpers for code that tests against a Store (this package's contract suite, the controller's
// tests): a settable clock and the harness every adapter provides to the contract suite.

import type { Store } from "./port.js";
import type { AuditEntry } from "./records.js";

/** The audit key harnesses open their stores with (32 bytes; a real key is random). */
export const TEST_AUDIT_KEY: Uint8Array = new Uint8Array(32).fill(7);

export interface FakeClock {
  readonly now: () => Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function fakeClock(start = "2026-01-01T00:00:00.000Z"): FakeClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/**
 * Raw access to the stored audit entries, around the store, the way someone holding the database
 * (but not the audit key) could change them. The attacks themselves are written once, in
 * contract/audit-attacks.ts.
 */
export interface AuditTamper {
  /** Every stored entry, ascending seq, exactly as stored. */
  rows(): Promise<AuditEntry[]>;
  /** Replaces every stored entry with `rows` (immutability triggers dropped first). */
  replaceRows(rows: readonly AuditEntry[]): Promise<void>;
}

/** What an adapter hands the contract suite. */
export interface StoreHarness {
  readonly store: Store;
  readonly tamper: AuditTamper;
  /** Makes the unit of work throw when it reaches `step` (until cleared with undefined). */
  failAt(step: string | undefined): void;
  /**
   * A second store over the same data opened with another audit key (undefined: none), as an
   * older controller or a tool without the key would. The harness closes it at dispose().
   */
  withKey(key: Uint8Array | undefined): Store;
  /** Closes the store and opens the same data again; absent for adapters that keep nothing. */
  readonly reopen?: () => Promise<Store>;
  /** Removes whatever the harness made (temp directories). */
  dispose(): Promise<void>;
}

export type MakeHarness = (clock: FakeClock) => Promise<StoreHarness>;

/** A failpoint function driven by a mutable step name, for harnesses. */
export function failpointSwitch(): {
  failpoint: (step: string) => void;
  failAt: (s: string | undefined) => void;
} {
  let armed: string | undefined;
  return {
    failpoint: (step) => {
      if (step === armed) throw new Error(`failpoint ${step}`);
    },
    failAt: (s) => {
      armed = s;
    },
  };
}

export {
  describeWithPostgres,
  describeWithTool,
  freePort,
  postgresBinDir,
  startPostgres,
  type TestPostgres,
  type TestPostgresOptions,
} from "./testing/postgres.js";
