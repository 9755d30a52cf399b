// zod issues -> Diagnostics with registry codes, the document's line, and a sentence naming the fix.

import type { z } from "zod";
import type { Diagnostic } from "../diagnostics.js";
import { ERROR_CODES, type ErrorCode } from "../errors.js";
import { hintFor } from "./hints.js";
import { formatPath, toSegments, valueAt } from "./paths.js";
import { show } from "./show.js";
import { didYouMean, suggestion } from "./suggest.js";
import type { ParsedDocument, PathSegment } from "./yaml-lines.js";

type Issue = z.core.$ZodIssue;

export function issueToDiagnostic(issue: Issue, doc: ParsedDocument): Diagnostic {
  const path = toSegments(issue.path);
  const { code, message } = describe(issue, path, valueAt(doc.value, path));
  return {
    code,
    file: doc.file,
    path: doc.prefix + formatPath(path),
    line: doc.lineAt(path),
    message,
  };
}

function describe(
  issue: Issue,
  path: PathSegment[],
  value: unknown,
): { code: ErrorCode; message: string } {
  switch (issue.code) {
    case "custom":
      return custom(issue, path);
    case "invalid_type":
      return invalidType(path, value);
    case "invalid_value":
      return invalidValue(issue.values, path, value);
    default:
      return {
        code: "MSEG_POLICY_INVALID_VALUE",
        message: `${hintFor(path).label}: ${issue.message}`,
      };
  }
}

function custom(
  issue: z.core.$ZodIssueCustom,
  path: PathSegment[],
): { code: ErrorCode; message: string } {
  const params = issue.params ?? {};
  const code = isErrorCode(params.mseg) ? params.mseg : "MSEG_POLICY_INVALID_VALUE";
  if (code !== "MSEG_POLICY_UNKNOWN_FIELD") return { code, message: issue.message };
  const field = String(path[path.length - 1] ?? "");
  const known = Array.isArray(params.known) ? (params.known as string[]) : [];
  const kind = typeof params.kind === "string" ? params.kind : "this map";
  const typo = didYouMean(field, known);
  const takes = `${/^`?[aeiouAEIOU]/.test(kind) ? "an" : "a"} ${kind} takes ${known.join(", ")}`;
  const message = `unknown field \`${field}\`${typo === "" ? `; ${takes}` : `${typo} (${takes})`}`;
  return { code, message };
}

function invalidType(path: PathSegment[], value: unknown): { code: ErrorCode; message: string } {
  const { label, expects } = hintFor(path);
  if (value === undefined) {
    return {
      code: "MSEG_POLICY_MISSING_FIELD",
      message: `${label} is missing; add it${expects === undefined ? "" : `, as ${expects}`}`,
    };
  }
  return {
    code: "MSEG_POLICY_WRONG_TYPE",
    message: `${label} must be ${expects ?? "of another type"}; got ${kindOf(value)}`,
  };
}

function invalidValue(
  values: readonly unknown[],
  path: PathSegment[],
  value: unknown,
): { code: ErrorCode; message: string } {
  if (value === undefined) return invalidType(path, value);
  const { label } = hintFor(path);
  const allowed = values.map((v) => `\`${String(v)}\``).join(", ");
  const typo = typeof value === "string" ? suggestion(value, values.map(String)) : "";
  const write = values.length === 1 ? allowed : `one of ${allowed}`;
  return {
    code: "MSEG_POLICY_INVALID_VALUE",
    message: `${label} cannot be \`${show(value)}\`${typo}; write ${write}`,
  };
}

function kindOf(value: unknown): string {
  if (value === null) return "nothing (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string "${value}"`;
  return `the ${typeof value} ${show(value)}`;
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}
