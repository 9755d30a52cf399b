// Builds the flow collection of one agent: conntrack feed, attempt reader over nft, collector,
// on-disk buffer and sender. Everything runs beside the dataplane, never in its way: a missing
// `conntrack`, an unreadable table or an unreachable controller is logged and contained.
//
//   startFlowCollection(o)
//     ├─ enableAccounting (sysctl net.netfilter.nf_conntrack_acct=1, unless accounting: false)
//     ├─ startConntrackFeed ── `conntrack -E ...` child
//     ├─ FlowBuffer.open(stateDir/flows)
//     ├─ FlowSender ── o.send() (the agent's controller client, once connected)
//     └─ FlowCollector ── every intervalMs: feed + recordingReader (terse ruleset listing in a
//                         long-lived `nft -i` session; the recording sets, forked, only when
//                         their chain's counter moved)

import {
  createNftExec,
  createNftSession,
  DEFAULT_TABLE,
  type NftExec,
  TERSE_LIST_FLAGS,
} from "@microseg/nft";
import type { FlowBatch, FlowBatchAck } from "@microseg/protocol/agent";
import { readHostFacts } from "../host-facts.js";
import { DEFAULT_FLOW_INTERVAL_MS, FlowCollector } from "./collector.js";
import { enableAccounting, startConntrackFeed } from "./conntrack-feed.js";
import { FlowBuffer } from "./flow-buffer.js";
import { FlowSender } from "./flow-sender.js";
import { recordingReader } from "./recording-reader.js";

export interface FlowCollectionOptions {
  readonly stateDir: string;
  /** Flush period (ms); default 1000. */
  readonly intervalMs?: number;
  /** On-disk buffer bound (bytes); default 64 MiB. */
  readonly bufferBytes?: number;
  /** conntrack's netlink buffer (-b); default 32 MiB. */
  readonly conntrackBufferBytes?: number;
  /** Turn on conntrack accounting (packets/bytes); default true. */
  readonly accounting?: boolean;
  /** Run conntrack and nft in this network namespace (tests, bench); default: the agent's own. */
  readonly netns?: string;
  readonly table?: string;
  /**
   * Serves the terse listing (`TERSE_LIST_FLAGS`): the agent's shared nft session. Default: a
   * session of its own, closed on stop.
   */
  readonly terseList?: NftExec;
  /** This host's addresses; default: the interfaces' addresses (re-read every flush). */
  readonly localAddresses?: () => ReadonlySet<string>;
  /** The controller call, or undefined while not connected. */
  readonly send: () => ((batch: FlowBatch) => Promise<FlowBatchAck>) | undefined;
  /** Called for each batch the controller took (metrics). */
  readonly onSent?: (batch: FlowBatch) => void;
  readonly log: {
    debug(o: object, m: string): void;
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

export interface FlowCollection {
  readonly collector: FlowCollector;
  readonly buffer: FlowBuffer;
  readonly sender: FlowSender;
  /** Event lines read, table dumps run after overruns and the lost NEW events they recovered. */
  conntrackStats(): { events: number; resyncs: number; recovered: number };
  /** Final flush into the buffer, then stops the child and the sender. */
  stop(): Promise<void>;
}

export async function startFlowCollection(o: FlowCollectionOptions): Promise<FlowCollection> {
  const prefix = o.netns ? ["ip", "netns", "exec", o.netns] : [];
  if (o.accounting !== false && !(await enableAccounting(prefix))) {
    o.log.warn({}, "conntrack accounting could not be enabled: allowed flows carry no bytes");
  }
  const buffer = await FlowBuffer.open(o.stateDir, { maxBytes: o.bufferBytes, log: o.log });
  const sender = new FlowSender({ buffer, send: o.send, log: o.log, onSent: o.onSent });
  const feed = startConntrackFeed({ prefix, bufferBytes: o.conntrackBufferBytes, log: o.log });
  const own =
    o.terseList === undefined
      ? createNftSession({ flags: TERSE_LIST_FLAGS, netns: o.netns, timeoutMs: 10_000 })
      : undefined;
  const table = o.table ?? DEFAULT_TABLE;
  const collector = new FlowCollector({
    feed,
    readTable: recordingReader(createNftExec(o.netns, 10_000), table, o.terseList ?? own?.exec),
    localAddresses: o.localAddresses ?? hostAddresses,
    buffer,
    onBatch: () => sender.kick(),
    intervalMs: o.intervalMs ?? DEFAULT_FLOW_INTERVAL_MS,
    log: o.log,
  });
  collector.start();
  sender.start();
  o.log.info(
    { intervalMs: o.intervalMs ?? DEFAULT_FLOW_INTERVAL_MS, pending: buffer.pending },
    "flow collection started",
  );
  return {
    collector,
    buffer,
    sender,
    conntrackStats: () => feed.stats(),
    async stop() {
      await collector.stop();
      own?.close();
      feed.stop();
      await sender.stop();
    },
  };
}

/** Every non-loopback address of this host (IPv6 scope suffixes dropped). */
export function hostAddresses(): ReadonlySet<string> {
  const out = new Set<string>();
  for (const i of readHostFacts().interfaces) {
    for (const a of i.addresses) out.add(a.split("%")[0] ?? a);
  }
  return out;
}
