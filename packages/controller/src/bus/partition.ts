// Where a flow observation goes on the bus: one subject per partition, the partition a hash of
// the observation's source, so every contact of one source lands on one subject, in the order
// the replicas published them (what a scan detector needs), whichever replica ingested it.
//
//   subject   microseg.flows.<p>            p = fnv1a32(source name) mod PARTITIONS
//   msg id    <agent id>/<batch seq>/<p>    JetStream drops a second publish of it within the
//                                           stream's duplicate window (a retried batch or publish)
import type { FlowObservation } from "@microseg/insight";

/** Fixed: a change moves sources between subjects (a detector reading all of them is unaffected). */
export const PARTITIONS = 16;
export const SUBJECT_PREFIX = "microseg.flows";
/** Every partition's subject (a consumer's filter, the stream's subjects). */
export const ALL_SUBJECTS = `${SUBJECT_PREFIX}.>`;

/** 32-bit FNV-1a of the UTF-16 code units: the same number on every replica and release. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function partitionOf(source: string, partitions = PARTITIONS): number {
  return fnv1a32(source) % partitions;
}

export function subjectOf(partition: number): string {
  return `${SUBJECT_PREFIX}.${partition}`;
}

/** The de-duplication id of one batch's observations on one partition. */
export function messageId(batchKey: string, partition: number): string {
  return `${batchKey}/${partition}`;
}

/** A batch's observations split by partition of their source, in their order within each. */
export function byPartition(
  observations: readonly FlowObservation[],
  partitions = PARTITIONS,
): Map<number, FlowObservation[]> {
  const out = new Map<number, FlowObservation[]>();
  for (const o of observations) {
    const p = partitionOf(o.from.name, partitions);
    let list = out.get(p);
    if (list === undefined) {
      list = [];
      out.set(p, list);
    }
    list.push(o);
  }
  return out;
}
