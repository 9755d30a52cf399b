// The wire format of one bus message (JSON, UTF-8):
//
//   { "v": 1, "now": <ms: the publishing replica's clock when it applied the batch>,
//     "observations": [ FlowObservation… ] }
//
// An observation's ends are written as { name, kind } only. The detector hands `now` to the
// engine as it was published, so consuming a message again after a takeover gives the engine
// the same input it gave the first time.
import type { FlowEnd, FlowObservation } from "@microseg/insight";

export interface BusMessage {
  readonly now: number;
  readonly observations: readonly FlowObservation[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMessage(now: number, observations: readonly FlowObservation[]): Uint8Array {
  const plain = observations.map((o) => ({ ...o, from: end(o.from), to: end(o.to) }));
  return encoder.encode(JSON.stringify({ v: 1, now, observations: plain }));
}

/** undefined: not a message of this format (logged and dropped by the consumer). */
export function decodeMessage(data: Uint8Array): BusMessage | undefined {
  try {
    const m = JSON.parse(decoder.decode(data)) as Partial<BusMessage> & { v?: unknown };
    if (m.v !== 1 || typeof m.now !== "number" || !Array.isArray(m.observations)) return undefined;
    return { now: m.now, observations: m.observations };
  } catch {
    return undefined;
  }
}

function end(e: FlowEnd): FlowEnd {
  return { name: e.name, kind: e.kind };
}
