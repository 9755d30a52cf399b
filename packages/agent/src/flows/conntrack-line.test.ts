// The conntrack line parser on lines recorded from conntrack 1.4.7 (testdata/conntrack-events.txt:
// IPv4 + IPv6, tcp/udp/icmp/icmpv6/gre, NEW and DESTROY with accounting).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConntrackLine } from "./conntrack-line.js";

const lines = readFileSync(new URL("testdata/conntrack-events.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim());

describe("parseConntrackLine", () => {
  const events = lines.map(parseConntrackLine);

  it("reads the original direction and destination port of a new TCP connection", () => {
    expect(events[0]).toEqual({
      type: "new",
      atMs: 1795961997986,
      id: 1445459803,
      protocol: 6,
      src: "198.18.0.2",
      dst: "198.18.0.1",
      port: 80,
      packets: 0,
      bytes: 0,
      replied: false,
      reset: false,
    });
  });

  it("reads UDP and IPv6", () => {
    expect(events[1]).toMatchObject({ protocol: 17, port: 53, src: "198.18.0.2" });
    expect(events[2]).toMatchObject({ protocol: 6, src: "2001:2::2", dst: "2001:2::1", port: 80 });
    expect(events[3]).toMatchObject({ protocol: 17, src: "2001:2::2", port: 53 });
  });

  it("takes the ICMP type as the port and the last id= as the conntrack id", () => {
    expect(events[4]).toMatchObject({ protocol: 1, port: 8, id: 2007521398 });
    expect(events[5]).toMatchObject({ protocol: 58, port: 128, id: 1264853527 });
  });

  it("gives other protocols port 0", () => {
    expect(events[6]).toMatchObject({ type: "new", protocol: 47, port: 0, id: 95155625 });
  });

  it("sums packets and bytes of both directions on DESTROY", () => {
    expect(events[7]).toMatchObject({
      type: "destroy",
      id: 3907871153,
      port: 80,
      packets: 7,
      bytes: 523,
    });
    expect(events[10]).toMatchObject({ type: "destroy", packets: 7, bytes: 383, port: 80 });
    expect(events[8]).toMatchObject({ protocol: 47, packets: 1, bytes: 24 });
  });

  it("ignores notices, empty and broken lines", () => {
    expect(events[11]).toBeUndefined();
    expect(parseConntrackLine("")).toBeUndefined();
    expect(parseConntrackLine("[NEW] ipv4 2 tcp 6 120 SYN_SENT sport=1")).toBeUndefined();
  });

  describe("what the network answered (testdata/conntrack-outcomes.txt)", () => {
    const outcomes = readFileSync(
      new URL("testdata/conntrack-outcomes.txt", import.meta.url),
      "utf8",
    )
      .split("\n")
      .filter((l) => l.trim())
      .map(parseConntrackLine);

    it("reads the first reply as an UPDATE that is replied", () => {
      expect(outcomes[0]).toMatchObject({ type: "new", replied: false, id: 1088906053 });
      expect(outcomes[1]).toMatchObject({
        type: "update",
        replied: true,
        reset: false,
        id: 1088906053,
        port: 80,
      });
      expect(outcomes[5]).toMatchObject({ type: "update", protocol: 17, replied: true });
    });

    it("tells a TCP reset from a DESTROY of an unanswered connection", () => {
      expect(outcomes[3]).toMatchObject({ type: "destroy", replied: false, reset: true, port: 81 });
      const timedOut = parseConntrackLine(
        "[DESTROY] ipv4 2 tcp 6 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=22 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1 id=7",
      );
      expect(timedOut).toMatchObject({ type: "destroy", replied: false, reset: false });
      const closed = parseConntrackLine(
        "[DESTROY] ipv4 2 tcp 6 CLOSE src=10.0.0.1 dst=10.0.0.2 sport=1 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1 [ASSURED] id=7",
      );
      expect(closed).toMatchObject({ type: "destroy", replied: true, reset: false });
    });

    it("reads UDP and IPv6 without a reply", () => {
      expect(outcomes[6]).toMatchObject({ type: "new", protocol: 17, port: 55, replied: false });
      expect(outcomes[7]).toMatchObject({ src: "2001:2::2", port: 55, replied: false });
    });
  });

  it("parses a line without the timestamp", () => {
    const e = parseConntrackLine(
      "    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=22 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=22 dport=1 id=7",
    );
    expect(e).toMatchObject({ type: "new", atMs: undefined, port: 22, id: 7 });
  });
});
