// Labels as the console edits them: one `key=value` per line.

export function labelsToText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

/** Parses `key=value` lines; answers the labels or the first line that is not one. */
export function textToLabels(
  text: string,
): { ok: true; labels: Record<string, string> } | { ok: false; problem: string } {
  const labels: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { ok: false, problem: `line ${i + 1}: "${line}" is not key=value` };
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { ok: true, labels };
}

/** The PATCH body that turns `before` into `after`: changed keys, removed ones as null. */
export function labelPatch(
  before: Record<string, string>,
  after: Record<string, string>,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) patch[k] = v;
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  return patch;
}

export function labelList(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}
