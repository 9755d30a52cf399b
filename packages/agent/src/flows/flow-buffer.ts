// The on-disk queue of flow batches not yet acknowledged, in the agent's state directory:
//
//   DIR/flows/batch-<seq>.json   one FlowBatch each, written atomically (temp, fsync, rename)
//   DIR/flows/state.json         { nextSeq, dropped }: the sequence survives an empty queue
//                                (the controller ignores a seq it has already applied, so a
//                                restart must never reuse one) and drops not yet reported
//
// Bounded by bytes on disk (default 64 MiB). When a new batch does not fit, the oldest batches
// (never the one being sent) are deleted and their records (and their own `dropped`) are added
// to the next batch's `dropped`: loss is counted, never hidden. Besides metadata, memory holds
// only the newest batches up to CACHE_BYTES (the usual case: sent right after it was written);
// older ones are read back from their file when they are sent.

import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { FlowBatch, FlowTuple } from "@microseg/protocol/agent";
import { writeAtomic } from "../state-store.js";

export const DEFAULT_FLOW_BUFFER_BYTES = 64 * 1024 * 1024;
const CACHE_BYTES = 4 * 1024 * 1024;

interface Entry {
  readonly seq: number;
  readonly bytes: number;
  readonly records: number;
  readonly dropped: number;
}

export interface FlowBufferOptions {
  /** Bytes on disk for all batches together; default 64 MiB. */
  readonly maxBytes?: number;
  readonly log?: { warn(o: object, m: string): void };
}

const BATCH_FILE = /^batch-(\d+)\.json$/;

export class FlowBuffer {
  private readonly entries: Entry[] = [];
  private totalBytes = 0;
  private nextSeq = 1;
  private pendingDropped = 0;
  /** The batch being sent: never deleted to make room. */
  private sending: number | undefined;
  /** Batches still in memory (written by this process), and their size. */
  private readonly cache = new Map<number, { batch: FlowBatch; bytes: number }>();
  private cacheBytes = 0;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly log?: FlowBufferOptions["log"],
  ) {}

  /** Opens (creates) DIR and loads what a previous run left; unreadable batches are counted. */
  static async open(stateDir: string, o: FlowBufferOptions = {}): Promise<FlowBuffer> {
    const dir = join(stateDir, "flows");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const buffer = new FlowBuffer(dir, o.maxBytes ?? DEFAULT_FLOW_BUFFER_BYTES, o.log);
    await buffer.load();
    return buffer;
  }

  /** Batches waiting, oldest first. */
  get pending(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Dropped records not yet carried by a batch. */
  get dropped(): number {
    return this.pendingDropped;
  }

  /** Adds a batch with the next seq; `dropped` (lost elsewhere) rides along with it. */
  async append(records: readonly FlowTuple[], dropped = 0): Promise<FlowBatch> {
    const seq = this.nextSeq;
    const draft = (extra: number): FlowBatch => {
      const total = this.pendingDropped + dropped + extra;
      return total > 0 ? { seq, records, dropped: total } : { seq, records };
    };
    let text = JSON.stringify(draft(0));
    let freed = 0;
    while (this.totalBytes + text.length > this.maxBytes) {
      const victim = this.entries.find((e) => e.seq !== this.sending);
      if (!victim) break;
      freed += victim.records + victim.dropped;
      await this.delete(victim);
      text = JSON.stringify(draft(freed));
    }
    if (this.totalBytes + text.length > this.maxBytes) {
      // Nothing left to make room with: this batch is the loss (it never reaches the disk).
      this.pendingDropped += dropped + freed + records.length;
      this.nextSeq = seq + 1;
      await this.saveState();
      this.log?.warn({ records: records.length }, "flow buffer full: batch dropped (counted)");
      return { seq, records: [], dropped: this.pendingDropped };
    }
    if (freed > 0) this.log?.warn({ dropped: freed }, "flow buffer full: oldest batches dropped");
    const batch = draft(freed);
    await writeAtomic(this.file(seq), text);
    this.entries.push({
      seq,
      bytes: text.length,
      records: records.length,
      dropped: batch.dropped ?? 0,
    });
    this.totalBytes += text.length;
    this.remember(batch, text.length);
    this.nextSeq = seq + 1;
    const hadDropped = this.pendingDropped > 0 || freed > 0;
    this.pendingDropped = 0;
    if (hadDropped) await this.saveState();
    return batch;
  }

  /** The oldest batch (read from disk) and marks it as being sent; undefined when empty. */
  async oldest(): Promise<FlowBatch | undefined> {
    const entry = this.entries[0];
    if (!entry) return undefined;
    this.sending = entry.seq;
    const cached = this.cache.get(entry.seq)?.batch;
    return cached ?? (JSON.parse(await readFile(this.file(entry.seq), "utf8")) as FlowBatch);
  }

  /** The controller acknowledged `seq`: its file goes. */
  async acknowledge(seq: number): Promise<void> {
    if (this.sending === seq) this.sending = undefined;
    const entry = this.entries.find((e) => e.seq === seq);
    if (entry) await this.delete(entry);
    if (this.entries.length === 0) await this.saveState();
  }

  /** The controller refused `seq` for good: it goes, and its records count as dropped. */
  async discard(seq: number): Promise<void> {
    const entry = this.entries.find((e) => e.seq === seq);
    if (!entry) return;
    if (this.sending === seq) this.sending = undefined;
    this.pendingDropped += entry.records + entry.dropped;
    await this.delete(entry);
    await this.saveState();
  }

  /** Keeps the newest batches in memory; the oldest cached go first when over CACHE_BYTES. */
  private remember(batch: FlowBatch, bytes: number): void {
    this.cache.set(batch.seq, { batch, bytes });
    this.cacheBytes += bytes;
    for (const [seq, c] of this.cache) {
      if (this.cacheBytes <= CACHE_BYTES) break;
      this.cache.delete(seq);
      this.cacheBytes -= c.bytes;
    }
  }

  private async delete(entry: Entry): Promise<void> {
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    this.totalBytes -= entry.bytes;
    const cached = this.cache.get(entry.seq);
    if (cached) {
      this.cache.delete(entry.seq);
      this.cacheBytes -= cached.bytes;
    }
    await rm(this.file(entry.seq), { force: true });
  }

  private file(seq: number): string {
    return join(this.dir, `batch-${String(seq).padStart(12, "0")}.json`);
  }

  private async saveState(): Promise<void> {
    const state = { nextSeq: this.nextSeq, dropped: this.pendingDropped };
    await writeAtomic(join(this.dir, "state.json"), JSON.stringify(state));
  }

  private async load(): Promise<void> {
    const state = await readFile(join(this.dir, "state.json"), "utf8")
      .then((t) => JSON.parse(t) as { nextSeq?: number; dropped?: number })
      .catch(() => ({}) as { nextSeq?: number; dropped?: number });
    this.nextSeq = Math.max(1, Number(state.nextSeq) || 1);
    this.pendingDropped = Math.max(0, Number(state.dropped) || 0);
    const names = (await readdir(this.dir)).filter((n) => BATCH_FILE.test(n)).sort();
    for (const name of names) {
      const seq = Number(BATCH_FILE.exec(name)?.[1]);
      const text = await readFile(join(this.dir, name), "utf8");
      try {
        const batch = JSON.parse(text) as FlowBatch;
        if (batch.seq !== seq || !Array.isArray(batch.records)) throw new Error("wrong shape");
        const entry = {
          seq,
          bytes: text.length,
          records: batch.records.length,
          dropped: batch.dropped ?? 0,
        };
        this.entries.push(entry);
        this.totalBytes += text.length;
      } catch (e) {
        this.log?.warn(
          { file: name, error: (e as Error).message },
          "unreadable flow batch removed",
        );
        await rm(join(this.dir, name), { force: true });
      }
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }
}
