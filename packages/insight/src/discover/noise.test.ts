// Discovery under real-world noise: a sweep of closed ports and a vulnerability scanner touch
// every workload, yet neither decides groups, tiers or labels — only traffic the network
// answered, from sources that are neither declared scanners nor held back, is learned from.
import type { Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import type { FlowEdge, FlowOutcome } from "../flow.js";
import { SCANNER_LABEL, Scanners } from "../scanners.js";
import { edge, workload } from "../testing/estate.js";
import { discoverApplications } from "./discover.js";

let ip = 0;
const w = (name: string, labels: Record<string, string>): Workload =>
  workload(name, labels, `198.18.0.${++ip}`);
const estate = [
  w("lb-1", { app: "shop", role: "lb" }),
  w("web-1", { app: "shop", role: "web" }),
  w("web-2", { app: "shop", role: "web" }),
  w("db-1", { app: "shop", role: "db" }),
  w("db-2", { app: "shop" }),
  w("lurker", {}),
  w("nessus", { [SCANNER_LABEL]: "true" }),
  w("intruder", {}),
];
const scanners = new Scanners(estate);
const as = (e: FlowEdge, outcome: FlowOutcome): FlowEdge => ({ ...e, outcome });

function traffic(): FlowEdge[] {
  const out: FlowEdge[] = [];
  for (const web of ["web-1", "web-2"]) {
    out.push(edge("lb-1", web, "tcp/80", 1000));
    for (const db of ["db-1", "db-2"]) out.push(edge(web, db, "tcp/5432", 800));
  }
  for (const target of ["lb-1", "web-1", "web-2", "db-1", "db-2"]) {
    // a sweep the network refused or left unanswered, heavier than the application's traffic
    for (let p = 1; p <= 30; p++)
      out.push(as(edge("lurker", target, `tcp/${3300 + p}`, 50), "refused"));
    out.push(as(edge("lurker", target, "udp/161", 50), "unanswered"));
    // an authorised scanner, answered on every port it probes
    out.push(as(edge("nessus", target, "tcp/5432", 5000), "established"));
  }
  // an intruder under an open scan alert talks to the databases
  for (const db of ["db-1", "db-2"]) out.push(edge("intruder", db, "tcp/5432", 5000));
  return out;
}

describe("discovery learns only what answered", () => {
  const heldBack = new Map([["intruder", ["al-1"]]]);
  const found = discoverApplications({ edges: traffic(), workloads: estate, scanners, heldBack });
  const groupOf = (name: string) => found.groups.find((g) => g.members.includes(name));

  it("leaves the sweep, the scanner and the held-back source each in a group of its own", () => {
    expect(groupOf("lurker")?.members).toEqual(["lurker"]);
    expect(groupOf("nessus")?.members).toEqual(["nessus"]);
    expect(groupOf("intruder")?.members).toEqual(["intruder"]);
    expect(groupOf("web-1")?.members).toEqual(["db-1", "db-2", "lb-1", "web-1", "web-2"]);
  });

  it("sees no refused port as served and suggests no label from the noise", () => {
    const tiers = groupOf("web-1")?.tiers.map((t) => [t.role, t.services, t.members]);
    expect(tiers).toContainEqual(["db", ["tcp/5432"], ["db-1", "db-2"]]);
    const noisy = found.suggestions.filter((s) =>
      ["lurker", "nessus", "intruder"].includes(s.workload),
    );
    expect(noisy).toEqual([]);
    expect(found.suggestions.find((s) => s.workload === "db-2")).toMatchObject({
      key: "role",
      value: "db",
    });
  });
});
