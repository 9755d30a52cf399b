// Row <-> record for leases and shared secrets (migration 8), the same on SQLite and PostgreSQL.
import type { Lease, SharedSecret } from "../port.js";

type Row = Record<string, unknown>;

export const LEASE_COLUMNS = ["name", "holder", "epoch", "expires_at"] as const;
export const SECRET_COLUMNS = ["name", "value", "created_at"] as const;

export const leaseFromRow = (r: Row): Lease => ({
  name: String(r.name),
  holder: String(r.holder),
  epoch: Number(r.epoch),
  expiresAt: String(r.expires_at),
});

export const leaseToRow = (l: Lease): Row => ({
  name: l.name,
  holder: l.holder,
  epoch: l.epoch,
  expires_at: l.expiresAt,
});

export const secretFromRow = (r: Row): SharedSecret => ({
  name: String(r.name),
  value: String(r.value),
  createdAt: String(r.created_at),
});

export const secretToRow = (s: SharedSecret): Row => ({
  name: s.name,
  value: s.value,
  created_at: s.createdAt,
});
