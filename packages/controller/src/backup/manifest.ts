// A controller backup is a directory:
//
//   OUT/manifest.json   written last: its presence means the backup is whole
//   OUT/microseg.db     the database as of one commit (SQLite online backup; journal_mode DELETE)
//   OUT/audit.key       the audit key (DATA/audit.key, or the --audit-key file)
//   OUT/admin.token     and every other file of the data directory, at its own path (tls/ca.key…)
//
// manifest.json (formatVersion 1):
//   { "format": "microseg-backup", "formatVersion": 1, "version": "0.2.0", "schemaVersion": 5,
//     "createdAt": "2026-12-07T…Z", "source": "/var/lib/microseg", "auditKeyOutside": false,
//     "dirs":  [ { "path": "tls", "mode": "0700" } ],
//     "files": [ { "path": "microseg.db", "size": 159744, "mode": "0600", "sha256": "…" }, … ] }
// Paths are relative, "/"-separated and stay inside the backup (checked on restore: a crafted
// manifest must not write outside the data directory). Modes are octal strings.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MicrosegError } from "@microseg/core";
import { z } from "zod";

export const MANIFEST_FILE = "manifest.json";
export const BACKUP_FORMAT = "microseg-backup";
/** The audit key's name inside a backup, wherever it lived. */
export const BACKUP_AUDIT_KEY = "audit.key";

const RelPath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (p) => !p.startsWith("/") && p.split("/").every((s) => s !== "" && s !== "." && s !== ".."),
    { message: "a path inside the backup (relative, no . or .. segments)" },
  );
const Mode = z.string().regex(/^0[0-7]{3}$/);

export const ManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(1),
  version: z.string(),
  schemaVersion: z.number().int().min(1),
  createdAt: z.string(),
  source: z.string(),
  auditKeyOutside: z.boolean(),
  dirs: z.array(z.object({ path: RelPath, mode: Mode })),
  files: z
    .array(
      z.object({
        path: RelPath,
        size: z.number().int().min(0),
        mode: Mode,
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .refine((f) => f.some((e) => e.path === "microseg.db"), { message: "no microseg.db listed" }),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest["files"][number];

export const sha256Of = (data: Buffer) => createHash("sha256").update(data).digest("hex");
export const modeText = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;

/**
 * Reads IN/manifest.json and checks every file it lists against its size and SHA-256.
 * Throws MSEG_BACKUP_INVALID naming the first file that does not match.
 */
export function verifiedManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) {
    throw invalid(dir, `${MANIFEST_FILE} is missing: this is not a (complete) controller backup`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw invalid(dir, `${MANIFEST_FILE} is not JSON (${(err as Error).message})`);
  }
  const result = ManifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(
      dir,
      `${MANIFEST_FILE} is not a microseg backup manifest: ${issue?.path.join(".") || "(top)"}: ${issue?.message}`,
    );
  }
  for (const f of result.data.files) {
    const file = join(dir, f.path);
    if (!existsSync(file) || !statSync(file).isFile()) throw invalid(dir, `${f.path} is missing`);
    const data = readFileSync(file);
    if (data.length !== f.size || sha256Of(data) !== f.sha256) {
      throw invalid(dir, `${f.path} does not match its size and SHA-256 in ${MANIFEST_FILE}`);
    }
  }
  return result.data;
}

function invalid(dir: string, what: string): MicrosegError {
  return new MicrosegError(
    "MSEG_BACKUP_INVALID",
    `backup ${dir}: ${what}; nothing was restored — use another backup, copied whole`,
  );
}
