import { defineConfig } from "vitest/config";

// Tests run against TypeScript sources: the "source" export condition points each workspace
// package at src/ instead of dist/.
const conditions = ["source", "module", "node", "import", "default"];
// Vitest hands ssr.resolve.conditions to Node (--conditions) for external packages, where they
// apply to require() too: "import" there made a CommonJS package (pg) require the ESM build of
// its dependency (pg-pool). Vite adds "import"/"require" by how a module is loaded, so the SSR
// list leaves both out.
const ssrConditions = ["source", "module", "node", "development|production"];
const everywhere = ["packages/*/src/**/", "bench/**/", "test/**/"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: ssrConditions, externalConditions: ["source"] } },
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: everywhere.map((d) => `${d}*.test.ts`),
          exclude: ["**/*.privileged.test.ts", "**/node_modules/**"],
        },
      },
      {
        // Need root, nftables and network namespaces. They share the machine's namespaces, so
        // files run one at a time.
        extends: true,
        test: {
          name: "privileged",
          include: everywhere.map((d) => `${d}*.privileged.test.ts`),
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
        },
      },
    ],
  },
});
