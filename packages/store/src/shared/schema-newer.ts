// The one refusal every adapter's migrations share: a database a newer microseg migrated.
import { MicrosegError } from "@microseg/core";

/** Throws MSEG_STORE_SCHEMA_NEWER when the database is past the newest migration this build has. */
export function assertSchemaKnown(current: number, newest: number): void {
  if (current <= newest) return;
  throw new MicrosegError(
    "MSEG_STORE_SCHEMA_NEWER",
    `the database has schema version ${current} but this microseg knows only up to ${newest}; ` +
      "run a newer microseg or restore a backup made by this version",
  );
}
