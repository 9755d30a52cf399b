// The lab's byte relay (programs/lab-relay.js) for real, in this namespace: TCP -> unix socket
// -> TCP, the chain a bus server is reached through (bus-relay.ts), without the namespaces.
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRelay, startRelay } from "./relay.js";
import { terminate } from "./sys/procs.js";

const dir = mkdtempSync(join(tmpdir(), "mseg-relay-"));
const pids: number[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

/** Sends `text` to 127.0.0.1:port (no half-close: the relay ends both sides as one) and answers
 * what came back before the far end closed. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => s.write(text));
    let got = "";
    s.on("data", (d) => {
      got += d;
    });
    s.on("error", reject);
    s.on("close", () => resolve(got));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe("lab relay", () => {
  afterAll(async () => {
    await terminate(pids);
    rmSync(dir, { recursive: true, force: true });
  });

  it("pipes bytes both ways from a TCP port through a unix socket to a TCP service", async () => {
    const echo = createServer((c) => c.on("data", (d) => c.end(`echo:${d}`)));
    const service = await listen(echo);
    const socket = join(dir, "bus-0.sock");
    const logFile = join(dir, "relay.log");
    const front = await freePort();
    pids.push(
      await startRelay({ listen: socket, target: `127.0.0.1:${service}`, logFile }, () => {}),
    );
    pids.push(
      await startRelay({ listen: `127.0.0.1:${front}`, target: socket, logFile }, () => {}),
    );
    expect(pids.every(isRelay)).toBe(true);
    expect(await roundTrip(front, "hello")).toBe("echo:hello");
    echo.close();
  });

  it("fails to start, with the reason, when it cannot listen", async () => {
    const busy = createServer();
    const port = await listen(busy);
    await expect(
      startRelay(
        { listen: `127.0.0.1:${port}`, target: "127.0.0.1:1", logFile: join(dir, "busy.log") },
        (pid) => pids.push(pid),
      ),
    ).rejects.toThrow(/exited \(code 1\) before it listened/);
    busy.close();
  });
});
