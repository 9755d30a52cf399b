// First pass over every document of every file: which names are defined where. Yields the Known
// sets references are checked against, and a diagnostic for each name defined twice (naming both
// places), across files too. Works on the raw values so that it sees names even in entries that
// fail validation for another reason.

import type { Diagnostic } from "../diagnostics.js";
import type { Workload } from "../model.js";
import type { Known } from "./known.js";
import { formatPath, valueAt } from "./paths.js";
import type { ParsedDocument, PathSegment } from "./yaml-lines.js";

interface Definition {
  readonly doc: ParsedDocument;
  readonly path: readonly PathSegment[];
}

const KINDS = {
  namespaces: "namespace",
  workloads: "workload",
  ipLists: "IP list",
  services: "service",
  rules: "rule",
  scopes: "scope",
  isolation: "isolation",
} as const;
type Section = keyof typeof KINDS;

export function collectDefinitions(
  docs: readonly ParsedDocument[],
  inventory: readonly Workload[],
): { known: Known; diagnostics: Diagnostic[] } {
  const seen = new Map<Section, Map<string, Definition>>();
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    for (const [section, path] of namedEntries(doc.value)) {
      const name = nameAt(doc.value, path);
      if (name === undefined) continue;
      const bucket = seen.get(section) ?? new Map<string, Definition>();
      seen.set(section, bucket);
      const first = bucket.get(name);
      if (first === undefined) bucket.set(name, { doc, path });
      else diagnostics.push(duplicate(section, name, first, { doc, path }));
    }
  }
  const names = (s: Section) => new Set(seen.get(s)?.keys() ?? []);
  const workloads = names("workloads");
  for (const w of inventory) workloads.add(w.name);
  return {
    known: { ipLists: names("ipLists"), services: names("services"), workloads },
    diagnostics,
  };
}

/** [section, path of the entry] for every entry that may carry a name, in document order. */
function namedEntries(value: unknown): [Section, PathSegment[]][] {
  const out: [Section, PathSegment[]][] = [];
  for (const section of Object.keys(KINDS) as Section[]) {
    entries(value, [section]).forEach((path) => {
      out.push([section, path]);
    });
    if (section === "scopes") {
      for (const scope of entries(value, ["scopes"])) {
        out.push(
          ...entries(value, [...scope, "rules"]).map((p): [Section, PathSegment[]] => ["rules", p]),
        );
      }
    }
  }
  return out;
}

function entries(root: unknown, path: PathSegment[]): PathSegment[][] {
  const list = valueAt(root, path);
  return Array.isArray(list) ? list.map((_, i) => [...path, i]) : [];
}

function nameAt(root: unknown, path: PathSegment[]): string | undefined {
  const name = valueAt(root, [...path, "name"]);
  return typeof name === "string" ? name : undefined;
}

function duplicate(
  section: Section,
  name: string,
  first: Definition,
  again: Definition,
): Diagnostic {
  const firstLine = first.doc.lineAt([...first.path, "name"]);
  const where = `${first.doc.file}${firstLine === undefined ? "" : `:${firstLine}`}`;
  const firstPath = first.doc.prefix + formatPath(first.path);
  const path = [...again.path, "name"];
  return {
    code: "MSEG_POLICY_DUPLICATE_NAME",
    file: again.doc.file,
    path: again.doc.prefix + formatPath(path),
    line: again.doc.lineAt(path),
    message:
      `${KINDS[section]} \`${name}\` is already defined at ${where} (${firstPath}); ` +
      `${KINDS[section]} names must be unique across all files, so rename or remove one of them`,
  };
}
