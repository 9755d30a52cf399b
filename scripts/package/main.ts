// `npm run package [-- --out DIR] [-- --fast]`: the release artifacts in dist/ (docs/install.md):
//   microseg-agent_<v>_amd64.deb, microseg-agent_<v>_linux-amd64.tar.gz   the host agent
//   microseg_<v>_amd64.deb, microseg_<v>_linux-amd64.tar.gz               controller + CLI
//   SHA256SUMS
// Each package carries its program bundled into one file and its own Node.js runtime (this
// machine's, stripped), so the target host needs neither npm nor a compiler nor network. The
// controller package also carries the agent's packages, which it serves to the one-line installer.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { VERSION } from "../../packages/core/src/version.js";
import { bundle } from "./bundle.js";
import { debianCopyright } from "./copyright.js";
import {
  AGENT,
  CONTROLLER,
  control,
  debName,
  type PackageSpec,
  tarName,
  wrapper,
} from "./layout.js";
import { run } from "./run.js";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const UNITS = "usr/lib/systemd/system";
const { values: flags } = parseArgs({
  options: { out: { type: "string", default: join(ROOT, "dist") }, fast: { type: "boolean" } },
});
const OUT = resolve(flags.out);
/**
 * --fast: gzip level 1 instead of xz (the tests build packages this way: the same contents in
 * about a tenth of the time, larger files). Releases use the default.
 */
const FAST = flags.fast === true;

async function main(): Promise<void> {
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), "microseg-package-"));
  try {
    await mkdir(OUT, { recursive: true });
    const agent = await stageAgent(join(work, "agent"), work);
    const agentFiles = await finish(AGENT, join(work, "agent"), agent);
    const controller = await stageController(join(work, "controller"), agentFiles, work);
    await finish(CONTROLLER, join(work, "controller"), controller);
    await writeSums();
    step(`done in ${seconds(started)}; ${relative(process.cwd(), OUT)}/SHA256SUMS lists them`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The agent's tree; resolves to the npm packages inside its bundle. */
async function stageAgent(root: string, work: string): Promise<readonly string[]> {
  step(`microseg-agent ${VERSION}: bundling`);
  const lib = join(root, "usr/lib/microseg-agent");
  await mkdir(lib, { recursive: true });
  const { packages } = await bundle(
    join(ROOT, "packages/agent/src/bin/entry.ts"),
    join(lib, "microseg-agent.mjs"),
  );
  await runtime(lib, work);
  await executable(
    join(root, "usr/bin/microseg-agent"),
    wrapper("microseg-agent", "microseg-agent"),
  );
  await units(root, ["microseg-agent.service", "microseg-agent-restore.service"]);
  await copyTo(
    join(ROOT, "packaging/deb/microseg-agent/default"),
    join(root, "etc/default/microseg-agent"),
  );
  return packages;
}

/** The controller's tree, with the agent's packages to serve; resolves to its bundled packages. */
async function stageController(root: string, agentFiles: readonly string[], work: string) {
  step(`microseg ${VERSION}: bundling`);
  const lib = join(root, "usr/lib/microseg");
  await mkdir(lib, { recursive: true });
  const native = ["better-sqlite3"];
  // pg-native: node-postgres's optional libpq binding, required only if `pg.native` is read (the
  // PostgreSQL store never does); left out of the bundle and not shipped.
  const cli = await bundle(join(ROOT, "packages/cli/src/entry.ts"), join(lib, "microseg.mjs"), [
    ...native,
    "pg-native",
  ]);
  const worker = await bundle(
    join(ROOT, "packages/controller/src/compile-worker/worker.ts"),
    join(lib, "worker.js"),
  );
  await writeFile(join(lib, "package.json"), '{ "type": "module" }\n');
  // The embedded database's binding, as npm installed it (bindings finds the .node file).
  for (const dep of ["better-sqlite3", "bindings", "file-uri-to-path"]) {
    await copyModule(dep, join(lib, "node_modules", dep));
  }
  const web = join(lib, "node_modules/@microseg/web");
  await cp(join(ROOT, "packages/web/dist"), join(web, "dist"), { recursive: true });
  await writeFile(join(web, "package.json"), '{ "name": "@microseg/web", "private": true }\n');
  await runtime(lib, work);
  await executable(join(root, "usr/bin/microseg"), wrapper("microseg", "microseg"));
  await units(root, ["microseg-controller.service"]);
  await copyTo(
    join(ROOT, "packaging/deb/microseg/default"),
    join(root, "etc/default/microseg-controller"),
  );
  const served = join(root, "usr/share/microseg/packages");
  for (const file of agentFiles) await copyTo(join(OUT, file), join(served, file));
  await writeFile(join(served, "SHA256SUMS"), await sums(served, agentFiles));
  return [
    ...new Set([...cli.packages, ...worker.packages, ...native, "bindings", "file-uri-to-path"]),
  ];
}

/** Docs, DEBIAN/, then the .deb and the tarball; resolves to their file names. */
async function finish(p: PackageSpec, root: string, bundled: readonly string[]) {
  const doc = join(root, "usr/share/doc", p.name);
  await mkdir(doc, { recursive: true });
  await writeFile(join(doc, "copyright"), debianCopyright(bundled));
  await copyTo(join(ROOT, "docs/install.md"), join(doc, "install.md"));
  step(`${p.name}: ${debName(p)}`);
  const tarball = tarName(p);
  const gzip = FAST ? "gzip -1" : "gzip -6";
  const tarArgs = ["--owner=0", "--group=0", `--use-compress-program=${gzip}`, "-cf"];
  await run("tar", [...tarArgs, join(OUT, tarball), "-C", root, "."]);
  const debian = join(root, "DEBIAN");
  await mkdir(debian);
  await writeFile(join(debian, "control"), control(p, await sizeKiB(root)));
  await writeFile(join(debian, "conffiles"), `${p.conffiles.join("\n")}\n`);
  for (const script of ["postinst", "prerm", "postrm"]) {
    await copyTo(join(ROOT, "packaging/deb", p.name, script), join(debian, script));
    await chmod(join(debian, script), 0o755);
  }
  const deb = debName(p);
  const compress = FAST ? ["-Zgzip", "-z1"] : ["-Zxz"];
  await run("dpkg-deb", ["--root-owner-group", ...compress, "--build", root, join(OUT, deb)]);
  const size = (await stat(join(OUT, deb))).size;
  step(
    `${p.name}: ${mib(size)} MiB .deb, ${mib((await stat(join(OUT, tarball))).size)} MiB .tar.gz`,
  );
  return [deb, tarball];
}

let stripped: Promise<string> | undefined;

/**
 * This machine's Node.js without symbols, the runtime each package's program runs on: stripped
 * once into the work directory, copied into each package.
 */
async function runtime(lib: string, work: string): Promise<void> {
  stripped ??= (async () => {
    const node = join(work, "node");
    await copyFile(process.execPath, node);
    await run("strip", ["--strip-all", node]);
    return node;
  })();
  await copyFile(await stripped, join(lib, "node"));
  await chmod(join(lib, "node"), 0o755);
}

async function units(root: string, names: readonly string[]): Promise<void> {
  for (const name of names)
    await copyTo(join(ROOT, "packaging/systemd", name), join(root, UNITS, name));
}

/** An installed npm package's runtime files (no sources, no build intermediates). */
async function copyModule(name: string, to: string): Promise<void> {
  const from = join(ROOT, "node_modules", name);
  await cp(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = relative(from, src);
      return !/^(src|deps|test|docs)(\/|$)|^build\/(?!Release(\/better_sqlite3\.node)?$)/.test(rel);
    },
  });
}

async function copyTo(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

async function executable(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, { mode: 0o755 });
}

async function writeSums(): Promise<void> {
  const files = (await readdir(OUT)).filter((f) => f.endsWith(".deb") || f.endsWith(".tar.gz"));
  await writeFile(join(OUT, "SHA256SUMS"), await sums(OUT, files.sort()));
}

/** `sha256sum`'s format: "HEX  NAME" per line. */
async function sums(dir: string, files: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const f of files) lines.push(`${await sha256(join(dir, f))}  ${f}`);
  return `${lines.join("\n")}\n`;
}

function sha256(file: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash("sha256");
    createReadStream(file)
      .on("data", (d) => h.update(d))
      .on("end", () => ok(h.digest("hex")))
      .on("error", fail);
  });
}

async function sizeKiB(dir: string): Promise<number> {
  let bytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) bytes += (await stat(join(e.parentPath, e.name))).size;
  }
  return Math.ceil(bytes / 1024);
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const step = (text: string) => process.stderr.write(`package: ${text}\n`);

if (!existsSync(join(ROOT, "packages/web/dist/index.html"))) {
  process.stderr.write("package: the console is not built; run `npm run build` first\n");
  process.exit(1);
}
await main();
