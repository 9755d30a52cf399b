// Request body limits per route (the route table's maxBody, else BODY_LIMITS.json), answered
// 413 MSEG_API_BODY_TOO_LARGE before anything of the body is read or parsed: a declared
// Content-Length is judged from the header alone (node's parser never reads past it); only a
// chunked body is counted as it streams, by hono's bodyLimit. GET and HEAD carry no body.
//
// The header check avoids hono's bodyLimit on every request: it reads `c.req.raw.body`, which
// turns node-server's light request into a full fetch Request (the top cost of the agent channel
// under load) and takes the JSON parse off its fast path. After a 413, node-server drains at
// most 500 ms or 64 MiB of the unread body and then closes the connection.
import { ApiError } from "@microseg/protocol";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BODY_LIMITS } from "../limits/defaults.js";
import type { ControllerEnv } from "./env.js";
import { ROUTES } from "./route-table.js";

const exact = new Map<string, number>();
const patterns: { method: string; re: RegExp; max: number }[] = [];
for (const r of ROUTES) {
  const method = r.method.toUpperCase();
  const max = r.maxBody ?? BODY_LIMITS.json;
  if (!r.path.includes(":")) exact.set(`${method} ${r.path}`, max);
  else
    patterns.push({ method, re: new RegExp(`^${r.path.replace(/:[a-zA-Z]+/g, "[^/]+")}$`), max });
}

/** The body limit of a request to `path` (bytes). */
export function bodyLimitFor(method: string, path: string): number {
  const known = exact.get(`${method} ${path}`);
  if (known !== undefined) return known;
  return patterns.find((p) => p.method === method && p.re.test(path))?.max ?? BODY_LIMITS.json;
}

export function limitBody(): MiddlewareHandler<ControllerEnv> {
  const tooLarge = (max: number) =>
    new ApiError(
      "MSEG_API_BODY_TOO_LARGE",
      `the body is larger than ${max} bytes, the most this route takes; send less`,
      { maxBytes: max },
    );
  const streamed = new Map<number, MiddlewareHandler<ControllerEnv>>();
  const streamedLimit = (max: number) => {
    let mw = streamed.get(max);
    if (mw === undefined) {
      mw = bodyLimit({
        maxSize: max,
        onError: () => {
          throw tooLarge(max);
        },
      });
      streamed.set(max, mw);
    }
    return mw;
  };
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const max = bodyLimitFor(c.req.method, c.req.path);
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) {
      return streamedLimit(max)(c, next);
    }
    if (!/^\d+$/.test(length) || Number(length) > max) throw tooLarge(max);
    return next();
  };
}
