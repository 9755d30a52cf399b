// Helpers for code that tests against a Store (this package's contract suite, the controller's
// tests): a settable clock and the harness every adapter provides to the contract suite.

import type { Store } from "./port.js";

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

/** Direct writes under the port, the way someone with access to the storage could tamper. */
export interface AuditTamper {
  deleteEntry(seq: number): Promise<void>;
  /** Replaces fields of the stored entry, leaving its hash as it was. */
  editEntry(
    seq: number,
    patch: { actor?: string; action?: string; after?: unknown },
  ): Promise<void>;
  /** Exchanges the positions (seq) of two entries. */
  swapEntries(a: number, b: number): Promise<void>;
}

/** What an adapter hands the contract suite. */
export interface StoreHarness {
  readonly store: Store;
  readonly tamper: AuditTamper;
  /** Makes the unit of work throw when it reaches `step` (until cleared with undefined). */
  failAt(step: string | undefined): void;
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
