// Maintenance tokens on the host. The controller issues a token per agent and keeps only its
// sha256; the agent gets that hash with its status answers and keeps it here, so a token can be
// checked while the controller is unreachable. A checked token sanctions a stop for a window
// (maintenance.json) or an unpair.
//
//   DIR/maintenance-hash.json   { hash: sha256 hex of the token (utf8), receivedAt }
//   DIR/maintenance.json        { openedAt, until }: stops before `until` are sanctioned

import { createHash, timingSafeEqual } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { readJsonFile, writeAtomic } from "../state-store.js";

export const MAINTENANCE_HASH_FILE = "maintenance-hash.json";
export const MAINTENANCE_FILE = "maintenance.json";
/** The window `maintenance` opens when no --minutes is given, and the longest it may open. */
export const DEFAULT_WINDOW_MINUTES = 30;
export const MAX_WINDOW_MINUTES = 24 * 60;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** sha256 (hex) of the token's UTF-8 bytes: what the controller stores and sends. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Whether `token` is the one whose hash is `hash`. Constant time in the token's content: both
 * sides are compared as 32-byte digests, so neither a prefix nor the length leaks.
 */
export function tokenMatches(token: string, hash: string): boolean {
  if (!SHA256_HEX.test(hash)) return false;
  const given = createHash("sha256").update(token, "utf8").digest();
  return timingSafeEqual(given, Buffer.from(hash, "hex"));
}

export interface MaintenanceHash {
  readonly hash: string;
  readonly receivedAt: string;
}

export async function readMaintenanceHash(dir: string): Promise<MaintenanceHash | undefined> {
  const v = await readJsonFile(join(dir, MAINTENANCE_HASH_FILE));
  const o = v as Partial<MaintenanceHash> | undefined;
  return typeof o?.hash === "string" && SHA256_HEX.test(o.hash)
    ? (o as MaintenanceHash)
    : undefined;
}

export async function writeMaintenanceHash(dir: string, hash: string, now: Date): Promise<void> {
  const content: MaintenanceHash = { hash, receivedAt: now.toISOString() };
  await writeAtomic(join(dir, MAINTENANCE_HASH_FILE), JSON.stringify(content));
}

export interface MaintenanceWindow {
  readonly openedAt: string;
  readonly until: string;
}

export async function openWindow(
  dir: string,
  minutes: number,
  now: Date,
): Promise<MaintenanceWindow> {
  const until = new Date(now.getTime() + minutes * 60_000);
  const window: MaintenanceWindow = { openedAt: now.toISOString(), until: until.toISOString() };
  await writeAtomic(join(dir, MAINTENANCE_FILE), JSON.stringify(window));
  return window;
}

/** The window open at `now`, else undefined (none, expired, or unreadable: fail to "not open"). */
export async function openWindowAt(dir: string, now: Date): Promise<MaintenanceWindow | undefined> {
  const v = (await readJsonFile(join(dir, MAINTENANCE_FILE)).catch(() => undefined)) as
    | Partial<MaintenanceWindow>
    | undefined;
  if (typeof v?.until !== "string" || typeof v.openedAt !== "string") return undefined;
  const until = Date.parse(v.until);
  return Number.isFinite(until) && until > now.getTime() ? (v as MaintenanceWindow) : undefined;
}

export async function closeWindow(dir: string): Promise<void> {
  await rm(join(dir, MAINTENANCE_FILE), { force: true });
}
