// Entry of a policy worker thread (pool.ts starts it): answers one job at a time, in order.
import { parentPort } from "node:worker_threads";
import { answer, type JobRequest, type WorkerMessage } from "./jobs.js";

const port = parentPort;
if (port === null) throw new Error("compile-worker/worker.js runs only as a worker thread");
port.on("message", (req: JobRequest) => port.postMessage(answer(req)));
port.postMessage({ ready: true } satisfies WorkerMessage);
