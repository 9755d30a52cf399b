// Fuzzes every operation of the controller's OpenAPI document, generated from the document
// itself: path parameters, query parameters, bodies (JSON from the operation's schema, policy
// YAML for the draft) and credentials, mostly well-formed, often hostile. The controller runs in
// process over a real SQLite file. Every answer must be one of:
//   2xx  matching the route's response schema,
//   4xx  a registry error body with a message (an "unclear" error otherwise),
// never a 5xx and never a thrown request. Seeded: MICROSEG_FUZZ_SEED (default fixed) and
// MICROSEG_FUZZ_RUNS (inputs per operation) make a longer run, MICROSEG_FUZZ_LOG=1 prints the
// controller's errors; docs/BENCHMARKS.md ("Fuzzing").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ERROR_CODES } from "@microseg/core";
import { ErrorBodySchema } from "@microseg/protocol";
import { openSqliteStore } from "@microseg/store/sqlite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument, ROUTES } from "../http/openapi.js";
import { testController } from "../test-helpers.js";
import {
  fuzzed,
  HOSTILE_STRINGS,
  type JsonSchema,
  mutated,
} from "./schema-arbitrary.test-helpers.js";
import { type Estate, seedEstate, withLiveAgent } from "./seed-estate.test-helpers.js";

const RUNS = Number(process.env.MICROSEG_FUZZ_RUNS ?? 100);
const SEED = Number(process.env.MICROSEG_FUZZ_SEED ?? 20261207);

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly security: "admin" | "agent" | "none";
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly body?:
    | { readonly kind: "json"; readonly schema: JsonSchema }
    | { readonly kind: "yaml" };
}

interface Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface Finding {
  readonly kind: "5xx" | "unclear" | "off-schema" | "thrown";
  readonly request: Request;
  readonly status: number;
  readonly answer: string;
}

function operations(doc: ReturnType<typeof openApiDocument>): Operation[] {
  const out: Operation[] = [];
  const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { name: string; in: string }[];
      const security = (op.security as Record<string, unknown>[] | undefined)?.[0];
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> })
        ?.content;
      out.push({
        method: method.toUpperCase(),
        path,
        security: security === undefined ? "none" : "agent" in security ? "agent" : "admin",
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        ...(content?.["application/json"] !== undefined && {
          body: { kind: "json", schema: content["application/json"].schema },
        }),
        ...(content?.["application/yaml"] !== undefined && { body: { kind: "yaml" } }),
      });
    }
  }
  return out;
}

/** Plausible query values by parameter name, so filters reach the code behind them. */
const QUERY_VALUES: Record<string, readonly string[]> = {
  since: ["1h", "7d", "15m", "2026-01-01T00:00:00Z", "0s", "99999d"],
  until: ["1h", "2030-01-01T00:00:00Z", "now"],
  at: ["2026-01-01T00:00:00Z", "1h"],
  limit: ["1", "10", "1000", "0", "100000"],
  offset: ["0", "5", "999999"],
  port: ["tcp/5432", "udp/53", "icmp", "tcp/0", "tcp/80-90-1000"],
  verdict: ["allowed", "blocked", "would-block"],
  label: ["role=web", "role", "a=b,c=d", "=", "__proto__=x"],
  groupBy: ["app", "role", "__proto__"],
  hops: ["1", "3", "0", "50"],
  draft: ["true", "false"],
  save: ["true", "false"],
  wait: ["0", "1"],
  known: ["none", "abc"],
  afterSeq: ["0", "1", "-1"],
  seq: ["1", "2"],
  hash: ["0".repeat(64)],
};

function queryValue(name: string, known: Record<string, string[]>): fc.Arbitrary<string> {
  const plausible = [...(QUERY_VALUES[name] ?? []), ...(known[name] ?? [])];
  return fc.oneof(
    { arbitrary: plausible.length > 0 ? fc.constantFrom(...plausible) : fc.string(), weight: 3 },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000)), weight: 1 },
  );
}

const POLICY = `rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

const YAML_BODIES = [
  POLICY,
  "rules:\n  - { from: { __proto__: monitoring }, to: any, services: [tcp/80-90-1000] }\n",
  "rules: [",
  `${"[".repeat(2000)}${"]".repeat(2000)}`,
  "---\n".repeat(200),
  "a: &a [1]\nb: [*a, *a, *a]\n",
  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: x }\nspec: {}\n",
  "\u0000\u001b[31m",
];

function yamlBody(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...YAML_BODIES),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(...HOSTILE_STRINGS),
  );
}

function jsonBody(schema: JsonSchema, example?: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const fromSchema = fuzzed(schema);
  const values =
    example === undefined
      ? fromSchema
      : fc.oneof(
          { arbitrary: fromSchema, weight: 3 },
          { arbitrary: example, weight: 2 },
          { arbitrary: example.chain(mutated), weight: 5 },
        );
  return fc.oneof(
    { arbitrary: values.map((v) => JSON.stringify(v) ?? "null"), weight: 19 },
    { arbitrary: fc.constantFrom("{", "", "[]", "null", '{"a":'), weight: 1 },
  );
}

function requestFor(op: Operation, estate: Estate): fc.Arbitrary<Request> {
  const params = Object.fromEntries(
    op.pathParams.map((p) => [p, queryValue(p, estate.pathValues)]),
  );
  const query = fc.record(
    Object.fromEntries(op.queryParams.map((q) => [q, queryValue(q, estate.pathValues)])),
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<string | undefined> =
    op.body === undefined
      ? fc.constant(undefined)
      : op.body.kind === "yaml"
        ? yamlBody()
        : jsonBody(op.body.schema, estate.examples[`${op.method} ${op.path}`]);
  const rightAuth =
    op.security === "admin" ? estate.token : op.security === "agent" ? estate.credential : "";
  const auth = fc.oneof(
    { arbitrary: fc.constant(rightAuth), weight: 8 },
    { arbitrary: fc.constantFrom("", "mst_wrong", estate.token, estate.credential), weight: 2 },
  );
  return fc.record({ params: fc.record(params), query, body, auth }).map((r) => {
    const path = op.path.replace(/\{([a-zA-Z]+)\}/g, (_m, name: string) =>
      encodeURIComponent(wellFormed(r.params[name] ?? "")),
    );
    const query = Object.entries(r.query as Record<string, string>).map(
      ([k, v]): [string, string] => [k, wellFormed(v)],
    );
    const search = new URLSearchParams(query).toString();
    const headers: Record<string, string> = {};
    if (r.auth !== "") headers.authorization = `Bearer ${r.auth}`;
    if (r.body !== undefined) {
      headers["content-type"] = op.body?.kind === "yaml" ? "application/yaml" : "application/json";
    }
    return {
      method: op.method,
      url: search === "" ? path : `${path}?${search}`,
      headers,
      ...(r.body !== undefined && { body: r.body }),
    };
  });
}

/** Lone surrogates replaced: a URL cannot carry them (the body can, and does). */
function wellFormed(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
}

function responseSchemaFor(method: string, url: string) {
  const path = url.split("?")[0] ?? "";
  return ROUTES.find(
    (r) =>
      r.method.toUpperCase() === method &&
      new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, "[^/]+")}$`).test(path),
  )?.response;
}

/** What one answer says about the controller, or undefined when it is a good answer. */
async function judge(
  t: Controller,
  req: Request,
  seen: (status: number) => void = () => {},
): Promise<Finding | undefined> {
  let res: Response;
  try {
    res = await t.app.request(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined && { body: req.body }),
    });
  } catch (err) {
    return { kind: "thrown", request: req, status: 0, answer: String(err) };
  }
  seen(res.status);
  const text = await res.text();
  const finding = (kind: Finding["kind"]): Finding => ({
    kind,
    request: req,
    status: res.status,
    answer: text.slice(0, 300),
  });
  if (res.status >= 500) return finding("5xx");
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status >= 400) {
    const body = ErrorBodySchema.safeParse(json);
    const clear =
      body.success && body.data.error.code in ERROR_CODES && body.data.error.message.length > 10;
    return clear ? undefined : finding("unclear");
  }
  const schema = responseSchemaFor(req.method, req.url);
  if (schema !== undefined && res.status !== 204 && !schema.safeParse(json).success) {
    return finding("off-schema");
  }
  return undefined;
}

type Controller = Awaited<ReturnType<typeof testController>>;

describe("the API under fuzzing (every OpenAPI operation)", () => {
  let dir: string;
  let t: Controller;
  let estate: Estate;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mseg-fuzz-"));
    // Thousands of requests from one client in seconds, many with wrong credentials: lift the
    // per-client and per-agent limits, or 429 would answer in place of the code under test.
    const many = 1e9;
    const limits = {
      authFailureBurst: many,
      statusBurst: many,
      statusPerSecond: many,
      pollBurst: many,
      pollsPerSecond: many,
      flowRecordBurst: many,
      flowRecordsPerSecond: many,
    };
    // MICROSEG_FUZZ_LOG=1: the controller's error log (each 5xx with its stack) on stderr.
    const log = process.env.MICROSEG_FUZZ_LOG === "1" ? "error" : "silent";
    t = await testController({ store: openSqliteStore({ dir }), settings: { limits }, log });
    estate = await seedEstate(t);
  });

  afterAll(async () => {
    await t?.detection.close();
    await t?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `answers ${RUNS} generated requests per operation without a 5xx or an unclear error`,
    async ({ signal }) => {
      const ops = operations(openApiDocument());
      expect(ops.length).toBeGreaterThan(30);
      const findings: Finding[] = [];
      const statuses = new Map<string, Map<number, number>>();
      let tried = 0;
      for (const [i, op] of ops.entries()) {
        if (op.security === "agent") estate = await withLiveAgent(t, estate);
        const requests = fc.sample(requestFor(op, estate), { numRuns: RUNS, seed: SEED + i });
        const seen = new Map<number, number>();
        statuses.set(`${op.method} ${op.path}`, seen);
        for (const req of requests) {
          // A timed-out test keeps running while afterAll closes the controller: stop here, or
          // every later request reads as a 5xx of a store that is already closed.
          if (signal.aborted) throw new Error(`stopped after ${tried} inputs: ${signal.reason}`);
          tried++;
          const f = await judge(t, req, (status) => seen.set(status, (seen.get(status) ?? 0) + 1));
          if (f !== undefined) findings.push(f);
        }
      }
      if (process.env.MICROSEG_FUZZ_VERBOSE === "1") {
        for (const [op, seen] of statuses) {
          const counts = [...seen].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
          console.log(`${op.padEnd(50)} ${counts.join(" ")}`);
        }
      }
      const alive = await judge(t, {
        method: "GET",
        url: "/api/v1/status",
        headers: { authorization: `Bearer ${estate.token}` },
      });
      const summary = summarise(findings);
      console.log(
        `api fuzz: seed ${SEED}, ${tried} inputs over ${ops.length} operations; ` +
          `5xx ${count(findings, "5xx")}, thrown ${count(findings, "thrown")}, ` +
          `unclear ${count(findings, "unclear")}, off-schema ${count(findings, "off-schema")}`,
      );
      // Every operation was reached past authentication and quotas at least once: a fuzzer that
      // only ever hears 401 or 429 tests nothing.
      const unreached = [...statuses]
        .filter(([, seen]) => [...seen.keys()].every((st) => st === 401 || st === 429))
        .map(([op]) => op);
      expect(unreached).toEqual([]);
      expect(alive).toBeUndefined();
      expect(summary).toEqual([]);
    },
    // About 4.5 ms an input on an idle machine, 20 ms under heavy load.
    Math.max(600_000, RUNS * 42 * 20),
  );
});

function count(findings: readonly Finding[], kind: Finding["kind"]): number {
  return findings.filter((f) => f.kind === kind).length;
}

/** One line per distinct (kind, method, route, status), with a first example to reproduce. */
function summarise(findings: readonly Finding[]): string[] {
  const seen = new Map<string, string>();
  for (const f of findings) {
    const route = f.request.url.split("?")[0]?.replace(/\/[^/]*%[^/]*/g, "/…");
    const key = `${f.kind} ${f.request.method} ${route} ${f.status}`;
    if (!seen.has(key)) {
      const body = f.request.body === undefined ? "" : ` body=${f.request.body.slice(0, 200)}`;
      seen.set(key, `${key}: ${f.request.url}${body} -> ${f.answer}`);
    }
  }
  return [...seen.values()];
}
