// Round trips in the real kernel: a lab comes up with the native nftables enforcement, its probe
// matrix is recorded, then on every managed host the native table is removed and the exported
// rules (`nft -f` script, or ipset + iptables-restore + ip6tables-restore) are loaded in the
// host's namespace instead. The probe matrix must not change, over IPv4 and IPv6.
// Everything happens inside lab namespaces (mseg-*), which labDown removes.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labApplyPolicy, labDown, labNamespaces, labProbe, labUp, readState } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { exportIptables } from "./iptables/iptables-export.js";
import { exportK8s } from "./k8s/k8s-export.js";
import { exportNft } from "./nft/nft-export.js";
import {
  allowed,
  EXPORT_SCENARIOS,
  exportInput,
  runInHost,
  SCENARIOS,
} from "./round-trip.test-helpers.js";

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

    for (const target of ["nft", "iptables"] as const) {
      for (const name of CASES) {
        it(`${target}: ${name}`, async () => {
          const file = join(SCENARIOS, `${name}.yaml`);
          await labUp(file, { dir });
          const native4 = allowed((await labProbe({ dir })).results);
          const native6 = allowed((await labProbe({ dir, family: 6 })).results);
          const input = exportInput(file);
          for (const host of readState(dir)?.hosts.filter((h) => h.managed) ?? []) {
            const { output, fidelity } = EXPORTERS[target](input, { workload: host.name });
            expect(fidelity.every((f) => f.severity === "exact")).toBe(true);
            // the nft script replaces the native table itself; iptables needs it gone first
            if (target === "nft") await runInHost(dir, host.name, output, "nft");
            else await runInHost(dir, host.name, `nft delete table inet microseg\n${output}`);
          }
          expect(allowed((await labProbe({ dir })).results)).toEqual(native4);
          expect(allowed((await labProbe({ dir, family: 6 })).results)).toEqual(native6);
        });
      }
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
