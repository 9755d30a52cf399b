// debian/copyright for the packages: a machine-readable DEP-5 file
// (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) naming microseg itself,
// the Node.js runtime the packages carry, and every npm package bundled with it.
//
//   Format: …/copyright-format/1.0/        header paragraph
//   Files: *                                microseg, Apache-2.0
//   Files: node                             the runtime, License "Node.js" (its own LICENSE file:
//                                           MIT for Node.js plus the licenses of what it bundles)
//   Files: node_modules/<name>/*            one per bundled package, License from its package.json
//   License: <short name>                   one stand-alone paragraph per short name, with the text
//
// A short name's text comes from /usr/share/common-licenses when Debian ships it there (a
// reference, as Debian policy asks), else from the first bundled package whose license is that
// name alone (its LICENSE/LICENCE/COPYING file without its copyright lines, which go to that
// package's Copyright field). A name with no text anywhere is an error: the package would ship
// an incomplete copyright file.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const FORMAT = "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/";
const COMMON_LICENSES = "/usr/share/common-licenses";
const ROOT = join(import.meta.dirname, "..", "..");
/** SPDX identifiers whose DEP-5 short name differs (the spec calls "MIT" ambiguous). */
const DEP5_NAME: Record<string, string> = { MIT: "Expat" };

export interface CopyrightOptions {
  /** Where node_modules/<name> is looked up (default: the repository root). */
  readonly root?: string;
  /** Node.js's LICENSE file (default: the one beside this node, else Debian's nodejs's). */
  readonly nodeLicense?: string;
}

export interface BundledLicense {
  readonly name: string;
  readonly version: string;
  /** The package.json `license` as written (an SPDX expression). */
  readonly spdx: string;
  /** The same in DEP-5 syntax: short names joined with " or " / " and ". */
  readonly expression: string;
  /** The short names the expression uses. */
  readonly names: readonly string[];
  /** Holders, from the license file's copyright lines, else package.json `author`. */
  readonly copyright: readonly string[];
  /** The license file's text without its copyright lines; undefined when it has none. */
  readonly text: string | undefined;
  /** Texts of per-license files (LICENSE-MIT, LICENSE-APACHE …) by short name. */
  readonly textsByName: Readonly<Record<string, string>>;
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license?: string | { readonly type: string };
  readonly licenses?: ReadonlyArray<{ readonly type: string }>;
  readonly author?: string | { readonly name: string };
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** The license facts of node_modules/<name>; throws naming the package when it has none. */
export function licenseOf(name: string, root = ROOT): BundledLicense {
  const dir = join(root, "node_modules", name);
  const pkg = readPackage(dir);
  const spdx = spdxOf(pkg);
  if (spdx === undefined) {
    throw new Error(`${dir}/package.json has no "license": cannot say how ${name} may be shipped`);
  }
  const names = [...new Set(spdx.match(/[A-Za-z0-9.+-]+/g) ?? [])]
    .filter((t) => !/^(and|or|with)$/i.test(t))
    .map(dep5Name);
  const expression = spdx
    .replace(/[()]/g, "")
    .split(/\s+(AND|OR)\s+/i)
    .map((part, i) => (i % 2 === 1 ? part.toLowerCase() : dep5Name(part.trim())))
    .join(" ");
  const files = licenseFiles(dir);
  const main = files.find((f) => /^(licen[cs]e|copying)(\.[a-z]+)?$/i.test(f));
  const full = main === undefined ? undefined : readFileSync(join(dir, main), "utf8");
  const textsByName: Record<string, string> = {};
  for (const f of files) {
    const m = /^licen[cs]e[-_.]([a-z0-9.-]+?)(\.(txt|md))?$/i.exec(f);
    const match = m?.[1] === undefined ? undefined : names.find((n) => sameLicense(n, m[1] ?? ""));
    if (match !== undefined)
      textsByName[match] = stripCopyright(readFileSync(join(dir, f), "utf8"));
  }
  const holders = full === undefined ? [] : copyrightLines(full);
  return {
    name,
    version: pkg.version,
    spdx,
    expression,
    names,
    copyright: holders.length > 0 ? holders : [authorOf(pkg) ?? `the ${name} authors`],
    text: full === undefined ? undefined : stripCopyright(full),
    textsByName,
  };
}

/** The DEP-5 copyright file for the packages that bundle Node.js and `bundled` npm packages. */
export function debianCopyright(bundled: readonly string[], opts: CopyrightOptions = {}): string {
  const root = opts.root ?? ROOT;
  const nodeLicense = opts.nodeLicense ?? findNodeLicense();
  const found = [...new Set(bundled)].sort().map((n) => licenseOf(n, root));
  const licenses = found.map((l) => narrowed(l, withText(found)));
  const paragraphs = [
    fields([
      ["Format", FORMAT],
      ["Upstream-Name", "microseg"],
      ["Upstream-Contact", "The microseg authors <security@microseg.dev>"],
    ]),
    fields([
      ["Files", "*"],
      ["Copyright", "2026 The microseg authors"],
      ["License", "Apache-2.0"],
    ]),
    fields([
      ["Files", "node"],
      ["Copyright", "Node.js contributors\nJoyent, Inc. and other Node contributors"],
      ["License", "Node.js"],
      ["Comment", `The Node.js runtime ${process.version} the programs run on.`],
    ]),
    ...licenses.map((l) =>
      fields([
        ["Files", `node_modules/${l.name}/*`],
        ["Copyright", l.copyright.join("\n")],
        ["License", l.expression],
        ["Comment", comment(l)],
      ]),
    ),
  ];
  const texts = new Map<string, string>([
    ["Node.js", readFileSync(nodeLicense, "utf8")],
    ...licenseTexts(["Apache-2.0", ...licenses.flatMap((l) => l.names)], licenses),
  ]);
  for (const [name, text] of [...texts].sort(([a], [b]) => a.localeCompare(b))) {
    paragraphs.push(`License: ${name}\n${body(text)}`);
  }
  return `${paragraphs.join("\n\n")}\n`;
}

/** The short names some text is known for: Debian's common licenses and the packages' files. */
function withText(licenses: readonly BundledLicense[]): Set<string> {
  const names = new Set(existsSync(COMMON_LICENSES) ? readdirSync(COMMON_LICENSES) : []);
  for (const l of licenses) {
    if (l.names.length === 1 && l.text !== undefined) names.add(l.names[0] ?? "");
    for (const n of Object.keys(l.textsByName)) names.add(n);
  }
  return names;
}

/**
 * A package offered under a choice of licenses ("MIT OR WTFPL") is shipped under the choices
 * whose text is known; the Comment keeps what it was offered under. Others stay as they are (a
 * missing text is then an error).
 */
function narrowed(l: BundledLicense, known: ReadonlySet<string>): BundledLicense {
  const choice = l.expression.split(" or ");
  if (choice.length < 2 || choice.some((c) => c.includes(" "))) return l;
  const kept = choice.filter((c) => known.has(c));
  if (kept.length === 0 || kept.length === choice.length) return l;
  return { ...l, names: kept, expression: kept.join(" or ") };
}

function comment(l: BundledLicense): string {
  const offered = l.names.length < l.spdx.split(/\s+OR\s+/i).length;
  return `npm package ${l.name} ${l.version}${offered ? `; offered under ${l.spdx}, shipped under ${l.expression}` : ""}`;
}

function licenseTexts(
  names: readonly string[],
  licenses: readonly BundledLicense[],
): Array<[string, string]> {
  const common = COMMON_LICENSES;
  return [...new Set(names)].map((name): [string, string] => {
    if (existsSync(join(common, name))) {
      return [
        name,
        `On Debian systems, the complete text of the ${name} license can be found in\n${join(common, name)}.`,
      ];
    }
    const own = licenses.find((l) => l.names.length === 1 && l.names[0] === name && l.text);
    const split = licenses.find((l) => l.textsByName[name] !== undefined);
    const text = own?.text ?? split?.textsByName[name];
    if (text === undefined) {
      const users = licenses.filter((l) => l.names.includes(name)).map((l) => l.name);
      throw new Error(
        `no text of the ${name} license among the bundled packages (${users.join(", ")}) or in ${common}: add its text before packaging`,
      );
    }
    return [name, text];
  });
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

function spdxOf(pkg: PackageJson): string | undefined {
  if (typeof pkg.license === "string") return pkg.license;
  if (pkg.license !== undefined) return pkg.license.type;
  const old = pkg.licenses?.map((l) => l.type);
  return old === undefined || old.length === 0 ? undefined : old.join(" OR ");
}

const dep5Name = (spdx: string) => DEP5_NAME[spdx] ?? spdx;

/** LICENSE-APACHE names Apache-2.0, LICENSE-MIT names Expat (MIT). */
function sameLicense(name: string, suffix: string): boolean {
  const s = suffix.toLowerCase();
  const n = name.toLowerCase();
  return n === s || n.startsWith(`${s}-`) || (n === "expat" && s === "mit");
}

function licenseFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^(licen[cs]e|copying)/i.test(f))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/**
 * "Copyright (c) 2015 X", "Copyright 2015 X", "Copyright X Inc.", "(c) 2015 X" — not a line of
 * license text that happens to begin with the word ("copyright license to reproduce…").
 */
function isCopyrightLine(line: string): boolean {
  return (
    /^\s*copyright\s+(\(c\)|©|\d)/i.test(line) ||
    /^\s*Copyright\s+[A-Z]/.test(line) ||
    /^\s*(\(c\)|©)\s*\d/i.test(line)
  );
}

function copyrightLines(text: string): string[] {
  const lines = text.split(/\r?\n/).filter(isCopyrightLine);
  const holders = lines
    .map((l) => l.replace(/^\s*copyright\s*/i, "").replace(/^(\(c\)|©)\s*/i, ""))
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^(notice|holders?|owner)\b/i.test(l));
  return [...new Set(holders)];
}

/** The text without its copyright lines (and the "All rights reserved." that follows them). */
function stripCopyright(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => !isCopyrightLine(l));
  return lines
    .join("\n")
    .trim()
    .replace(/^(all rights reserved\.?\s*)+/i, "")
    .trim();
}

function authorOf(pkg: PackageJson): string | undefined {
  if (typeof pkg.author === "string") return pkg.author;
  return pkg.author?.name;
}

function findNodeLicense(): string {
  const candidates = [
    join(dirname(process.execPath), "..", "share", "doc", "node", "LICENSE"),
    "/usr/share/doc/nodejs/LICENSE",
  ];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new Error(
      `Node.js's LICENSE is not at ${candidates.join(" or ")}: pass nodeLicense (the LICENSE of the Node.js release the packages carry)`,
    );
  }
  return found;
}

/** One paragraph: `Name: value`, continuation lines indented by one space. */
function fields(entries: ReadonlyArray<[string, string]>): string {
  return entries
    .map(([name, value]) => {
      const [first, ...rest] = value.split("\n");
      return [`${name}: ${first}`, ...rest.map((l) => ` ${l}`)].join("\n");
    })
    .join("\n");
}

/** A field's body lines: each indented by one space, an empty line as " ." (DEP-5 / deb822). */
function body(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "        ")
    .trim()
    .split("\n")
    .map((l) => (l.trim() === "" ? " ." : ` ${l.trimEnd()}`))
    .join("\n");
}
