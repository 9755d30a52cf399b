// Flow collection: what talks to what, from conntrack (allowed) and the ruleset's recording
// sets (blocked, would-block), aggregated, buffered on disk and sent with at-least-once delivery.

export { FlowAggregator, type FlowObservation, flowKey } from "./aggregator.js";
export { AttemptReader, parseRecordingListing } from "./attempt-sets.js";
export { FlowCollector } from "./collector.js";
export { type ConntrackEvent, parseConntrackLine } from "./conntrack-line.js";
export { DEFAULT_FLOW_BUFFER_BYTES, FlowBuffer } from "./flow-buffer.js";
export { FlowSender } from "./flow-sender.js";
export {
  type FlowCollection,
  type FlowCollectionOptions,
  startFlowCollection,
} from "./start-flows.js";
