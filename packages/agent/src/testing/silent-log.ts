// A pino logger that keeps its records in memory (tests assert on what the agent said).

import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

export interface MemoryLog {
  readonly log: Logger;
  readonly records: Record<string, unknown>[];
}

export function memoryLog(): MemoryLog {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), records };
}
