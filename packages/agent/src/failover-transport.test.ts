// Failover between controller URLs, with stand-in transports: which URL each request goes to,
// what moves it (network error, timeout, 5xx) and what does not (4xx, the caller's abort).
import { describe, expect, it } from "vitest";
import { createFailoverTransport } from "./failover-transport.js";
import type { HttpResponse, HttpTransport, RequestOptions } from "./http-transport.js";

type Answer = number | Error | ((o: RequestOptions) => Promise<HttpResponse>);

/** Stand-in controllers: `answers[url]` says what each answers now; `calls` lists who was asked. */
function fakes(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const moves: string[] = [];
  const transport = createFailoverTransport({
    urls: Object.keys(answers),
    transportFor:
      (url): HttpTransport =>
      async (_method, _path, o = {}) => {
        calls.push(url);
        const a = answers[url] as Answer;
        if (a instanceof Error) throw a;
        if (typeof a === "function") return a(o);
        return { status: a, body: undefined };
      },
    onFailover: (from, to, reason) => moves.push(`${from} -> ${to} (${reason})`),
  });
  return { transport, calls, moves, answers };
}

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

describe("failover between controller URLs", () => {
  it("stays on the first URL while it answers", async () => {
    const f = fakes({ a: 200, b: 200 });
    for (let i = 0; i < 3; i += 1) expect((await f.transport("GET", "/x")).status).toBe(200);
    expect(f.calls).toEqual(["a", "a", "a"]);
    expect(f.moves).toEqual([]);
  });

  it("a network error moves to the next URL at once, and later requests stay there", async () => {
    const f = fakes({ a: 200, b: 200 });
    await f.transport("GET", "/x");
    f.answers.a = refused();
    expect((await f.transport("GET", "/x")).status).toBe(200);
    expect((await f.transport("GET", "/x")).status).toBe(200);
    expect(f.calls).toEqual(["a", "a", "b", "b"]);
    expect(f.moves).toEqual(["a -> b (connect ECONNREFUSED)"]);
  });

  it("a 5xx moves on; a 4xx is the controller's decision and is returned as is", async () => {
    const f = fakes({ a: 503, b: 200, c: 200 });
    expect((await f.transport("GET", "/x")).status).toBe(200);
    f.answers.b = 401;
    expect((await f.transport("GET", "/x")).status).toBe(401);
    expect((await f.transport("GET", "/x")).status).toBe(401);
    expect(f.calls).toEqual(["a", "b", "b", "b"]);
  });

  it("round robin: when every URL fails, the last failure is the caller's, each URL asked once", async () => {
    const f = fakes({ a: refused(), b: 502, c: refused() });
    await expect(f.transport("GET", "/x")).rejects.toThrow(/ECONNREFUSED/);
    expect(f.calls).toEqual(["a", "b", "c"]);
    f.answers.c = 500;
    expect((await f.transport("GET", "/x")).status).toBe(500);
    expect(f.calls.slice(3)).toEqual(["a", "b", "c"]);
    // The second that comes back is found on the next round, wherever the round starts.
    f.answers.b = 200;
    expect((await f.transport("GET", "/x")).status).toBe(200);
    expect((await f.transport("GET", "/x")).status).toBe(200);
    expect(f.calls.at(-1)).toBe("b");
    expect(f.calls.filter((c) => c === "b").length).toBe(4);
  });

  it("a failover is told once, naming both URLs; back to the first is told too", async () => {
    const f = fakes({ a: 200, b: 200 });
    await f.transport("GET", "/x");
    f.answers.a = 503;
    await f.transport("GET", "/x");
    await f.transport("GET", "/x");
    f.answers.b = new Error("request timed out: GET /x");
    f.answers.a = 200;
    await f.transport("GET", "/x");
    expect(f.moves).toEqual(["a -> b (answered 503)", "b -> a (request timed out: GET /x)"]);
  });

  it("the caller's abort is no failover: it ends the request", async () => {
    const abort = new AbortController();
    const f = fakes({
      a: async () => {
        abort.abort();
        throw new Error("aborted");
      },
      b: 200,
    });
    await expect(f.transport("GET", "/x", { signal: abort.signal })).rejects.toThrow("aborted");
    expect(f.calls).toEqual(["a"]);
  });

  it("a move aborts what is still in flight on the old URL (a held long-poll), which moves too", async () => {
    let held: ((r: HttpResponse) => void) | undefined;
    const f = fakes({
      a: (o) =>
        new Promise<HttpResponse>((resolve, reject) => {
          held = resolve;
          o.signal?.addEventListener("abort", () => reject(new Error("aborted by failover")));
        }),
      b: 200,
    });
    const poll = f.transport("GET", "/poll");
    f.answers.a = 503;
    expect((await f.transport("POST", "/status")).status).toBe(200);
    expect((await poll).status).toBe(200);
    expect(held).toBeDefined();
    expect(f.calls).toEqual(["a", "a", "b", "b"]);
  });

  it("one URL is that URL's transport itself", async () => {
    const f = fakes({ a: refused() });
    await expect(f.transport("GET", "/x")).rejects.toThrow(/ECONNREFUSED/);
    expect(f.calls).toEqual(["a"]);
  });
});
