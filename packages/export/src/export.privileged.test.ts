// Round trips in the real kernel: a lab comes up with the native nftables enforcement, its probe
// matrix is recorded, then on every managed host the native table is removed and the exported
// rules (`nft -f` script, or ipset + iptables-restore + ip6tables-restore) are loaded in the
// host's namespace instead. The probe matrix must not change, over IPv4 and IPv6.
// Everything happens inside lab namespaces (mseg-*), which labDown removes.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicy } from "@microseg/core";
import {
  labApplyPolicy,
  labDown,
  labNamespaces,
  labProbe,
  labUp,
  loadScenario,
  type ProbeResult,
  readState,
  workloadsOf,
} from "@microseg/lab";
import { describePrivileged, sh } from "@microseg/nft/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { exportIptables } from "./iptables/iptables-export.js";
import { exportK8s } from "./k8s/k8s-export.js";
import { exportNft } from "./nft/nft-export.js";
import type { ExportInput } from "./types.js";

const SCENARIOS = join(import.meta.dirname, "../../lab/testdata/scenarios");
const EXPORT_SCENARIOS = join(import.meta.dirname, "../testdata/scenarios");

/** The scenario's policy and hosts, as `microseg export` loads them. */
function exportInput(scenarioFile: string): ExportInput {
  const scenario = loadScenario(scenarioFile);
  const workloads = workloadsOf(scenario);
  const sources = scenario.policy.map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const loaded = loadPolicy(sources, { inventory: workloads });
  if (loaded.diagnostics.length > 0) throw new Error(JSON.stringify(loaded.diagnostics));
  return { policy: loaded.policy, workloads };
}

/** Loads a file with `sh FILE` or `nft -f FILE` inside a lab host's namespace (never the root one). */
async function runInHost(
  dir: string,
  host: string,
  script: string,
  loader: "sh" | "nft" = "sh",
): Promise<void> {
  const target = readState(dir)?.hosts.find((h) => h.name === host);
  if (target === undefined || !target.netns.startsWith("mseg-"))
    throw new Error(`no lab host ${host}`);
  const file = join(mkdtempSync(join(tmpdir(), "mseg-export-")), "load.sh");
  writeFileSync(file, script);
  const cmd = loader === "sh" ? ["sh", file] : ["nft", "-f", file];
  await sh("ip", ["netns", "exec", target.netns, ...cmd], 20_000);
}

function allowed(results: readonly ProbeResult[]): string[] {
  return results
    .filter((r) => r.verdict === "allowed")
    .map((r) => `${r.from} -> ${r.to} ${r.port}`)
    .sort();
}

const dir = mkdtempSync(join(tmpdir(), "mseg-lab-state-"));
const CASES = ["labels", "modes", "scopes", "kubernetes"] as const;
const EXPORTERS = { nft: exportNft, iptables: exportIptables } as const;

describePrivileged(
  "export round trip: exported host rules enforce what native enforcement does",
  () => {
    beforeAll(async () => {
      await labDown({ dir });
    });
    afterEach(async () => {
      await labDown({ dir });
      expect(await labNamespaces()).toEqual([]);
    });
    afterAll(async () => {
      await labDown({ dir });
    });

    // One lab per scenario: its native matrix, then the nft export in place of the native table,
    // then the iptables export in place of that (a lab up and its native probes cost more than
    // the exports' loads and probes).
    for (const name of CASES) {
      it(`nft, then iptables: ${name}`, async () => {
        const file = join(SCENARIOS, `${name}.yaml`);
        // direct mode: no agent in the hosts, which would restore its own table over the export
        await labUp(file, { dir, direct: true });
        const native4 = allowed((await labProbe({ dir })).results);
        const native6 = allowed((await labProbe({ dir, family: 6 })).results);
        const input = exportInput(file);
        for (const target of ["nft", "iptables"] as const) {
          for (const host of readState(dir)?.hosts.filter((h) => h.managed) ?? []) {
            const { output, fidelity } = EXPORTERS[target](input, { workload: host.name });
            expect(fidelity.every((f) => f.severity === "exact")).toBe(true);
            // the nft script replaces the table of that name itself; iptables needs it gone
            if (target === "nft") await runInHost(dir, host.name, output, "nft");
            else await runInHost(dir, host.name, `nft delete table inet microseg\n${output}`);
          }
          expect(allowed((await labProbe({ dir })).results), target).toEqual(native4);
          expect(allowed((await labProbe({ dir, family: 6 })).results), target).toEqual(native6);
        }
      });
    }

    // native policy -> NetworkPolicy List -> read back by the Kubernetes import -> same matrix
    for (const file of [
      join(SCENARIOS, "kubernetes.yaml"),
      join(EXPORT_SCENARIOS, "k8s-rich.yaml"),
    ]) {
      it(`k8s: ${file.split("/").pop()}`, async () => {
        await labUp(file, { dir });
        const native4 = allowed((await labProbe({ dir })).results);
        const { output, fidelity } = exportK8s(exportInput(file));
        expect(fidelity.filter((f) => f.severity !== "exact")).toEqual([]);
        const exported = join(mkdtempSync(join(tmpdir(), "mseg-export-")), "netpol.yaml");
        writeFileSync(exported, output);
        await labApplyPolicy([exported], { dir });
        expect(allowed((await labProbe({ dir })).results)).toEqual(native4);
      });
    }
  },
);
