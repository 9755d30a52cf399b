// A fake controller for agent tests: a small HTTP(S) server speaking protocol v1 (enrol,
// long-poll policy, status, flows, ca.pem). Requests are checked with the protocol's zod schemas,
// so an agent that sends something the real controller would reject fails here too.
// Credentials are `cred-<agentId>`: a restarted fake, or a second fake standing for another
// replica, accepts an agent enrolled by an earlier one. Flow batches are taken at most once per
// credential and seq, as the real controller does (duplicate: true for a seq already taken).

import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { AddressSet, RuleSet } from "@microseg/core";
import {
  EnrolRequestSchema,
  type FlowBatch,
  FlowBatchSchema,
  NO_RULESET,
  PATHS,
  POLL_WAIT_MAX_S,
  type StatusRequest,
  StatusRequestSchema,
} from "@microseg/protocol";

export interface FakePolicy {
  readonly revision: number | null;
  readonly ruleSet: RuleSet | null;
  readonly management: AddressSet;
}

export interface FakeControllerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly keys?: readonly string[];
  /** PEMs for HTTPS; plain HTTP without. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly ca: string };
  readonly policy?: FakePolicy;
  /** Called with every accepted status report. */
  readonly onStatus?: (status: StatusRequest) => void;
}

export interface FakeController {
  readonly url: string;
  readonly port: number;
  readonly enrols: unknown[];
  readonly statuses: StatusRequest[];
  /** Flow batches taken (duplicates left out), in the order they came. */
  readonly flows: FlowBatch[];
  /** "METHOD /path" of every request, in the order they came. */
  readonly requests: string[];
  /** Requests the schemas rejected (should stay empty). */
  readonly rejected: string[];
  setPolicy(policy: FakePolicy): void;
  /** From now on every request is answered with this status (undefined: normal answers again). */
  failWith(status: number | undefined): void;
  /** From now on every credential is refused (401), like a revoked agent. */
  revokeAll(): void;
  /** Status answers carry this maintenance token hash from now on. */
  setMaintenanceHash(hash: string): void;
  /** Resolves with the first status report (already received or future) that matches. */
  waitForStatus(match: (s: StatusRequest) => boolean, timeoutMs?: number): Promise<StatusRequest>;
  close(): Promise<void>;
}

export async function startFakeController(o: FakeControllerOptions = {}): Promise<FakeController> {
  const keys = new Set(o.keys ?? ["key-1"]);
  let policy: FakePolicy | undefined = o.policy;
  let seq = 0;
  let revoked = false;
  let maintenanceHash: string | undefined;
  let failing: number | undefined;
  const lastSeq = new Map<string, number>();
  const waiting = new Set<() => void>();
  const listeners = new Set<(s: StatusRequest) => void>();
  const fake = {
    enrols: [] as unknown[],
    statuses: [] as StatusRequest[],
    flows: [] as FlowBatch[],
    requests: [] as string[],
    rejected: [] as string[],
  };
  const currentHash = () => policy?.ruleSet?.hash ?? (policy ? NO_RULESET : undefined);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    fake.requests.push(`${req.method} ${url.pathname}`);
    const body = req.method === "POST" ? await readJson(req) : undefined;
    if (failing !== undefined) return send(failing, error("MSEG_INTERNAL", "failing on purpose"));
    if (url.pathname === PATHS.caPem) {
      if (!o.tls) return send(404);
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      return res.end(o.tls.ca);
    }
    if (url.pathname === PATHS.enrol) {
      const parsed = EnrolRequestSchema.safeParse(body);
      if (!parsed.success) return reject(send, fake, `enrol: ${parsed.error.message}`);
      fake.enrols.push(parsed.data);
      if (!keys.has(parsed.data.key)) return send(401, error("MSEG_ENROL_REFUSED", "unknown key"));
      seq += 1;
      const name = parsed.data.workload ?? parsed.data.hostname;
      const workload = { name, labels: {}, addresses: [], mode: "enforce", managed: true };
      const agentId = `agent-${seq}`;
      const credential = `cred-${agentId}`;
      return send(201, { agentId, credential, workload, mode: "enforce", heartbeatSeconds: 5 });
    }
    if (revoked || !/^Bearer cred-/.test(req.headers.authorization ?? "")) {
      return send(401, error("MSEG_API_UNAUTHENTICATED", "no valid credential"));
    }
    if (url.pathname === PATHS.agentPolicy) {
      const known = url.searchParams.get("known") ?? NO_RULESET;
      const wait = Math.min(Number(url.searchParams.get("wait") ?? 30), POLL_WAIT_MAX_S);
      await holdUntilChanged(() => currentHash() !== undefined && currentHash() !== known, wait);
      if (currentHash() === undefined || currentHash() === known) return send(204);
      return send(200, { ...policy, issuedAt: new Date().toISOString() });
    }
    if (url.pathname === PATHS.agentStatus) {
      const parsed = StatusRequestSchema.safeParse(body);
      if (!parsed.success) return reject(send, fake, `status: ${parsed.error.message}`);
      fake.statuses.push(parsed.data);
      o.onStatus?.(parsed.data);
      for (const l of listeners) l(parsed.data);
      const hash = maintenanceHash === undefined ? {} : { maintenanceHash };
      return send(200, { currentHash: currentHash() ?? NO_RULESET, heartbeatSeconds: 5, ...hash });
    }
    if (url.pathname === PATHS.agentFlows) {
      const parsed = FlowBatchSchema.safeParse(body);
      if (!parsed.success) return reject(send, fake, `flows: ${parsed.error.message}`);
      const agent = req.headers.authorization ?? "";
      const duplicate = parsed.data.seq <= (lastSeq.get(agent) ?? 0);
      if (!duplicate) {
        lastSeq.set(agent, parsed.data.seq);
        fake.flows.push(parsed.data);
      }
      return send(200, { seq: parsed.data.seq, duplicate });
    }
    send(404, error("MSEG_API_NOT_FOUND", url.pathname));
  };

  const holdUntilChanged = (ready: () => boolean, waitS: number) =>
    new Promise<void>((resolve) => {
      if (ready()) return resolve();
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitS * 1000);
      waiting.add(done);
    });

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500).end(e.message);
    });
  };
  const server = o.tls
    ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, o.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host ?? "127.0.0.1";
  return {
    ...fake,
    port,
    url: `${o.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    revokeAll() {
      revoked = true;
      for (const wake of [...waiting]) wake();
    },
    setMaintenanceHash(hash) {
      maintenanceHash = hash;
    },
    failWith(status) {
      failing = status;
      for (const wake of [...waiting]) wake();
    },
    setPolicy(next) {
      policy = next;
      for (const wake of [...waiting]) wake();
    },
    waitForStatus(match, timeoutMs = 10_000) {
      const found = fake.statuses.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(new Error(`no matching status report in ${timeoutMs} ms`));
        }, timeoutMs);
        const l = (s: StatusRequest) => {
          if (!match(s)) return;
          clearTimeout(timer);
          listeners.delete(l);
          resolve(s);
        };
        listeners.add(l);
      });
    },
    async close() {
      for (const wake of [...waiting]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

function reject(send: (s: number, b?: unknown) => void, fake: { rejected: string[] }, why: string) {
  fake.rejected.push(why);
  send(400, error("MSEG_API_BAD_REQUEST", why));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}
