// Read-only access to the state directory for the host commands (status, unpair, maintenance,
// report-removal): unlike openStateStore they never create the directory or change its mode.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Identity } from "../state-store.js";
import { readJsonFile } from "./maintenance.js";

/** The agent's identity; undefined when not enrolled (no file) or the file is damaged. */
export async function readIdentityAt(dir: string): Promise<Identity | undefined> {
  const v = (await readJsonFile(join(dir, "identity.json")).catch(() => undefined)) as
    | Partial<Identity>
    | undefined;
  const ok =
    typeof v?.agentId === "string" &&
    typeof v.credential === "string" &&
    typeof v.controller === "string";
  return ok ? (v as Identity) : undefined;
}

/** The pinned controller CA (PEM), when there is one. */
export async function readCaAt(dir: string): Promise<string | undefined> {
  return readFile(join(dir, "ca.pem"), "utf8").catch(() => undefined);
}
