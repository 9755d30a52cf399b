// Syslog lines read back by a CEF parser that is not ours: liblognorm's `cef` field type (the
// normaliser behind rsyslog's mmnormalize; Debian package liblognorm-utils, `lognormalizer`).
// It implements the CEF escapes strictly (header `\|` `\\`; extension `\=` `\\` `\n` `\r`) and
// keeps leading and trailing spaces of a value, so every field must come back exactly as it was
// written — hostile summaries included (pipes, equals signs, backslashes before n, line breaks,
// `key=value` look-alikes, spaces, emoji, control characters).
//
// liblognorm 2.0.6 (Debian 12) drops the first character of the first extension key when no
// space follows the header (upstream issue #363, fixed after 2.0.6); the CEF spec allows that
// space, so the lines are given to it with one inserted there. Nothing else is changed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertRecord } from "@microseg/store";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cefExtension, cefName, syslogLine } from "./cef.js";

const have = spawnSync("lognormalizer", ["-V"]).error === undefined;
if (!have && process.env.CI === "true") {
  throw new Error("lognormalizer is missing: apt-get install liblognorm-utils (.ci/run does)");
}

const RULES = `version=2
rule=:<%pri:number%>1 %time:word% %host:word% %app:word% - - - %cef:cef%
`;

interface Parsed {
  readonly pri: string;
  readonly time: string;
  readonly host: string;
  readonly app: string;
  readonly cef: {
    readonly DeviceVendor: string;
    readonly DeviceProduct: string;
    readonly DeviceVersion: string;
    readonly SignatureID: string;
    readonly Name: string;
    readonly Severity: string;
    readonly Extensions: Record<string, string>;
  };
}

/** Every line through one lognormalizer run; one JSON object per line, in order. */
function lognormalize(lines: readonly string[]): Parsed[] {
  const dir = mkdtempSync(join(tmpdir(), "mseg-cef-"));
  try {
    writeFileSync(join(dir, "syslog-cef.rb"), RULES);
    const input = `${lines.map(spaceAfterHeader).join("\n")}\n`;
    const out = spawnSync("lognormalizer", ["-r", join(dir, "syslog-cef.rb"), "-e", "json"], {
      input,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (out.status !== 0) throw new Error(`lognormalizer: ${out.stderr}`);
    return out.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Parsed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A space after the seventh unescaped `|` of the CEF part (liblognorm 2.0.6, see the top). */
function spaceAfterHeader(line: string): string {
  let pipes = 0;
  for (let i = line.indexOf("CEF:"); i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "|" && ++pipes === 7)
      return `${line.slice(0, i + 1)} ${line.slice(i + 1)}`;
  }
  return line;
}

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function alert(over: Partial<AlertRecord>): AlertRecord {
  return {
    id: "al-mx1seio0-1f43378a",
    kind: "lateral-movement",
    severity: "high",
    source: "web-1",
    targets: ["db-1", "198.18.1.99"],
    at: new Date(T0).toISOString(),
    lastAt: new Date(T0 + 5000).toISOString(),
    summary: "web-1 opened connections no policy or baseline explains to db-1 on tcp/445",
    incident: "in-mx1seio0-76b7b71f",
    evidence: {
      flows: [
        {
          from: "web-1",
          to: "198.18.1.99",
          port: "tcp/445",
          verdict: "allowed",
          count: 3,
          at: new Date(T0 + 5000).toISOString(),
        },
      ],
    },
    status: "open",
    count: 4,
    ...over,
  };
}

const HOSTILE = [
  "a|b\\c=d\nnext",
  "x src=6.6.6.6 act=allowed cs1=forged",
  "ends in a backslash \\",
  "\\n is not a line break, \\= is not an escape, \\\\ is two",
  "  leading and trailing spaces  ",
  "crlf\r\nand cr\rand lf\n",
  "= at the start",
  "|pipes|all|the|way|",
  "control \u0000 nul \u0007 bell \t tab \u001b[31m escape",
  "unicode: é € 🦀 中文",
  "key=",
  "msg=msg=msg",
];

// Control characters other than line breaks become spaces (cef.ts): CEF has no escape for them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the writer replaces
const written = (s: string) => s.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g, " ");

/** Summaries built from the characters escaping is about, and any printable text. */
const summaries = fc.oneof(
  fc
    .array(
      fc.constantFrom(
        ..."\\|= \n\r\tanrk".split(""),
        "\\n",
        "\\=",
        " src=",
        "k=v ",
        "é",
        "🦀",
        "\u0000",
      ),
      { minLength: 1, maxLength: 40 },
    )
    .map((xs) => xs.join("")),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
);

describe.skipIf(!have)("CEF read back by liblognorm", () => {
  it("every header field and extension value comes back as written, hostile summaries too", () => {
    const random = fc.sample(summaries, { numRuns: 400, seed: 20261207 });
    const alerts = [
      ...[...HOSTILE, ...random].map((summary, i) => alert({ summary, count: i + 1 })),
      alert({ kind: "scan", source: "203.0.113.66", severity: "medium" }),
      alert({ kind: "decoy", severity: "critical", targets: ["honey"] }),
      alert({ kind: "enforcement-gap", source: "web-9", targets: [], evidence: {} }),
      alert({ source: "2001:db8::66", severity: "low" }),
    ];
    const lines = alerts.map((a) => syslogLine(a, "0.1.0", "ctl-1", new Date(T0 + 6000)));
    const parsed = lognormalize(lines);
    expect(parsed).toHaveLength(alerts.length);
    for (const [i, a] of alerts.entries()) {
      const p = parsed[i] as Parsed;
      expect(p.cef, lines[i]).toBeDefined();
      expect([p.pri, p.time, p.host, p.app]).toEqual([
        String(20 * 8 + { critical: 2, high: 3, medium: 4, low: 5 }[a.severity]),
        new Date(T0 + 6000).toISOString(),
        "ctl-1",
        "microseg",
      ]);
      expect(p.cef).toMatchObject({
        DeviceVendor: "microseg",
        DeviceProduct: "microseg",
        DeviceVersion: "0.1.0",
        SignatureID: a.kind,
        Name: cefName(a.kind),
        Severity: String({ critical: 10, high: 8, medium: 5, low: 3 }[a.severity]),
      });
      expect(p.cef.Extensions, lines[i]).toEqual(
        Object.fromEntries(cefExtension(a).map(([k, v]) => [k, written(v)])),
      );
      expect(p.cef.Extensions.msg).toBe(written(a.summary));
    }
  });

  it("the values are the alert's: id, times, count, source, latest flow, labels", () => {
    const a = alert({});
    const [p] = lognormalize([syslogLine(a, "0.1.0", "ctl-1", new Date(T0 + 6000))]);
    expect(p?.cef.Extensions).toEqual({
      externalId: a.id,
      cat: "lateral-movement",
      rt: String(T0 + 5000),
      start: String(T0),
      end: String(T0 + 5000),
      cnt: "4",
      shost: "web-1",
      dst: "198.18.1.99",
      dpt: "445",
      proto: "TCP",
      act: "allowed",
      cs1Label: "targets",
      cs1: "db-1,198.18.1.99",
      cs2Label: "incident",
      cs2: a.incident,
      cs3Label: "status",
      cs3: "open",
      msg: a.summary,
    });
  });
});
