// node-postgres, loaded through require. pg is CommonJS and requires pg-pool, whose package
// offers an ESM build under the "import" condition; loaded from an ES module under a loader that
// resolves with "import" (the test runner's), pg's own require would get that ESM build and fail
// ("Class extends value [object Module]"). A plain require resolves pg's dependencies as pg
// expects.
import { createRequire } from "node:module";
import type Pg from "pg";

export const pg: typeof Pg = createRequire(import.meta.url)("pg");
export type { Pg };
