// `microseg controller backup OUT --data DIR` and `microseg controller restore IN --data DIR`:
// the controller's data directory copied while it runs, and put back (controller/src/backup/).
// Local commands for the administrator of the controller's host: no API token, the files only.
import { Command } from "commander";
import { printJson, shown, write } from "../api/output.js";

interface BackupFlags {
  data: string;
  auditKey?: string;
  json?: boolean;
}

export function backupCommand(): Command {
  return new Command("backup")
    .description("copy the controller's data directory, also while it runs, into a new directory")
    .argument("<out>", "a new (or empty) directory for the backup")
    .requiredOption("--data <dir>", "the controller's data directory")
    .option(
      "--audit-key <file>",
      "the audit key, when the controller runs with --audit-key (it is copied into the backup)",
    )
    .option("--json", "print the backup's manifest as JSON")
    .addHelpText(
      "after",
      `
The backup is a directory: microseg.db (the database as of one moment, taken with SQLite's online
backup while the controller keeps working), the CA and its key (tls/), audit.key, admin.token and
any other file of --data, with the same modes, and manifest.json (release, schema version, time,
and each file's size, mode and SHA-256), written last. It holds every secret of the controller:
keep it where only the administrator can read it (it is made 0700), e.g. pack it with
tar -czf and encrypt it before it leaves the host.

Examples:
  $ sudo microseg controller backup /var/backups/microseg/$(date +%F) --data /var/lib/microseg
  $ npx microseg controller backup ./ctl-backup --data ./ctl --json | jq .files`,
    )
    .action(async (out: string, opts: BackupFlags) => {
      const { backupController } = await import("@microseg/controller");
      const manifest = await backupController({
        dataDir: opts.data,
        out,
        ...(opts.auditKey !== undefined && { auditKeyFile: opts.auditKey }),
      });
      if (opts.json === true) {
        printJson(manifest);
        return;
      }
      const bytes = manifest.files.reduce((n, f) => n + f.size, 0);
      write(
        `backup of ${shown(manifest.source)} written to ${shown(out)}: ${manifest.files.length} files, ${bytes} bytes, schema ${manifest.schemaVersion}, microseg ${manifest.version}\n`,
      );
    });
}

interface RestoreFlags extends BackupFlags {
  force?: boolean;
}

export function restoreCommand(): Command {
  return new Command("restore")
    .description("put a backup back into a data directory (with the controller stopped)")
    .argument("<in>", "the backup directory `controller backup` wrote")
    .requiredOption("--data <dir>", "the data directory to restore into")
    .option("--audit-key <file>", "write the audit key here instead of DIR/audit.key")
    .option(
      "--force",
      "replace the data a non-empty --data holds (never while a controller uses it)",
    )
    .option("--json", 'print {"manifest": …, "written": [files]}')
    .addHelpText(
      "after",
      `
Checks the backup first: every file listed in manifest.json must be there with its size and
SHA-256 (MSEG_BACKUP_INVALID names the first that is not; nothing is written). Refuses a data
directory a controller has open (MSEG_DATA_DIR_IN_USE: stop it first) and, without --force, one
that already holds a database or a file of the backup (MSEG_DATA_DIR_NOT_EMPTY). Files get the
modes they had (keys and tokens 0600, directories 0700); the database is written last. The next
controller start opens the restored database (and migrates it when the backup came from an
older release).

Examples:
  $ sudo systemctl stop microseg
  $ sudo microseg controller restore /var/backups/microseg/2026-12-07 --data /var/lib/microseg --force
  $ sudo systemctl start microseg`,
    )
    .action(async (from: string, opts: RestoreFlags) => {
      const { restoreController } = await import("@microseg/controller");
      const result = restoreController({
        from,
        dataDir: opts.data,
        force: opts.force === true,
        ...(opts.auditKey !== undefined && { auditKeyFile: opts.auditKey }),
      });
      if (opts.json === true) {
        printJson(result);
        return;
      }
      const m = result.manifest;
      write(
        `restored ${m.files.length} files of the backup taken ${shown(m.createdAt)} (microseg ${shown(m.version)}, schema ${m.schemaVersion}) into ${shown(opts.data)}\n`,
      );
    });
}
