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

export function workload(name: string, extra: Partial<Workload> = {}): Workload {
  return {
    name,
    labels: { app: "shop", role: name.split("-")[0] ?? name },
    addresses: ["198.18.0.10"],
    mode: "enforce",
    managed: true,
    ...extra,
  };
}

export const sha = (c: string) => c.repeat(64).slice(0, 64);
