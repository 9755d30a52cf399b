// In-process controller for tests: a memory store (or the one given), an admin token, and a
// request helper over app.request() (no sockets). The controllers of one test file share their
// policy workers (a worker takes a few seconds to start from sources), unless a test sets its own
// memory budget.
import type { Store } from "@microseg/store";
import { openMemoryStore } from "@microseg/store/memory";
import { buildController } from "./build.js";
import type { FlowBus } from "./bus/flow-bus.js";
import { DEFAULT_COMPILE_MEMORY_MB, PolicyWorkers } from "./compile-worker/pool.js";
import type { SettingsInput } from "./context.js";
import type { LeaseTimings } from "./leases.js";
import type { LogOption } from "./logger.js";
import { ensureAdminToken } from "./use-cases/tokens.js";

export interface TestOptions {
  readonly store?: Store;
  readonly clock?: () => Date;
  readonly settings?: SettingsInput;
  /** Default silent; a pino logger to read what was logged. */
  readonly log?: LogOption;
  /** Export the process metrics too (default off: each set runs its own event-loop monitor). */
  readonly processMetrics?: boolean;
  /** A flow bus: detection runs under the lease `detection` (bus/). */
  readonly bus?: FlowBus;
  /** Lease TTL and renewal on a shared store (leases.ts); tests shorten them. */
  readonly leaseTimings?: LeaseTimings;
}

let sharedWorkers: PolicyWorkers | undefined;

export async function testController(opts: TestOptions = {}) {
  const store = opts.store ?? openMemoryStore();
  const token = (await ensureAdminToken({ store })) ?? "";
  sharedWorkers ??= new PolicyWorkers({ memoryMb: DEFAULT_COMPILE_MEMORY_MB });
  const built = await buildController({
    store,
    log: opts.log ?? "silent",
    ...(opts.settings?.compileMemoryMb === undefined && { policyWorkers: sharedWorkers }),
    ...(opts.clock !== undefined && { clock: opts.clock }),
    ...(opts.processMetrics === true && { processMetrics: true }),
    ...(opts.bus !== undefined && { bus: opts.bus }),
    ...(opts.leaseTimings !== undefined && { leaseTimings: opts.leaseTimings }),
    settings: { management: { v4: ["198.18.0.1/32"], v6: [] }, ...opts.settings },
  });
  /** JSON request; `body` a string is sent as YAML. `auth` false: no header; a string: that one. */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    auth: string | false = token,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly
  ): Promise<{ status: number; body: any; text: string }> {
    const headers: Record<string, string> = {};
    if (auth !== false) headers.authorization = `Bearer ${auth}`;
    let payload: string | undefined;
    if (typeof body === "string") {
      headers["content-type"] = "application/yaml";
      payload = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await built.app.request(path, {
      method,
      headers,
      ...(payload !== undefined && { body: payload }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text };
  }

  /** Creates a profile and enrols an agent; returns its credential and id. */
  async function enrol(
    hostname: string,
    address: string,
    labels: Record<string, string> = {},
    mode = "enforce",
  ) {
    const p = await call("POST", "/api/v1/enrol-profiles", { name: `p-${hostname}`, labels, mode });
    const r = await call(
      "POST",
      "/api/v1/enrol",
      {
        key: p.body.key,
        hostname,
        interfaces: [{ name: "eth0", addresses: [address, "127.0.0.1"] }],
      },
      false,
    );
    if (r.status !== 201) throw new Error(`enrol failed: ${r.text}`);
    return { id: r.body.agentId as string, credential: r.body.credential as string, body: r.body };
  }

  return { ...built, store, token, call, enrol };
}
