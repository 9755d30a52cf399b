// One TCP connect from inside a network namespace (a real socket there, made by a short node
// process under `ip netns exec`): what the network answered. For tests that judge a single
// connection rather than the lab's whole probe matrix.
import { execFile } from "node:child_process";

export type Outcome = "connected" | "refused" | "timeout";

/** Connects from `netns` to address:port; a drop shows as "timeout" after `timeoutMs`. */
export function connectFrom(
  netns: string,
  address: string,
  port: number,
  timeoutMs = 1000,
): Promise<Outcome> {
  const script = `
    const s = require("node:net").connect(${port}, ${JSON.stringify(address)});
    const done = (o) => { process.stdout.write(o); s.destroy(); process.exit(0); };
    s.on("connect", () => done("connected"));
    s.on("error", (e) => done(e.code === "ECONNREFUSED" ? "refused" : "error " + e.code));
    setTimeout(() => done("timeout"), ${timeoutMs});`;
  return new Promise((resolve, reject) => {
    execFile(
      "ip",
      ["netns", "exec", netns, process.execPath, "-e", script],
      { timeout: 10_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout.trim() as Outcome)),
    );
  });
}
