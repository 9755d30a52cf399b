// The OpenAPI 3.1 document, built from the protocol's zod schemas with zod 4's z.toJSONSchema
// (one source for validation and documentation; no second schema language) and the route table
// in route-table.ts, served by admin-routes.ts, policy-routes.ts and agent-routes.ts; a test checks
// that every documented route answers something other than "no route".
import { VERSION } from "@microseg/core/version";
import { ErrorBodySchema, PROTOCOL_VERSION } from "@microseg/protocol";
import { z } from "zod";
import { ROUTES, type RouteDoc } from "./route-table.js";

export { ROUTES };

const Json = (schema: z.ZodType) => ({
  "application/json": { schema: z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) },
});

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const key = r.path.replace(/:([a-zA-Z]+)/g, "{$1}");
    paths[key] ??= {};
    (paths[key] as Record<string, unknown>)[r.method] = operation(r);
  }
  return {
    openapi: "3.1.0",
    // info.version is the release (VERSION, as `microseg --version`); the paths are API v1.
    info: {
      title: "microseg controller API",
      version: VERSION,
      description: `API v${PROTOCOL_VERSION}: every path under /api/v${PROTOCOL_VERSION}.`,
    },
    components: {
      securitySchemes: {
        token: { type: "http", scheme: "bearer", description: "admin token (DATA/admin.token)" },
        agent: { type: "http", scheme: "bearer", description: "agent credential from enrolment" },
      },
      schemas: { Error: z.toJSONSchema(ErrorBodySchema, { unrepresentable: "any" }) },
    },
    paths,
  };
}

function operation(r: RouteDoc): Record<string, unknown> {
  const op: Record<string, unknown> = { summary: r.summary };
  if (r.auth === "admin") op.security = [{ token: [] }];
  if (r.auth === "agent") op.security = [{ agent: [] }];
  const params = [...(r.path.matchAll(/:([a-zA-Z]+)/g) ?? [])].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const q =
    r.query === undefined
      ? []
      : Object.keys(r.query.shape).map((name) => ({
          name,
          in: "query",
          required: false,
          schema: { type: "string" },
        }));
  if (params.length + q.length > 0) op.parameters = [...params, ...q];
  if (r.body !== undefined) op.requestBody = { required: true, content: Json(r.body) };
  if (r.yamlBody)
    op.requestBody = {
      required: true,
      content: { "application/yaml": { schema: { type: "string" } } },
    };
  const ok = String(r.status ?? 200);
  op.responses = {
    [ok]:
      r.response !== undefined
        ? { description: "OK", content: Json(r.response) }
        : r.textResponse !== undefined
          ? { description: "OK", content: { [r.textResponse]: { schema: { type: "string" } } } }
          : { description: "OK" },
    default: {
      description: "Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    },
  };
  return op;
}
