// The recording reader with a fake nft answering from the recorded enforce-mode listing: one
// terse listing per read while nothing is judged, the sets only when their chain's counter moved.

import { readFileSync } from "node:fs";
import type { NftExec } from "@microseg/nft";
import { describe, expect, it } from "vitest";
import { AttemptReader, parseRecordingListing } from "./attempt-sets.js";
import { recordingReader } from "./recording-reader.js";

// biome-ignore lint/suspicious/noExplicitAny: the test edits recorded nft JSON of any shape
type Json = Record<string, any>;
const recorded = JSON.parse(
  readFileSync(new URL("testdata/nft-enforce.json", import.meta.url), "utf8"),
) as { nftables: Json[] };

/** A fake nft over the recorded table; `bump` adds judged packets to flow-deny-in. */
function fakeNft() {
  const calls: string[] = [];
  let extra = 0;
  const state = () => {
    const doc = structuredClone(recorded);
    for (const item of doc.nftables) {
      const c = item.rule?.chain === "flow-deny-in" ? item.rule.expr[0]?.counter : undefined;
      if (c) c.packets += extra;
      if (item.set?.name === "flow-deny-in-v4") {
        for (const e of item.set.elem)
          if (e.elem.val.concat[3] === 81) e.elem.counter.packets += extra;
      }
    }
    return doc.nftables;
  };
  const exec: NftExec = async (args) => {
    calls.push(args.join(" "));
    if (args.includes("ruleset")) {
      const terse = state().map((i) => (i.set ? { set: { ...i.set, elem: undefined } } : i));
      return { code: 0, stdout: JSON.stringify({ nftables: terse }), stderr: "" };
    }
    const name = args.at(-1);
    const set = state().filter((i) => i.set?.name === name);
    return { code: 0, stdout: JSON.stringify({ nftables: set }), stderr: "" };
  };
  return { exec, calls, bump: (n: number) => (extra += n) };
}

describe("recordingReader", () => {
  it("lists the sets on the first read and when a chain's counter moved, else only the ruleset", async () => {
    const nft = fakeNft();
    const read = recordingReader(nft.exec, "microseg");
    const reader = new AttemptReader();
    const take = async () => {
      nft.calls.length = 0;
      const text = await read();
      return reader.read(parseRecordingListing(text ?? "{}"), 0, 1).observations;
    };
    expect((await take()).length).toBeGreaterThan(0);
    expect(nft.calls.filter((c) => c.includes("list set")).length).toBeGreaterThan(0);
    expect(await take()).toEqual([]);
    expect(nft.calls).toEqual(["-j -t list ruleset"]);
    nft.bump(3);
    const moved = await take();
    expect(moved).toEqual([expect.objectContaining({ port: 81, count: 3, verdict: "blocked" })]);
    expect(nft.calls).toEqual([
      "-j -t list ruleset",
      "-j -p list set inet microseg flow-deny-in-v4",
      "-j -p list set inet microseg flow-deny-in-v6",
    ]);
  });

  it("sends the terse listing to the session it is given, the set listings to nft", async () => {
    const nft = fakeNft();
    const session = fakeNft();
    const read = recordingReader(nft.exec, "microseg", session.exec);
    await read();
    nft.calls.length = 0;
    session.calls.length = 0;
    nft.bump(1);
    session.bump(1);
    await read();
    expect(session.calls).toEqual(["-j -t list ruleset"]);
    expect(nft.calls).toEqual([
      "-j -p list set inet microseg flow-deny-in-v4",
      "-j -p list set inet microseg flow-deny-in-v6",
    ]);
  });

  it("answers undefined when the table is not there", async () => {
    const exec: NftExec = async () => ({ code: 0, stdout: '{"nftables":[]}', stderr: "" });
    expect(await recordingReader(exec, "microseg")()).toBeUndefined();
  });
});
