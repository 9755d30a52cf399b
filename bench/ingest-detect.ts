// Benchmark: the slowdown detection adds to the controller's real flow ingest, both measured in
// the same run on the same batches (bench/flow-ingest's builders), interleaved rounds.
//   node --import tsx bench/ingest-detect.ts [--rounds=11] [--scan-share=0.01] [--scenario=busy|small]
//                                      [--workloads=3000] [--batches=6] [--peers=400]
//
//   alone      ingestFlows into SQLite (temp dir), no flow listener: the feed builds no
//              observations                                                  records/s
//   detection  the same with the DetectionService subscribed to the feed, built as
//              buildController builds it (default thresholds, baseline from the stored
//              history), alerts flushed to the store                          records/s, slowdown
//   the slowdown is also given in CPU time of the process (process.cpuUsage): on a shared
//   machine, wall time measures the neighbours too
//
// Scenarios: a busy service (50,000-record batches from one agent) and small batches from many
// agents (50 records, 200 at once). A share of the records (default 1%) is scan-like: a vertical
// scan of the reporting workload from outside and a horizontal smb/rdp/ssh sweep from it.
// Target: slowdown <= 15%. Exit code 1 when a scenario misses it.

import { join } from "node:path";
import { runMeasure } from "./flow-ingest/run-measure.js";

runMeasure(join(import.meta.dirname, "ingest-detect", "measure.ts"));
