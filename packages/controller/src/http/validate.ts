// Request parsing with the protocol's schemas: a body or query that does not match answers 400
// MSEG_API_BAD_REQUEST naming each wrong field.
import { ApiError } from "@microseg/protocol";
import type { Context } from "hono";
import type { z } from "zod";

export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let value: unknown;
  const text = await c.req.text();
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("MSEG_API_BAD_REQUEST", "the body is not JSON");
  }
  return check(schema, value, "body");
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return check(schema, c.req.query(), "query");
}

export function intParam(c: Context, name: string): number {
  const text = c.req.param(name) ?? "";
  if (!/^\d{1,9}$/.test(text)) {
    throw new ApiError("MSEG_API_BAD_REQUEST", `${name} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

function check<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
  }));
  const first = issues[0];
  const message = `invalid ${where}: ${first?.path === "" ? "" : `${first?.path}: `}${first?.message}`;
  throw new ApiError("MSEG_API_BAD_REQUEST", message, { issues });
}
