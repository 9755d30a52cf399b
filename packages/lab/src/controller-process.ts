// Starts the lab's controller: one detached process (programs/lab-controller.js) in the
// controller namespace, serving HTTPS on CONTROLLER_ADDRESS:CONTROLLER_PORT_NUMBER for agents.
//
//   lab up (root netns)                          mseg-<lab>.ctl
//   ──────────────────                           ──────────────────────────────────────
//   spawn ip netns exec … lab-controller.js ───> startController(DATA, 198.18.0.1:8443 [+i],
//                                                 store: $MICROSEG_LAB_STORE or SQLite,
//                                                 bus: $MICROSEG_LAB_BUS or none)
//   <── IPC {ready: url, fingerprint, caPem, token}
//   listen 127.0.0.1:P (root netns) ──IPC handle──> relay: 127.0.0.1:P ──bytes──> :8443
//   <── IPC {relaying}; IPC closed, process left running on its own (setsid)
//
// So programs in the root namespace (lab up, tests, the CLI) reach the API at
// https://127.0.0.1:P (the certificate always names 127.0.0.1) without any link into the lab,
// and agents reach it at https://198.18.0.1:8443. Both pin the same CA.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CONTROLLER_ADDRESS, CONTROLLER_PORT_NUMBER } from "./scenario/addresses.js";

export const CONTROLLER_READY_TIMEOUT_MS = 20_000;
export const CONTROLLER_PROGRAM = fileURLToPath(
  new URL("./programs/lab-controller.js", import.meta.url),
);

export interface LabControllerSpec {
  readonly netns: string;
  /** Where the controller keeps its database, CA and admin token. */
  readonly dataDir: string;
  readonly logFile: string;
  /** Root-namespace loopback port for the relay; 0 picks a free one. */
  readonly relayPort?: number;
  /** --management-service of the controller: what its address may reach on the hosts. */
  readonly managementServices?: readonly string[];
  /** Port on CONTROLLER_ADDRESS (default CONTROLLER_PORT_NUMBER); replica i listens on +i. */
  readonly port?: number;
  /** postgres://… as this process reaches it (store-relay.ts); default: SQLite in dataDir. */
  readonly store?: string;
  /** nats://… URLs as this process reaches them (bus-relay.ts); default: no bus. */
  readonly bus?: readonly string[];
}

export interface LabControllerStarted {
  readonly pid: number;
  /** Reachable from the root namespace (relay). */
  readonly url: string;
  /** Reachable from inside the lab (what agents use). */
  readonly agentUrl: string;
  readonly caFingerprint: string;
  readonly caPem: string;
  /** Only on the first start with this data dir (afterwards it is in DATA/admin.token). */
  readonly adminToken: string | null;
}

interface Ready {
  readonly url: string;
  readonly caFingerprint: string | null;
  readonly caPem: string | null;
  readonly adminToken: string | null;
}

/** Spawns the controller; `onSpawn` gets its pid before readiness is awaited (for `lab down`). */
export async function startLabController(
  spec: LabControllerSpec,
  onSpawn: (pid: number) => void,
): Promise<LabControllerStarted> {
  mkdirSync(spec.dataDir, { recursive: true, mode: 0o700 });
  const log = openSync(spec.logFile, "a");
  const listen = `${CONTROLLER_ADDRESS}:${spec.port ?? CONTROLLER_PORT_NUMBER}`;
  const child = spawn(
    "ip",
    [
      ...["netns", "exec", spec.netns, process.execPath, CONTROLLER_PROGRAM, spec.dataDir, listen],
      ...(spec.managementServices ?? []),
    ],
    {
      detached: true,
      stdio: ["ignore", log, log, "ipc"],
      // In the environment, not the command line: a password in the URL stays out of ps.
      env: {
        ...process.env,
        MICROSEG_LAB_STORE: spec.store ?? "",
        MICROSEG_LAB_BUS: (spec.bus ?? []).join(","),
      },
    },
  );
  closeSync(log);
  if (child.pid === undefined) throw new Error("cannot start the lab controller");
  onSpawn(child.pid);
  const server = await listenLoopback(spec.relayPort ?? 0);
  try {
    const ready = await handshake(child, server, spec.logFile);
    if (ready.caFingerprint === null || ready.caPem === null) {
      throw new Error("the lab controller serves plain HTTP; it must serve HTTPS");
    }
    const port = (server.address() as { port: number }).port;
    return {
      pid: child.pid,
      url: `https://127.0.0.1:${port}`,
      agentUrl: ready.url,
      caFingerprint: ready.caFingerprint,
      caPem: ready.caPem,
      adminToken: ready.adminToken,
    };
  } finally {
    server.close();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

function listenLoopback(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (e) => (port === 0 ? reject(e) : listenLoopback(0).then(resolve, reject)));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** ready -> hand over the relay socket -> relaying, bounded by CONTROLLER_READY_TIMEOUT_MS. */
function handshake(child: ChildProcess, server: Server, logFile: string): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let ready: Ready | undefined;
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`the lab controller ${why}${logTail(logFile)}`));
    };
    const timer = setTimeout(
      () => fail(`was not ready within ${CONTROLLER_READY_TIMEOUT_MS} ms`),
      CONTROLLER_READY_TIMEOUT_MS,
    );
    child.on("message", (msg: { ready?: Ready; relaying?: boolean }) => {
      if (msg.ready !== undefined) {
        ready = msg.ready;
        child.send({ relay: true }, server);
      } else if (msg.relaying === true && ready !== undefined) {
        clearTimeout(timer);
        resolve(ready);
      }
    });
    child.once("exit", (code) => fail(`exited (code ${code}) before it was ready`));
  });
}

/** The admin token kept in the controller's data dir (written 0600 on its first start). */
export function readAdminToken(dataDir: string): string {
  return readFileSync(join(dataDir, "admin.token"), "utf8").trim();
}

function logTail(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n").slice(-3);
    return lines.length > 0 && lines[0] !== "" ? `: ${lines.join(" / ")}` : "";
  } catch {
    return "";
  }
}
