// A raw YAML value as a message shows it. Never throws (String() does on a map with a `toString`
// key, JSON.stringify on a cycle) and stays short, so a hostile value cannot break or flood a
// diagnostic.

const MAX = 80;

export function show(value: unknown): string {
  return shorten(text(value));
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function shorten(s: string): string {
  return s.length <= MAX ? s : `${s.slice(0, MAX)}…`;
}
