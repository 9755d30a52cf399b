// The `proto/port` grammar: one spelling per meaning, everything else refused with the forms
// that are accepted; whatever is accepted formats back to the same meaning.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "./policy/index.js";
import { formatServicePort, parseServicePort } from "./ports.js";
import { fuzzSettings } from "./testing/fuzz.js";

const ACCEPTED: [string, unknown][] = [
  ["tcp/80", { proto: "tcp", from: 80, to: 80 }],
  ["udp/5000-5100", { proto: "udp", from: 5000, to: 5100 }],
  ["sctp/9", { proto: "sctp", from: 9, to: 9 }],
  ["tcp/1-65535", { proto: "tcp", from: 1, to: 65535 }],
  ["tcp/http", { proto: "tcp", named: "http" }],
  ["icmp", { proto: "icmp" }],
  ["icmp/0", { proto: "icmp", type: 0 }],
  ["icmpv6/128", { proto: "icmpv6", type: 128 }],
  ["any", { proto: "any" }],
];

const REFUSED = [
  "tcp/80-90-1000",
  "tcp/ 80",
  "tcp/80 ",
  " tcp/80",
  "tcp/80-",
  "tcp/-80",
  "tcp/+80",
  "tcp/080",
  "tcp/00",
  "tcp/80-090",
  "TCP/80",
  "Tcp/80",
  "tcp/HTTP",
  "tcp/8e1",
  "tcp/0x50",
  "tcp/1.5",
  "tcp/80–90",
  "tcp/",
  "tcp",
  "/80",
  "tcp/80/90",
  "any/80",
  "ANY",
  "icmp/",
  "icmp/08",
  "icmp/8-9",
  "icmp/-1",
  "udp/5000 - 5100",
  "",
];

describe("parseServicePort", () => {
  it.each(ACCEPTED)("reads %s", (text, port) => {
    expect(parseServicePort(text)).toEqual({ ok: true, port });
  });

  it.each(REFUSED)("refuses %j as a syntax error naming the accepted forms", (text) => {
    const parsed = parseServicePort(text);
    expect(parsed).toMatchObject({ ok: false, reason: "syntax" });
    if (!parsed.ok) expect(parsed.message).toMatch(/tcp\/8000-8080.*icmp\/8.*any/);
  });

  it("suggests the one spelling when the meaning is plain", () => {
    const message = (t: string) => {
      const parsed = parseServicePort(t);
      return parsed.ok ? "" : parsed.message;
    };
    expect(message("TCP/080")).toMatch(/did you mean `tcp\/80`\?/);
    expect(message("tcp/ 80")).toMatch(/did you mean `tcp\/80`\?/);
    expect(message("tcp/80-90-1000")).not.toMatch(/did you mean/);
  });

  it("keeps range and order errors apart", () => {
    expect(parseServicePort("tcp/0")).toMatchObject({ ok: false, reason: "range" });
    expect(parseServicePort("tcp/65536")).toMatchObject({ ok: false, reason: "range" });
    expect(parseServicePort("tcp/99999999999999999999")).toMatchObject({ reason: "range" });
    expect(parseServicePort("icmp/256")).toMatchObject({ ok: false, reason: "range" });
    expect(parseServicePort("tcp/90-80")).toMatchObject({ ok: false, reason: "reversed" });
  });

  it("formats every accepted text back to the same meaning", () => {
    const { numRuns, seed } = fuzzSettings(process.env, 2000);
    const alphabet = fc.constantFrom(..."tcpudsimvnyah0123456789/-+ TCP".split(""));
    // Near-valid texts: a protocol, separators, numbers with zeros, signs and extra parts.
    const number = fc.oneof(
      fc.nat(70000).map(String),
      fc.nat(300).map((n) => `0${n}`),
      fc.constantFrom("", "+80", "-80", " 80", "8e1", "http", "HTTP", "http-"),
    );
    const nearValid = fc
      .tuple(
        fc.constantFrom("tcp", "udp", "sctp", "icmp", "icmpv6", "any", "TCP", "Udp", ""),
        fc.constantFrom("/", "/ ", " /", "", "//"),
        fc.array(number, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("", " ", "\t"),
      )
      .map(([proto, sep, parts, pad]) => `${pad}${proto}${sep}${parts.join("-")}${pad}`);
    const texts = fc.oneof(fc.string({ unit: alphabet, maxLength: 14 }), nearValid);
    fc.assert(
      fc.property(texts, (text) => {
        const parsed = parseServicePort(text);
        if (!parsed.ok) return;
        const formatted = formatServicePort(parsed.port);
        expect(parseServicePort(formatted)).toEqual(parsed);
        // Nothing is dropped or rewritten: the text is the one spelling, or `a-a` for `a`.
        expect(text.replace(/\/(\d+)-\1$/, "/$1")).toBe(formatted);
      }),
      { numRuns, seed },
    );
  });
});

describe("ports in policy", () => {
  it("refuses `tcp/80-90-1000` with MSEG_POLICY_INVALID_PORT, file, line and path", () => {
    const text = "rules:\n  - from: any\n    to: any\n    services: [tcp/80-90-1000]\n";
    const [d, ...rest] = loadPolicy([{ file: "p.yaml", text }]).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      code: "MSEG_POLICY_INVALID_PORT",
      file: "p.yaml",
      path: "rules[0].services[0]",
      line: 4,
    });
  });

  it("refuses a leading zero in a service and a named port target", () => {
    const text =
      "services:\n  - { name: web, ports: [tcp/080] }\nworkloads:\n  - { name: w, namedPorts: { http: tcp/08080 } }\n";
    const found = loadPolicy([{ file: "p.yaml", text }]).diagnostics;
    expect(found.map((d) => [d.code, d.path])).toEqual([
      ["MSEG_POLICY_INVALID_PORT", "services[0].ports[0]"],
      ["MSEG_POLICY_INVALID_PORT", "workloads[0].namedPorts.http"],
    ]);
  });
});
