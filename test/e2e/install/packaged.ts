// The release packages of this checkout (the packaging script, into a directory of the test)
// and the packaged controller run from its extracted .deb in the lab's controller namespace.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { VERSION } from "@microseg/core/version";
import { background, ok, until } from "./sh.js";

const ROOT = resolve(import.meta.dirname, "../../..");

export interface Packages {
  readonly agentDeb: string;
  readonly controllerDeb: string;
}

/**
 * The packages of this checkout, built into `out` by the packaging script with --fast (gzip: the
 * same contents as a release, in a fraction of the time). It is what `npm run package` runs after
 * the build, which `npm test` has done already.
 */
export async function buildPackages(out: string): Promise<Packages> {
  const script = join(ROOT, "scripts/package/main.ts");
  await ok(process.execPath, ["--import", "tsx", script, "--out", out, "--fast"], 600_000);
  return {
    agentDeb: join(out, `microseg-agent_${VERSION}_amd64.deb`),
    controllerDeb: join(out, `microseg_${VERSION}_amd64.deb`),
  };
}

/** The agent package again as VERSION+`suffix`: what an upgrade installs. */
export async function repackAgent(deb: string, suffix: string, dir: string): Promise<string> {
  const tree = join(dir, "agent-tree");
  await ok("dpkg-deb", ["-R", deb, tree]);
  const control = join(tree, "DEBIAN/control");
  const text = (await readFile(control, "utf8")).replace(
    /^Version: .*$/m,
    `Version: ${VERSION}${suffix}`,
  );
  await writeFile(control, text);
  const out = join(dir, `microseg-agent_${VERSION}${suffix}_amd64.deb`);
  await ok("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z1", "--build", tree, out], 300_000);
  return out;
}

export interface RunningController {
  readonly url: string;
  readonly caFingerprint: string;
  readonly adminToken: string;
  /** `microseg ARGS` (the packaged CLI) against it, from the controller's namespace. */
  cli(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Extracts the controller package once; its root. */
export async function extractController(deb: string): Promise<string> {
  const dir = await mkdtemp("/var/tmp/microseg-ctl-");
  await ok("dpkg-deb", ["-x", deb, dir]);
  return dir;
}

/** The packaged controller (its own runtime, the packages it serves) in `netns` on https. */
export async function startController(
  installed: string,
  netns: string,
  listen: string,
  data: string,
  knownToken?: string,
): Promise<RunningController> {
  const bin = join(installed, "usr/bin/microseg");
  const args = ["controller", "--data", data, "--listen", listen, "--json", "--log-level", "warn"];
  const run = background("ip", ["netns", "exec", netns, bin, ...args]);
  const facts = await until("the controller's start-up line", async () => {
    const line = run.log
      .join("")
      .split("\n")
      .find((l) => l.startsWith("{"));
    return line === undefined ? undefined : (JSON.parse(line) as Record<string, string>);
  });
  const url = `https://${listen}`;
  // The admin token is printed at the first start only.
  const adminToken = facts.adminToken ?? knownToken ?? "";
  const caFingerprint = facts.caFingerprint ?? "";
  const connection = [
    "--controller",
    url,
    "--ca-fingerprint",
    caFingerprint,
    "--token",
    adminToken,
  ];
  return {
    url,
    caFingerprint,
    adminToken,
    cli: (a) => ok("ip", ["netns", "exec", netns, bin, ...a, ...connection]),
    stop: async () => {
      run.child.kill("SIGTERM");
      await run.exited;
    },
  };
}
