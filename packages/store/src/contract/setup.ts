// Per-test harness plumbing shared by the contract files.

import type { Workload } from "@microseg/core";
import { afterEach, beforeEach } from "vitest";
import type { Store } from "../port.js";
import { type FakeClock, fakeClock, type MakeHarness, type StoreHarness } from "../testing.js";

export interface Ctx {
  h: StoreHarness;
  store: Store;
  clock: FakeClock;
}

/** A fresh harness before each test, disposed after it. Read fields inside tests only. */
export function useHarness(make: MakeHarness): Ctx {
  const ctx = {} as Ctx;
  beforeEach(async () => {
    ctx.clock = fakeClock();
    ctx.h = await make(ctx.clock);
    ctx.store = ctx.h.store;
  });
  afterEach(async () => {
    await ctx.h.dispose();
  });
  return ctx;
}

/** A workload with an address of its own (an address belongs to one workload). */
export function workload(name: string, extra: Partial<Workload> = {}): Workload {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 65_000;
  return {
    name,
    labels: { app: "shop", role: name.split("-")[0] ?? name },
    addresses: [`198.19.${h >> 8}.${h & 255}`],
    mode: "enforce",
    managed: true,
    ...extra,
  };
}

export const sha = (c: string) => c.repeat(64).slice(0, 64);
