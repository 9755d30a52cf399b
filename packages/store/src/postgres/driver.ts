// node-postgres, in one place: the adapter and the test helpers import it from here.
import pg from "pg";

export type { pg as Pg };
export { pg };
