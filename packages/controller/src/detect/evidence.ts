// An alert's evidence between the engine (times in ms) and the store and the wire (JSON, every
// time an ISO-8601 string): `flows[].at`, and the enforcement gap's `detail.sinceMs`, which is
// stored and shown as `detail.since`. Reading back is lenient: rows written before the ISO
// form (ms numbers) and anything malformed give what can be read, never a throw.
import type { AlertEvidence, EvidenceFlow, FlowVerdict } from "@microseg/insight";
import type { Json } from "@microseg/store";

type JsonObject = { [key: string]: Json };

export function evidenceToJson(e: AlertEvidence): Json {
  const out: JsonObject = {
    flows: e.flows.map((f) => ({
      from: f.from,
      to: f.to,
      port: f.port,
      verdict: f.verdict,
      count: f.count,
      at: new Date(f.at).toISOString(),
      ...(f.rule !== undefined && { rule: f.rule }),
    })),
  };
  if (e.ports !== undefined) out.ports = [...e.ports];
  if (e.seen !== undefined) out.seen = { targets: e.seen.targets, ports: e.seen.ports };
  if (e.chain !== undefined) out.chain = [...e.chain];
  if (e.gap !== undefined) out.gap = e.gap;
  if (e.detail !== undefined) {
    const { sinceMs, ...rest } = e.detail;
    out.detail = {
      ...rest,
      ...(typeof sinceMs === "number" && { since: new Date(sinceMs).toISOString() }),
    };
  }
  return out;
}

export function evidenceFromJson(json: Json): AlertEvidence {
  const o = object(json);
  const detail = object(o.detail ?? null);
  const { since, ...rest } = detail;
  const sinceMs = time(since ?? null);
  const numbersAndTexts = Object.entries(rest).filter(
    (e): e is [string, string | number] => typeof e[1] === "string" || typeof e[1] === "number",
  );
  const seen = object(o.seen ?? null);
  return {
    flows: (Array.isArray(o.flows) ? o.flows : []).flatMap((f) => flow(f)),
    ...(o.ports !== undefined && { ports: texts(o.ports) }),
    ...(typeof seen.targets === "number" &&
      typeof seen.ports === "number" && { seen: { targets: seen.targets, ports: seen.ports } }),
    ...(o.chain !== undefined && { chain: texts(o.chain) }),
    ...(typeof o.gap === "string" && { gap: o.gap }),
    ...(o.detail !== undefined && {
      detail: {
        ...Object.fromEntries(numbersAndTexts),
        ...(sinceMs !== undefined && { sinceMs }),
      },
    }),
  };
}

const VERDICTS: readonly string[] = ["allowed", "blocked", "would-block"];

function flow(json: Json): EvidenceFlow[] {
  const f = object(json);
  const at = time(f.at ?? null);
  const { from, to, port, verdict, count, rule } = f;
  if (typeof from !== "string" || typeof to !== "string" || typeof port !== "string") return [];
  if (typeof verdict !== "string" || !VERDICTS.includes(verdict) || at === undefined) return [];
  return [
    {
      from,
      to,
      port,
      verdict: verdict as FlowVerdict,
      count: typeof count === "number" ? count : 1,
      at,
      ...(typeof rule === "string" && { rule }),
    },
  ];
}

function object(json: Json): JsonObject {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return {};
  return json as JsonObject;
}

function texts(json: Json): string[] {
  return Array.isArray(json) ? json.filter((x): x is string => typeof x === "string") : [];
}

/** An ISO time or (rows written before the ISO form) ms since the epoch. */
function time(json: Json): number | undefined {
  const ms = typeof json === "number" ? json : typeof json === "string" ? Date.parse(json) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
