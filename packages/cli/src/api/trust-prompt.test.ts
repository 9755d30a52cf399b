// An unknown controller CA is confirmed by a person BEFORE the token leaves the machine. The
// server is a real HTTPS socket with a real controller's certificate that records every request
// and passes it on to that controller; the prompt is injected and looks at what the server saw
// at the moment it is asked.
import { readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { colonFingerprint } from "@microseg/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";
import { connectTarget, type TrustPrompt } from "./connect.js";
import { knownFingerprint } from "./known-controllers.js";

const online = useController({ https: true });
const { home } = useCli();

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly token: boolean;
}
const seen: Seen[] = [];
let server: Server;
let url: string;

/** A recording HTTPS front of the real controller, with the controller's own certificate. */
beforeAll(async () => {
  const tls = (name: string) => readFileSync(join(online.current.dir, "tls", name), "utf8");
  const upstream = new URL(online.current.url);
  server = createServer({ cert: tls("server.pem"), key: tls("server.key") }, (req, res) => {
    const token = req.headers.authorization !== undefined;
    seen.push({ method: req.method ?? "", path: req.url ?? "", token });
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        ca: tls("ca.pem"),
        servername: "127.0.0.1",
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const flags = () => ({ controller: url, token: online.current.token });
const fp = () => online.current.ctl.caFingerprint ?? "";

/** A person at a terminal who answers `answer`, after noting what the server had seen by then. */
function person(answer: string) {
  const at = { asked: "", seenBefore: [] as Seen[] };
  const prompt: TrustPrompt = {
    interactive: true,
    ask: async (question) => {
      at.asked = question;
      at.seenBefore = [...seen];
      return answer;
    },
  };
  return { prompt, at };
}

describe("an unknown controller CA, asked on a terminal", () => {
  it("shows the fingerprint and refuses on anything but yes: the token is never sent", async () => {
    seen.length = 0;
    const { prompt, at } = person("");
    const err = await connectTarget(flags(), prompt).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "MSEG_CONTROLLER_UNTRUSTED" });
    expect((err as Error).message).toContain(`--ca-fingerprint ${fp()}`);
    expect(at.asked).toContain(colonFingerprint(fp()));
    expect(at.asked).toContain("[y/N]");
    expect(seen).toEqual([{ method: "GET", path: "/api/ca.pem", token: false }]);
    expect(knownFingerprint(url, join(home, ".config/microseg/known-controllers.json"))).toBe(
      undefined,
    );
  });

  it("on yes: nothing with the token reached the server before the answer; then it remembers", async () => {
    seen.length = 0;
    const { prompt, at } = person("y");
    const { client } = await connectTarget(flags(), prompt);
    expect(at.seenBefore).toEqual([{ method: "GET", path: "/api/ca.pem", token: false }]);
    expect((await client.status()).caFingerprint).toBe(fp());
    expect(seen.at(-1)).toEqual({ method: "GET", path: "/api/v1/status", token: true });
    expect(knownFingerprint(url)).toBe(fp());

    // Remembered: no question the next time.
    const never: TrustPrompt = {
      interactive: true,
      ask: () => Promise.reject(new Error("asked again")),
    };
    await expect(connectTarget(flags(), never)).resolves.toBeDefined();
  });
});
