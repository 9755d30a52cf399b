// Leases and shared secrets: what replicas on one database agree on besides the data itself.
//
// A lease is a row (name, holder, epoch, expires_at) changed only inside a writing unit, which
// runs alone (SQLite, memory) or under the database-wide write lock (PostgreSQL), so two replicas
// can never both read "free" and both take it. Time is the acquiring replica's clock: replicas are
// expected to keep their clocks within a second (NTP) of each other, far below the lease's TTL.
// The holder renews well before expiry and stops its job when a renewal fails or comes too late
// (controller/src/leases.ts), so at most one replica runs a job at any time as long as clocks
// agree to within the TTL minus the renewal interval.
//
// Leases are not audited: they change hands on every restart and say nothing about policy.

import type { Lease, LeaseRepo, SharedSecretRepo } from "../port.js";
import type { Backend, EngineContext } from "./tables.js";

export function leaseRepo(db: Backend, ctx: EngineContext): LeaseRepo {
  return {
    async acquire(name, holder, ttlMs) {
      return db.run(async (t) => {
        const now = ctx.clock().getTime();
        const current = await t.lease(name);
        const mine = current?.holder === holder;
        if (current !== undefined && !mine && Date.parse(current.expiresAt) > now) return current;
        const lease: Lease = {
          name,
          holder,
          epoch: mine ? current.epoch : (current?.epoch ?? 0) + 1,
          expiresAt: new Date(now + ttlMs).toISOString(),
        };
        await t.putLease(lease);
        return lease;
      });
    },
    async release(name, holder) {
      return db.run(async (t) => {
        const l = await t.lease(name);
        if (l?.holder !== holder) return false;
        // The row stays (expired at once) so that the next holder's epoch still counts up.
        await t.putLease({ ...l, expiresAt: new Date(0).toISOString() });
        return true;
      });
    },
    async list() {
      return db.run(async (t) => t.leases(), "read");
    },
  };
}

export function sharedSecretRepo(db: Backend, ctx: EngineContext): SharedSecretRepo {
  return {
    async get(name) {
      return db.run(async (t) => t.sharedSecret(name), "read");
    },
    async create(name, value) {
      return db.run(async (t) => {
        const existing = await t.sharedSecret(name);
        if (existing !== undefined) return { ...existing, created: false };
        const secret = { name, value, createdAt: ctx.clock().toISOString() };
        await t.insertSharedSecret(secret);
        return { ...secret, created: true };
      });
    },
  };
}
