// A Store whose every repository call is timed: `observe("flows.applyBatches", seconds)` when the
// call settles (resolved or rejected). Results, errors and `this` are the store's own; only the
// repositories are wrapped (info() and close() pass through). build.ts hands this to everything
// in the controller, so the flow ingest commit, policy provision and the rest are all measured.
import type { Store } from "@microseg/store";

const REPOS = new Set<PropertyKey>([
  "workloads",
  "policy",
  "enrolment",
  "agents",
  "tokens",
  "audit",
  "flows",
  "alerts",
  "quarantine",
]);

export type StoreObserver = (operation: string, seconds: number) => void;

export function timedStore(store: Store, observe: StoreObserver): Store {
  const repos = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (!REPOS.has(prop) || typeof value !== "object" || value === null) {
        return typeof value === "function" ? value.bind(target) : value;
      }
      let repo = repos.get(prop);
      if (repo === undefined) {
        repo = timedRepo(String(prop), value, observe);
        repos.set(prop, repo);
      }
      return repo;
    },
  });
}

function timedRepo(name: string, repo: object, observe: StoreObserver): object {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      let timed = methods.get(prop);
      if (timed === undefined) {
        const operation = `${name}.${String(prop)}`;
        timed = (...args: unknown[]) => {
          const t0 = performance.now();
          const done = () => observe(operation, (performance.now() - t0) / 1000);
          const out: unknown = value.apply(target, args);
          if (out instanceof Promise) return out.finally(done);
          done();
          return out;
        };
        methods.set(prop, timed);
      }
      return timed;
    },
  });
}
