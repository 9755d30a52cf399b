// Failover between a controller's replicas for one command, with stand-in endpoints: which URL
// each request goes to, when a URL is opened (trusted), and what does not move the command.
import { MicrosegError } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { Failover } from "./failover.js";
import { type RawResponse, UnreachableError } from "./transport.js";

type Answer = number | Error;

function stand(answers: Record<string, Answer>, openFails: Record<string, Error> = {}) {
  const opened: string[] = [];
  const asked: string[] = [];
  const moves: string[] = [];
  const failover = new Failover(
    Object.keys(answers).map((url) => ({
      url,
      open: async () => {
        opened.push(url);
        const e = openFails[url];
        if (e) throw e;
        return async (): Promise<RawResponse> => {
          asked.push(url);
          const a = answers[url] as Answer;
          if (a instanceof Error) throw a;
          return { status: a, text: "" };
        };
      },
    })),
    (from, to, reason) => moves.push(`${from} -> ${to}: ${reason}`),
  );
  const get = () => failover.send({ method: "GET", path: "/api/v1/status" });
  return { failover, get, opened, asked, moves, answers, openFails };
}

const down = (url: string) => new UnreachableError(`cannot reach the controller at ${url}`);

describe("Failover", () => {
  it("opens only the first URL while it answers", async () => {
    const s = stand({ a: 200, b: 200 });
    await s.failover.ready();
    await s.get();
    await s.get();
    expect(s.opened).toEqual(["a"]);
    expect(s.asked).toEqual(["a", "a"]);
    expect(s.failover.url).toBe("a");
  });

  it("a URL that does not answer, or answers 5xx, is left for the rest of the command", async () => {
    const s = stand({ a: down("a"), b: 503, c: 200 });
    expect((await s.get()).status).toBe(200);
    expect((await s.get()).status).toBe(200);
    expect(s.asked).toEqual(["a", "b", "c", "c"]);
    expect(s.failover.url).toBe("c");
    expect(s.moves).toEqual(["a -> c: answered HTTP 503"]);
  });

  it("a 4xx is an answer: no move", async () => {
    const s = stand({ a: 404, b: 200 });
    expect((await s.get()).status).toBe(404);
    expect(s.asked).toEqual(["a"]);
  });

  it("ready() skips a URL whose CA cannot be fetched, and a refused trust ends the command", async () => {
    const s = stand({ a: 200, b: 200 }, { a: down("a") });
    await s.failover.ready();
    expect(s.failover.url).toBe("b");
    const t = stand(
      { a: 200, b: 200 },
      { a: new MicrosegError("MSEG_CONTROLLER_UNTRUSTED", "no") },
    );
    await expect(t.failover.ready()).rejects.toMatchObject({ code: "MSEG_CONTROLLER_UNTRUSTED" });
    expect(t.opened).toEqual(["a"]);
  });

  it("none answers: the last failure is the caller's; a URL is opened afresh next time", async () => {
    const s = stand({ a: 200, b: down("b") }, { a: down("a") });
    await expect(s.get()).rejects.toThrow("cannot reach the controller at b");
    delete s.openFails.a;
    expect((await s.get()).status).toBe(200);
    expect(s.opened).toEqual(["a", "b", "a"]);
  });
});
