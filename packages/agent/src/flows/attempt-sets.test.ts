// Attempt deltas from `nft -j -p list table` output recorded on a real kernel
// (testdata/nft-enforce.json and nft-test.json: a server allowing 198.18.0.2 on tcp/80 and
// udp/53, probed on tcp/81 (denied), over IPv6 (not in the set), with ICMP echo and GRE).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AttemptReader, attemptPort, parseRecordingListing } from "./attempt-sets.js";

const recorded = (name: string) =>
  readFileSync(new URL(`testdata/${name}`, import.meta.url), "utf8");

/** The parts of a listing the tests edit. */
interface Listed {
  set?: {
    name: string;
    size?: number;
    elem?: { elem: { val: { concat: unknown[] }; counter: { packets: number; bytes: number } } }[];
  };
  rule?: { chain: string; expr: { counter?: { packets: number } }[] };
}

/** The listing with one element's counter replaced (a later read of the same table). */
function withCounter(text: string, set: string, port: number, packets: number): string {
  const doc = JSON.parse(text) as { nftables: Listed[] };
  for (const item of doc.nftables) {
    if (item.set?.name !== set) continue;
    for (const e of item.set.elem ?? []) {
      if (e.elem.val.concat[3] === port) e.elem.counter = { packets, bytes: packets * 60 };
    }
  }
  return JSON.stringify(doc);
}

describe("parseRecordingListing", () => {
  it("finds the enforce-mode deny elements and the chains' counters", () => {
    const listing = parseRecordingListing(recorded("nft-enforce.json"));
    const keys = listing.elements.map((e) => `${e.set} ${e.src}>${e.dst} ${e.protocol}/${e.value}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        "flow-deny-in-v4 198.18.0.2>198.18.0.1 6/81",
        "flow-deny-in-v4 198.18.0.2>198.18.0.1 1/2048",
        "flow-deny-in-v4 198.18.0.2>198.18.0.1 47/24930",
        "flow-deny-in-v6 2001:2::2>2001:2::1 6/80",
      ]),
    );
    expect(listing.elements.every((e) => e.kind === "deny")).toBe(true);
    expect(listing.chainPackets.get("flow-deny-in")).toBeGreaterThanOrEqual(4);
    expect(listing.fullChains.size).toBe(0);
  });

  it("maps the 16-bit value to the record's port", () => {
    expect(attemptPort(6, 81)).toBe(81);
    expect(attemptPort(1, 2048)).toBe(8);
    expect(attemptPort(58, 128 << 8)).toBe(128);
    expect(attemptPort(47, 24930)).toBe(0);
  });
});

describe("AttemptReader", () => {
  it("turns the first read into blocked records on the receiving side", () => {
    const reader = new AttemptReader();
    const r = reader.read(parseRecordingListing(recorded("nft-enforce.json")), 1000, 2000);
    const tcp81 = r.observations.find((o) => o.proto === "tcp" && o.port === 81);
    expect(tcp81).toMatchObject({
      side: "in",
      local: "198.18.0.1",
      remote: "198.18.0.2",
      verdict: "blocked",
    });
    expect(tcp81?.count).toBeGreaterThanOrEqual(1);
    expect(r.observations.find((o) => o.proto === "icmp")).toMatchObject({ port: 8, count: 1 });
    expect(r.observations.find((o) => o.proto === "47")).toMatchObject({ port: 0 });
    expect(r.observations.find((o) => o.local === "2001:2::1")).toMatchObject({
      proto: "tcp",
      port: 80,
    });
    expect(r.wouldBlock.size).toBe(0);
    expect(r.unrecorded).toBe(0);
  });

  it("reports only the increase since the last read, and a restarted counter from zero", () => {
    const reader = new AttemptReader();
    const text = recorded("nft-enforce.json");
    const at = (packets: number) =>
      parseRecordingListing(withCounter(text, "flow-deny-in-v4", 81, packets));
    reader.read(at(2), 0, 1000);
    expect(reader.read(at(2), 1000, 2000).observations).toEqual([]);
    const grown = reader.read(at(5), 2000, 3000).observations;
    expect(grown).toHaveLength(1);
    expect(grown[0]).toMatchObject({ port: 81, count: 3, packets: 3, bytes: 180 });
    const restarted = reader.read(at(1), 3000, 4000).observations;
    expect(restarted[0]).toMatchObject({ port: 81, count: 1 });
  });

  it("gives test-mode elements as would-block, and their keys for reclassifying connections", () => {
    const r = new AttemptReader().read(parseRecordingListing(recorded("nft-test.json")), 0, 1);
    expect(r.observations.every((o) => o.verdict === "would-block")).toBe(true);
    expect(r.wouldBlock.has("in|tcp|198.18.0.1|198.18.0.2|81")).toBe(true);
    expect(r.wouldBlock.has("in|tcp|198.18.0.1|198.18.0.2|80")).toBe(false);
  });

  it("counts what a full set could not record", () => {
    const doc = JSON.parse(recorded("nft-enforce.json")) as { nftables: Listed[] };
    for (const item of doc.nftables) {
      if (item.set?.name === "flow-deny-in-v4") item.set.size = item.set.elem?.length;
      const counter = item.rule?.chain === "flow-deny-in" ? item.rule.expr[0]?.counter : undefined;
      if (counter) counter.packets += 10;
    }
    const r = new AttemptReader().read(parseRecordingListing(JSON.stringify(doc)), 0, 1);
    expect(r.unrecorded).toBe(10);
  });
});
