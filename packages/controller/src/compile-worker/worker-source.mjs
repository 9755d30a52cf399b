// Entry of a policy worker when the controller runs from TypeScript sources (vitest, tsx):
// Node 20 does not hand a parent's `--import tsx` loader to worker threads, so the worker
// registers tsx itself, then loads worker.ts (pool.ts adds the "source" export condition).
// The built controller starts dist/compile-worker/worker.js instead; this file is not built.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
