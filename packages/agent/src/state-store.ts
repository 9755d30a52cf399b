// The agent's state directory. Everything is written atomically (temp file, fsync, rename) with
// mode 0600 in a 0700 directory, so a crash leaves either the old or the new file, never half.
//
//   DIR/identity.json   agentId, credential, workload (from enrolment)
//   DIR/ca.pem          the controller CA whose fingerprint was pinned
//   DIR/last-good.json  the last RuleSet the kernel accepted + its management set + revision
//                       (+ managementAccess since least privilege; a file without it, written
//                       by an older agent, is read as "the channel alone")

import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AddressSet, ManagementAccess, RuleSet } from "@microseg/core";

export interface Identity {
  readonly agentId: string;
  readonly credential: string;
  readonly workload: string;
  /** The controller URL the identity belongs to. */
  readonly controller: string;
}

export interface LastGood {
  readonly revision: number | null;
  readonly ruleSet: RuleSet;
  readonly management: AddressSet;
  /** Absent in files of older agents and from older controllers. */
  readonly managementAccess?: ManagementAccess;
  readonly appliedAt: string;
}

export interface StateStore {
  readonly dir: string;
  readIdentity(): Promise<Identity | undefined>;
  writeIdentity(identity: Identity): Promise<void>;
  readCa(): Promise<string | undefined>;
  writeCa(pem: string): Promise<void>;
  readLastGood(): Promise<LastGood | undefined>;
  writeLastGood(lastGood: LastGood): Promise<void>;
}

/** Creates DIR (0700) if needed. */
export async function openStateStore(dir: string): Promise<StateStore> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return stateFiles(dir);
}

/**
 * The state files of DIR as they are: nothing is created and no mode changed (the host
 * commands read the directory of an agent that may or may not have run).
 */
export function stateFiles(dir: string): StateStore {
  const path = (name: string) => join(dir, name);
  return {
    dir,
    readIdentity: () => readJson<Identity>(path("identity.json"), isIdentity),
    writeIdentity: (identity) => writeAtomic(path("identity.json"), JSON.stringify(identity)),
    readCa: () => readText(path("ca.pem")),
    writeCa: (pem) => writeAtomic(path("ca.pem"), pem),
    readLastGood: () => readJson<LastGood>(path("last-good.json"), isLastGood),
    writeLastGood: (lg) => writeAtomic(path("last-good.json"), JSON.stringify(lg)),
  };
}

/** temp file in the same directory, fsync, rename over the target. */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await open(tmp, "w", 0o600);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** undefined when the file is missing; a file that is not JSON is an error. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** undefined when missing; a file that does not parse or has the wrong shape is an error. */
async function readJson<T>(file: string, check: (v: unknown) => boolean): Promise<T | undefined> {
  const value = await readJsonFile(file);
  if (value === undefined) return undefined;
  if (!check(value)) throw new Error(`${file} does not have the expected shape`);
  return value as T;
}

function isIdentity(v: unknown): boolean {
  const o = v as Partial<Identity> | null;
  return typeof o?.agentId === "string" && typeof o.credential === "string";
}

function isLastGood(v: unknown): boolean {
  const o = v as Partial<LastGood> | null;
  return (
    (typeof o?.revision === "number" || o?.revision === null) &&
    typeof o.ruleSet?.hash === "string" &&
    Array.isArray(o.management?.v4) &&
    (o.managementAccess === undefined ||
      (Array.isArray(o.managementAccess.channel) && Array.isArray(o.managementAccess.services)))
  );
}
