// The table dump reader: lines recorded from `conntrack -L -o extended,id` (conntrack 1.4.7;
// tcp/udp over IPv4 and IPv6 from a lab namespace, icmp/icmpv6 in the same format) become NEW
// events without a time; event lines and the summary do not; the runner streams a child's lines.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { conntrackDump } from "./conntrack-dump.js";
import {
  type ConntrackEvent,
  conntrackKey,
  parseConntrackDumpLine,
  parseConntrackLine,
} from "./conntrack-line.js";

const dumpText = readFileSync(new URL("testdata/conntrack-dump.txt", import.meta.url), "utf8");
const lines = dumpText.split("\n").filter((l) => l.trim());

describe("parseConntrackDumpLine", () => {
  const entries = lines.map(parseConntrackDumpLine);

  it("reads a TCP entry as a NEW event with the original direction, port and conntrack id", () => {
    expect(entries[0]).toEqual({
      type: "new",
      atMs: undefined,
      id: 3019271995,
      protocol: 6,
      src: "198.18.0.2",
      dst: "198.18.0.1",
      port: 80,
      packets: 0,
      bytes: 0,
      replied: true,
      reset: false,
    });
  });

  it("reads IPv6, UDP (replied or not) and ICMP (the type, and the last id)", () => {
    expect(entries[1]).toMatchObject({ protocol: 17, src: "2001:2::2", port: 53, id: 2454484843 });
    expect(entries[1]?.replied).toBe(true);
    expect(entries[4]?.replied).toBe(false);
    expect(entries[4]).toMatchObject({ protocol: 17, port: 2001, id: 77 });
    expect(entries[5]).toMatchObject({ protocol: 1, port: 8, id: 2007521398 });
    expect(entries[6]).toMatchObject({ protocol: 58, port: 128, id: 1264853527 });
  });

  it("ignores the summary line, and event lines are not dump lines (nor the reverse)", () => {
    expect(entries[7]).toBeUndefined();
    expect(entries.filter(Boolean)).toHaveLength(7);
    const events = readFileSync(new URL("testdata/conntrack-events.txt", import.meta.url), "utf8");
    for (const l of events.split("\n").filter((x) => x.trim()))
      expect(parseConntrackDumpLine(l)).toBeUndefined();
    for (const l of lines) expect(parseConntrackLine(l)).toBeUndefined();
  });
});

describe("conntrackKey", () => {
  const event =
    "[1795961997.986436]\t    [NEW] ipv4     2 udp      17 30 src=198.18.0.2 dst=198.18.0.1 sport=40001 dport=2001 [UNREPLIED] src=198.18.0.1 dst=198.18.0.2 sport=2001 dport=40001 id=77";

  it("is the same for a connection's event line and its dump line", () => {
    expect(conntrackKey(event)).toBe(77 * 2 ** 21 + ((40001 * 65_599 + 2001) % 2 ** 21));
    expect(conntrackKey(lines[4] ?? "")).toBe(conntrackKey(event));
  });

  it("tells apart two entries that share a conntrack id (a 32-bit hash)", () => {
    const other = (a: string, b: string) => conntrackKey(event.replace(a, b));
    expect(other("sport=40001", "sport=40002")).not.toBe(conntrackKey(event));
    expect(other("dport=2001", "dport=2002")).not.toBe(conntrackKey(event));
  });

  it("uses the last id (not an ICMP id) and no port without ports; none without an id", () => {
    expect(conntrackKey(lines[5] ?? "")).toBe(2007521398 * 2 ** 21);
    expect(conntrackKey(lines[7] ?? "")).toBeUndefined();
  });
});

describe("conntrackDump", () => {
  it("streams the entries a child prints and resolves with their number", async () => {
    const script = `process.stdout.write(${JSON.stringify(dumpText)})`;
    const got: ConntrackEvent[] = [];
    const n = await conntrackDump([process.execPath, "-e", script])((e) => got.push(e));
    expect(n).toBe(7);
    expect(got.map((e) => e.id)).toEqual([
      3019271995, 2454484843, 2135790957, 1430821616, 77, 2007521398, 1264853527,
    ]);
  });

  it("parses only the entries `wanted` asks for, counting all", async () => {
    const script = `process.stdout.write(${JSON.stringify(dumpText)})`;
    const got: ConntrackEvent[] = [];
    const asked: number[] = [];
    const n = await conntrackDump([process.execPath, "-e", script])(
      (e) => got.push(e),
      (key) => asked.push(key) > 0 && key === conntrackKey(lines[4] ?? ""),
    );
    expect(n).toBe(7);
    expect(asked).toHaveLength(7);
    expect(got).toEqual([expect.objectContaining({ id: 77, port: 2001, type: "new" })]);
  });

  it("resolves undefined when the dump cannot run", async () => {
    expect(await conntrackDump(["env", "PATH=/nonexistent"])(() => {})).toBeUndefined();
    expect(await conntrackDump([process.execPath, "-e", "process.exit(1)"])(() => {})).toBe(
      undefined,
    );
  });
});
