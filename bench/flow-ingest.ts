// Benchmark: the controller's flow ingest, end to end on one core, against plain JSON.parse of
// the same bytes measured in the same run.
//   node --import tsx bench/flow-ingest.ts [--workloads=3000] [--batches=2] [--rounds=5] [--peers=400]
//                                    [--scenario=busy|worst|small] [--sync=full|normal]
//                                    [--outcomes] [--store=sqlite|postgres]
//
//   baseline  JSON.parse(text)                                     records/s
//   ingest    JSON.parse + checkFlowBatch + resolve + side rules + aggregate + attribute +
//             store.flows.applyBatch on SQLite (temp dir, WAL,     records/s, ratio to baseline
//             synchronous FULL, or NORMAL with --sync=normal), or
//             on PostgreSQL with --store=postgres (a throwaway local server, fsync on)
//   memory    heap per live aggregated edge in the ingest's EdgeAggregator (--expose-gc)
//   rows      bytes per flow edge row in the SQLite file (table + indexes, dbstat)
//
// Batches are MAX_FLOW_RECORDS (50,000) records each, from one agent whose workload talks to a
// few thousand workloads and outside addresses over the last three hours. Records have 11
// elements, as agents from before outcomes send; with --outcomes, 12 (mostly established, some
// refused or unanswered), and the rows measured count some refused and unanswered connections.

import { join } from "node:path";
import { runMeasure } from "./flow-ingest/run-measure.js";

runMeasure(join(import.meta.dirname, "flow-ingest", "measure.ts"));
