// The programs the packages carry, bundled with esbuild from the workspace's TypeScript sources
// (the `source` export condition): one ESM file per program, every npm dependency inside it,
// except better-sqlite3 whose native binding is copied beside the bundle (native.ts).
import { build, type Metafile } from "esbuild";

/** ESM bundles of CommonJS dependencies need `require` for Node's built-in modules. */
const REQUIRE_SHIM =
  "import { createRequire as __microsegRequire } from 'node:module';" +
  "const require = __microsegRequire(import.meta.url);";

export interface Bundle {
  readonly file: string;
  /** npm packages inside the bundle (for the copyright file). */
  readonly packages: readonly string[];
}

export async function bundle(entry: string, outfile: string, external: string[] = []) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    conditions: ["source"],
    external,
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  return { file: outfile, packages: packagesIn(result.metafile) };
}

/** The npm packages whose files went into a bundle, by name (`@scope/name` or `name`). */
export function packagesIn(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) names.add(m[1]);
  }
  return [...names].sort();
}
