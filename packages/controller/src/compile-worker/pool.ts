// The policy workers: a small pool of worker threads that run the pure policy work (parse,
// validate and compile a draft, run its tests, diff it, replay and blast radius of a draft), so no
// policy text, however hostile, runs on the thread that serves the API and the agent channel.
//
//   use case ── run(kind, input, timeoutMs) ──> queue ──> idle worker, or a new one (up to `size`)
//                                                            │ {id, kind, input}
//   value, or ApiError <── {id, ok, value | error} ──────────┘
//
// Budgets, per job:
// - TIME: a timer from the moment the job is posted to a started worker. When it fires the worker
//   is terminated (V8 stops JavaScript even in a tight loop) and the job answers
//   MSEG_POLICY_TOO_COMPLEX. Start-up (loading the modules) does not count.
// - MEMORY: each worker's V8 heap is capped (resourceLimits.maxOldGenerationSizeMb). A job that
//   needs more ends its own worker (ERR_WORKER_OUT_OF_MEMORY), never the controller, and answers
//   MSEG_POLICY_TOO_COMPLEX.
// A worker that died is dropped; the next job starts a new one. Workers start lazily, run one job
// at a time each, end after `idleMs` without work, and are unref'd: an idle pool keeps no process
// alive (a running job's timer does).
//
// Entry: the built controller starts ./worker.js next to this module in dist/; from TypeScript
// sources (vitest, tsx) this module's URL ends in .ts and the worker starts ./worker-source.mjs,
// which registers tsx in the thread, with the "source" export condition.
import { Worker } from "node:worker_threads";
import { ApiError } from "@microseg/protocol";
import type { Logger } from "pino";
import {
  errorOf,
  type JobInput,
  type JobKind,
  type JobOutput,
  type JobRequest,
  type WorkerMessage,
} from "./jobs.js";

export const DEFAULT_COMPILE_TIMEOUT_MS = 10_000;
export const DEFAULT_COMPILE_MEMORY_MB = 512;
const DEFAULT_SIZE = 2;
const DEFAULT_IDLE_MS = 60_000;
/** Loading the modules from sources under tsx takes a second or two on a busy machine. */
const START_TIMEOUT_MS = 60_000;

export interface PolicyWorkersOptions {
  /** Heap cap of each worker in MiB: the memory budget of one job. */
  readonly memoryMb: number;
  /** Workers running at most at once (default 2). */
  readonly size?: number;
  /** A worker without a job for this long ends (default 60 s); the next job starts another. */
  readonly idleMs?: number;
  readonly log?: Logger;
}

interface Job {
  readonly request: JobRequest;
  readonly timeoutMs: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
  started?: number;
}

interface Slot {
  readonly worker: Worker;
  readonly startTimer: NodeJS.Timeout;
  ready: boolean;
  job: Job | undefined;
  idleTimer?: NodeJS.Timeout;
}

export class PolicyWorkers {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: PolicyWorkersOptions) {}

  get memoryMb(): number {
    return this.opts.memoryMb;
  }

  /** Workers alive now. */
  get workers(): number {
    return this.slots.size;
  }

  /** Runs a job in a worker within `timeoutMs` and the memory budget. */
  run<K extends JobKind>(kind: K, input: JobInput<K>, timeoutMs: number): Promise<JobOutput<K>> {
    if (this.closed) return Promise.reject(shuttingDown());
    return new Promise((resolve, reject) => {
      const request = { id: this.nextId++, kind, input };
      this.queue.push({ request, timeoutMs, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Refuses queued jobs and terminates every worker (their running jobs answer MSEG_INTERNAL). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(shuttingDown());
    await Promise.all([...this.slots].map((s) => this.drop(s, shuttingDown())));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.idleSlot();
      if (slot === undefined) return;
      clearTimeout(slot.idleTimer);
      slot.job = this.queue.shift();
      if (slot.ready) this.post(slot);
    }
  }

  private idleSlot(): Slot | undefined {
    for (const s of this.slots) if (s.job === undefined) return s;
    return this.slots.size < (this.opts.size ?? DEFAULT_SIZE) ? this.spawn() : undefined;
  }

  private post(slot: Slot): void {
    const job = slot.job;
    if (job === undefined) return;
    job.started = performance.now();
    job.timer = setTimeout(() => {
      void this.drop(slot, tooComplex("time", job.timeoutMs, this.opts.memoryMb));
    }, job.timeoutMs);
    try {
      slot.worker.postMessage(job.request);
    } catch (err) {
      // The input does not clone (a programming error): the worker itself is fine.
      this.settle(slot, { id: job.request.id, ok: false, error: internalOf(err) });
    }
  }

  private spawn(): Slot {
    const worker = startWorker(this.opts.memoryMb);
    worker.unref();
    const startTimer = setTimeout(() => {
      void this.drop(slot, new ApiError("MSEG_INTERNAL", "a policy worker did not start in time"));
    }, START_TIMEOUT_MS);
    const slot: Slot = { worker, startTimer, ready: false, job: undefined };
    this.slots.add(slot);
    worker.on("message", (m: WorkerMessage) => {
      if ("ready" in m) {
        clearTimeout(startTimer);
        slot.ready = true;
        if (slot.job === undefined) this.idle(slot);
        else this.post(slot);
      } else {
        this.settle(slot, m);
      }
    });
    worker.on("error", (err: Error & { code?: string }) => {
      // Out of memory before it started is the pool's problem (a budget too small for the
      // modules), not the job's.
      const budget = err.code === "ERR_WORKER_OUT_OF_MEMORY" && slot.ready;
      const job = slot.job;
      void this.drop(
        slot,
        budget && job !== undefined
          ? tooComplex("memory", job.timeoutMs, this.opts.memoryMb)
          : internalError(err),
      );
    });
    worker.on("exit", (code) => {
      void this.drop(slot, new ApiError("MSEG_INTERNAL", `a policy worker exited (code ${code})`));
    });
    return slot;
  }

  /** A job's answer: the worker is free for the next one. */
  private settle(slot: Slot, m: Exclude<WorkerMessage, { ready: true }>): void {
    const job = slot.job;
    if (job === undefined || job.request.id !== m.id) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    this.opts.log?.debug({ job: job.request.kind, ms: elapsed(job), ok: m.ok }, "policy job");
    if (m.ok) job.resolve(m.value);
    else {
      if (m.error.code === "MSEG_INTERNAL") {
        this.opts.log?.error({ job: job.request.kind, stack: m.error.stack }, m.error.message);
      }
      job.reject(errorOf(m.error));
    }
    this.pump();
    if (slot.job === undefined) this.idle(slot);
  }

  private idle(slot: Slot): void {
    slot.idleTimer = setTimeout(() => {
      if (slot.job === undefined) void this.drop(slot, shuttingDown());
    }, this.opts.idleMs ?? DEFAULT_IDLE_MS);
    slot.idleTimer.unref();
  }

  /** Ends a worker for good: its job (if any) fails with `err`; the next job starts another. */
  private async drop(slot: Slot, err: ApiError): Promise<void> {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.startTimer);
    clearTimeout(slot.idleTimer);
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined) {
      clearTimeout(job.timer);
      const facts = { job: job.request.kind, ms: elapsed(job), code: err.code };
      this.opts.log?.warn({ ...facts, reason: err.message }, "policy job refused; worker replaced");
      job.reject(err);
    }
    if (!this.closed) this.pump();
    await slot.worker.terminate();
  }
}

function startWorker(memoryMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb };
  if (import.meta.url.endsWith(".ts")) {
    const entry = new URL("./worker-source.mjs", import.meta.url);
    return new Worker(entry, { resourceLimits, execArgv: ["--conditions=source"] });
  }
  // No inherited flags: some (--max-old-space-size, --expose-gc) are refused in a worker.
  return new Worker(new URL("./worker.js", import.meta.url), { resourceLimits, execArgv: [] });
}

/** MSEG_POLICY_TOO_COMPLEX naming the budget that was exceeded and the flag that raises it. */
export function tooComplex(budget: "time" | "memory", timeoutMs: number, memoryMb: number) {
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
  const message =
    budget === "time"
      ? `the policy took longer than ${seconds} to compile (the controller's time budget)`
      : `the policy needed more than ${memoryMb} MiB to compile (the controller's memory budget)`;
  const flag = budget === "time" ? "--compile-timeout" : "--compile-memory";
  return new ApiError(
    "MSEG_POLICY_TOO_COMPLEX",
    `${message}; make it smaller (fewer rules, selectors or documents; YAML aliases repeat what they point to), or start the controller with a larger ${flag}`,
    { budget, ...(budget === "time" ? { timeoutMs } : { memoryMb }), flag },
  );
}

function elapsed(job: Job): number | undefined {
  return job.started === undefined ? undefined : Math.round(performance.now() - job.started);
}

function shuttingDown(): ApiError {
  return new ApiError(
    "MSEG_INTERNAL",
    "the controller is shutting down; try again after it restarts",
  );
}

function internalOf(err: unknown) {
  return { code: "MSEG_INTERNAL", message: `a policy job failed: ${String(err)}` };
}

function internalError(err: Error): ApiError {
  return new ApiError("MSEG_INTERNAL", `a policy worker failed: ${err.message}`);
}
