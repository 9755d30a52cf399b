// A throwaway PostgreSQL server for tests: a cluster from the machine's own binaries (Debian's
// /usr/lib/postgresql/<version>/bin, or MICROSEG_PG_BIN) in a temp directory, listening on a
// unix socket in that directory and a free TCP port on 127.0.0.1, fsync off (a test's data need
// not survive a power cut). initdb refuses to run as root, so as root the server runs as the
// `postgres` user in a directory handed to it. stop() ends the server and removes the directory.
//
// One cluster per test file, a fresh database per test: createDatabase() copies a template that
// migrate() filled once, which takes milliseconds.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";

/** The directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const given = process.env.MICROSEG_PG_BIN;
  if (given !== undefined) return existsSync(join(given, "initdb")) ? given : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database?: string): string;
  /** A new empty database (or a copy of `template`); answers its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  stop(): Promise<void>;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

function postgresUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error("PostgreSQL refuses to run as root and there is no `postgres` user to run it");
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(bin: string, args: string[], as: RunAs): void {
  const res = spawnSync(bin, args, { encoding: "utf8", ...as, timeout: 60_000 });
  if (res.error !== undefined || res.status !== 0) {
    const why = res.error?.message ?? `${res.stderr}${res.stdout}`.trim();
    throw new Error(`${bin} ${args[0] ?? ""} failed: ${why}`);
  }
}

/** A TCP port free on 127.0.0.1 now (a test server then binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestPostgresOptions {
  /**
   * Commit to disk as a production server does (fsync, synchronous_commit, full-page writes).
   * Default off: tests need the behaviour, not the durability, and run several times faster.
   * Benchmarks that compare with SQLite's synchronous FULL turn it on.
   */
  readonly durable?: boolean;
}

/** Starts a cluster; throws when PostgreSQL is not installed (see describeWithPostgres). */
export async function startPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  const as = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), "mseg-pg-"));
  if (as.uid !== undefined && as.gid !== undefined) chownSync(dir, as.uid, as.gid);
  const data = join(dir, "data");
  const port = await freePort();
  try {
    run(
      join(bin, "initdb"),
      [
        "-D",
        data,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ],
      as,
    );
    const settings = [
      `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}`,
      options.durable === true
        ? "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
      "-c max_connections=100 -c shared_buffers=32MB",
    ].join(" ");
    run(
      join(bin, "pg_ctl"),
      ["-D", data, "-o", settings, "-l", join(dir, "log"), "-w", "start"],
      as,
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url,
    async createDatabase(name, template) {
      const { pg } = await import("../postgres/driver.js");
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        // FILE_COPY: ~20% faster than WAL_LOG for a small template (its checkpoint is cheap
        // with fsync off).
        const from = template === undefined ? "" : ` TEMPLATE "${template}" STRATEGY FILE_COPY`;
        await client.query(`CREATE DATABASE "${name}"${from}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], as);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A suite that needs PostgreSQL's binaries: skipped with the reason when they are missing, failed
 * instead when CI=true (a runner without them must not pass by skipping).
 */
export function describeWithPostgres(name: string, fn: () => void): void {
  describeWithTool(
    {
      tool: "PostgreSQL",
      present: postgresBinDir() !== undefined,
      reason:
        "PostgreSQL's binaries are not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql, or set MICROSEG_PG_BIN)",
    },
    name,
    fn,
  );
}

/**
 * A suite that needs an installed tool (a database server, a message broker): run when it is
 * `present`; else skipped with `reason`, or failed when CI=true (a runner without the tool must
 * not pass by skipping).
 */
export function describeWithTool(
  need: { readonly tool: string; readonly present: boolean; readonly reason: string },
  name: string,
  fn: () => void,
): void {
  if (need.present) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`has ${need.tool} (CI=true: missing fails)`, () => {
        throw new Error(`${need.reason}; on CI this is a failure, not a skip`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${need.reason}`);
  describe.skip(`${name} (skipped: ${need.reason})`, fn);
}
