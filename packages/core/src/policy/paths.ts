// Paths as users read them: `rules[3].to.app`, `selector["example.com/team"]`.

import type { PathSegment } from "./yaml-lines.js";

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) {
      out += out === "" ? String(segment) : `.${String(segment)}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Keeps the segments a document path can have (zod paths may in theory hold symbols). */
export function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.filter((s): s is PathSegment => typeof s === "string" || typeof s === "number");
}

/** The raw value at `path`, or undefined when the path does not exist. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment))
      return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
