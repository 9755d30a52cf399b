// One document: is it native policy at all, and if so, parse it against the schema, turning every
// zod issue into a Diagnostic.

import type { Diagnostic } from "../diagnostics.js";
import type { Known } from "./known.js";
import { API_VERSION, documentSchema, type PolicyDocument } from "./schema.js";
import { show } from "./show.js";
import type { ParsedDocument } from "./yaml-lines.js";
import { issueToDiagnostic } from "./zod-issues.js";

export interface ValidatedDocument {
  readonly doc: ParsedDocument;
  /** Present when the document is valid. */
  readonly data?: PolicyDocument;
  readonly diagnostics: readonly Diagnostic[];
}

export function validateDocument(doc: ParsedDocument, known: Known): ValidatedDocument {
  const foreign = foreignKind(doc);
  if (foreign !== undefined) return { doc, diagnostics: [foreign] };
  if (doc.value === null || doc.value === undefined)
    return { doc, data: emptyDocument(), diagnostics: [] };
  const result = parseWith(known, doc.value);
  if (result.success) return { doc, data: result.data, diagnostics: [] };
  return { doc, diagnostics: result.error.issues.map((issue) => issueToDiagnostic(issue, doc)) };
}

/**
 * One schema for every document: building it costs zod tens of milliseconds, many times what
 * parsing a document costs, and it was built per document (a 1,000-document file took seconds).
 * The names it checks references against are read through `current`, which holds the Known of
 * the one synchronous parse in progress.
 */
let current: Known = { ipLists: new Set(), services: new Set(), workloads: new Set() };
const view: Known = {
  get ipLists() {
    return current.ipLists;
  },
  get services() {
    return current.services;
  },
  get workloads() {
    return current.workloads;
  },
};
let schema: ReturnType<typeof documentSchema> | undefined;

function parseWith(known: Known, value: unknown) {
  schema ??= documentSchema(view);
  const previous = current;
  current = known;
  try {
    return schema.safeParse(value);
  } finally {
    current = previous;
  }
}

/** Kubernetes objects (and anything else with a foreign apiVersion/kind) are not native policy. */
function foreignKind(doc: ParsedDocument): Diagnostic | undefined {
  const value = doc.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { apiVersion, kind } = value as Record<string, unknown>;
  if (apiVersion === API_VERSION || (apiVersion === undefined && kind === undefined))
    return undefined;
  // NetworkPolicy documents (and lists of them) never get here: k8s/ reads them.
  const what = typeof kind === "string" ? `a \`${kind}\`` : `\`apiVersion: ${show(apiVersion)}\``;
  const message =
    `this document is ${what}, not microseg policy; native policy files have \`apiVersion: ${API_VERSION}\` ` +
    "(or none) and no `kind`, and of Kubernetes objects only `kind: NetworkPolicy` (alone or in a `kind: List`) is read";
  return {
    code: "MSEG_POLICY_UNSUPPORTED_KIND",
    file: doc.file,
    path: `${doc.prefix}${kind === undefined ? "apiVersion" : "kind"}`,
    line: doc.lineAt([kind === undefined ? "apiVersion" : "kind"]),
    message,
  };
}

function emptyDocument(): PolicyDocument {
  return {
    namespaces: [],
    workloads: [],
    ipLists: [],
    services: [],
    rules: [],
    scopes: [],
    isolation: [],
    tests: [],
  };
}
