import { describe, expect, it } from "vitest";
import { seededRandom as prng } from "../random.js";
import {
  addressSetContains,
  cidrsToRanges,
  intersectFamilyRanges,
  ipBlockRanges,
  parseAddress,
  parseCidr,
  rangesContain,
  rangesToAddressSet,
  rangeToCidrs,
  subtractRanges,
} from "./index.js";

const set = (include: string[], except: string[] = []) =>
  rangesToAddressSet(ipBlockRanges(include, except));

describe("parse", () => {
  it("parses IPv4 and IPv6 addresses and CIDRs", () => {
    expect(parseAddress("198.18.0.1")).toEqual({ family: 4, value: 0xc6120001n });
    expect(parseAddress("::1")).toEqual({ family: 6, value: 1n });
    expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, lo: 0x0a000000n, hi: 0x0affffffn });
    expect(parseCidr("2001:db8::/32")?.hi).toBe((0x20010db8n << 96n) | ((1n << 96n) - 1n));
  });
  it("rejects what is not an address", () => {
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "10.0.0.0/33",
      "::1/129",
      "x",
      "1.2.3.4/",
      "::g",
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

describe("normalization", () => {
  it("merges adjacent and overlapping CIDRs into the minimal cover", () => {
    expect(set(["10.0.0.0/25", "10.0.0.128/25", "10.0.0.5"]).v4).toEqual(["10.0.0.0/24"]);
    expect(set(["198.18.0.2", "198.18.0.1", "198.18.0.3"]).v4).toEqual([
      "198.18.0.1/32",
      "198.18.0.2/31",
    ]);
    expect(set(["0.0.0.0/0", "10.0.0.0/8"]).v4).toEqual(["0.0.0.0/0"]);
  });
  it("subtracts exceptions exactly", () => {
    expect(set(["10.0.0.0/8"], ["10.1.0.0/16"]).v4).toEqual([
      "10.0.0.0/16",
      "10.2.0.0/15",
      "10.4.0.0/14",
      "10.8.0.0/13",
      "10.16.0.0/12",
      "10.32.0.0/11",
      "10.64.0.0/10",
      "10.128.0.0/9",
    ]);
    expect(set(["10.0.0.0/30"], ["10.0.0.0/30"]).v4).toEqual([]);
    expect(set(["10.0.0.0/30"], ["10.0.0.1", "10.0.0.2"]).v4).toEqual([
      "10.0.0.0/32",
      "10.0.0.3/32",
    ]);
  });
  it("handles IPv6 with RFC 5952 text and keeps families apart", () => {
    const s = set(["2001:db8::/64", "198.18.0.0/31"], ["2001:db8::1", "198.18.0.1"]);
    expect(s.v4).toEqual(["198.18.0.0/32"]);
    expect(s.v6[0]).toBe("2001:db8::/128");
    expect(s.v6.length).toBe(64);
    expect(set(["::/0"], ["::/1"]).v6).toEqual(["8000::/1"]);
  });
  it("covers the full address space edges", () => {
    expect(set(["255.255.255.255"]).v4).toEqual(["255.255.255.255/32"]);
    expect(rangeToCidrs({ lo: 0n, hi: 0xffffffffn }, 4)).toEqual(["0.0.0.0/0"]);
    expect(set(["0.0.0.0/0"], ["0.0.0.0", "255.255.255.255"]).v4.length).toBe(62);
  });
  it("answers membership", () => {
    const s = set(["10.0.0.0/8"], ["10.1.0.0/16"]);
    expect(addressSetContains(s, "10.2.3.4")).toBe(true);
    expect(addressSetContains(s, "10.1.3.4")).toBe(false);
    expect(addressSetContains(s, "::1")).toBe(false);
  });
});

describe("against brute force over a small space", () => {
  // Addresses 10.0.0.0-10.0.0.255 (v4) and 2001:db8::0-ff (v6): enumerate and compare.
  const base4 = 0x0a000000;
  const randomCidr = (rnd: () => number, v6: boolean) => {
    const len = 24 + Math.floor(rnd() * 9);
    const host = Math.floor(rnd() * 256);
    return v6 ? `2001:db8::${host.toString(16)}/${len + 96}` : `10.0.0.${host}/${len}`;
  };
  for (const v6 of [false, true]) {
    it(`include minus except, re-parsed, equals enumeration (${v6 ? "IPv6" : "IPv4"})`, () => {
      const rnd = prng(v6 ? 7 : 3);
      for (let round = 0; round < 300; round++) {
        const inc = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => randomCidr(rnd, v6));
        const exc = Array.from({ length: Math.floor(rnd() * 4) }, () => randomCidr(rnd, v6));
        const offset = v6 ? 0x20010db8n << 96n : BigInt(base4);
        const parsedInc = inc.map((c) => parseCidr(c));
        const parsedExc = exc.map((c) => parseCidr(c));
        const expected = new Set<number>();
        for (let h = 0; h < 256; h++) {
          const a = offset + BigInt(h);
          const inIt = (r: ReturnType<typeof parseCidr>) =>
            r !== undefined && a >= r.lo && a <= r.hi;
          if (parsedInc.some(inIt) && !parsedExc.some(inIt)) expected.add(h);
        }
        const out = set(inc, exc);
        const list = v6 ? out.v6 : out.v4;
        const reparsed = cidrsToRanges(list)[v6 ? "v6" : "v4"];
        const got = Array.from({ length: 256 }, (_, h) =>
          rangesContain(reparsed, offset + BigInt(h)),
        );
        expect(got).toEqual(Array.from({ length: 256 }, (_, h) => expected.has(h)));
        // Minimal and non-overlapping: re-normalizing changes nothing, blocks never touch-merge.
        expect(rangesToAddressSet(cidrsToRanges([...out.v4, ...out.v6]))).toEqual(out);
      }
    });
  }
  it("subtractRanges with many cuts", () => {
    const a = [{ lo: 0n, hi: 100n }];
    const b = [
      { lo: 0n, hi: 0n },
      { lo: 10n, hi: 20n },
      { lo: 100n, hi: 200n },
    ];
    expect(subtractRanges(a, b)).toEqual([
      { lo: 1n, hi: 9n },
      { lo: 21n, hi: 99n },
    ]);
  });
});

describe("intersectFamilyRanges", () => {
  it("agrees with address-by-address membership on random IPv4 blocks", () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const block = () => `10.0.${rand(4)}.${rand(16) * 16}/${28 + rand(5)}`;
    for (let round = 0; round < 200; round++) {
      const a = cidrsToRanges(Array.from({ length: 1 + rand(4) }, block));
      const b = cidrsToRanges(Array.from({ length: 1 + rand(4) }, block));
      const both = intersectFamilyRanges(a, b);
      for (let v = 0x0a000000n; v < 0x0a000400n; v++) {
        const expected = rangesContain(a.v4, v) && rangesContain(b.v4, v);
        expect(rangesContain(both.v4, v)).toBe(expected);
      }
    }
  });
});
