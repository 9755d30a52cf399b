// The hand-written checks on their own: suggestions, addresses, labels, names.

import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { hasControls } from "../text.js";
import {
  canonicalAddress,
  canonicalCidr,
  checkAddress,
  checkCidr,
  cidrWithin,
} from "./addresses.js";
import { checkHostname, checkInterfaceName, workloadNameOfHost } from "./host.js";
import { checkLabelKey, checkLabelValue } from "./labels.js";
import { checkName, checkServiceName, checkWorkloadName } from "./names.js";
import { closest, distance } from "./suggest.js";

describe("suggest", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(distance("form", "from")).toBe(1);
    expect(distance("kitten", "sitting")).toBe(3);
  });

  it("suggests only plausible typos", () => {
    expect(closest("adresses", ["addresses", "labels"])).toBe("addresses");
    expect(closest("IPLISTS", ["ipLists", "rules"])).toBe("ipLists");
    expect(closest("colour", ["name", "ports", "description"])).toBeUndefined();
    expect(closest("ab", ["xy"])).toBeUndefined();
  });
});

describe("addresses", () => {
  it("accepts plain IPv4 and IPv6 addresses only", () => {
    expect(checkAddress("198.18.1.10")).toBeUndefined();
    expect(checkAddress("2001:db8::1")).toBeUndefined();
    expect(checkAddress("0x0a000001")?.code).toBe("MSEG_POLICY_INVALID_CIDR");
    expect(checkAddress("256.1.1.1")?.code).toBe("MSEG_POLICY_INVALID_CIDR");
  });

  it("checks prefix lengths per family", () => {
    expect(checkCidr("2001:db8::/64")).toBeUndefined();
    expect(checkCidr("10.0.0.0/33")?.message).toMatch(/is not a CIDR/);
    expect(checkCidr("10.0.0.0/x")?.message).toMatch(/is not a CIDR/);
    expect(checkCidr("2001:db8::1/32")?.message).toMatch(/write `2001:db8::\/32`/);
  });

  it("gives every address one text, as ipaddr.js's RFC 5952 form", () => {
    expect(canonicalAddress("2001:DB8:0:0::1")).toBe("2001:db8::1");
    expect(canonicalAddress("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonicalAddress("0:0:0:0:0:0:0:0")).toBe("::");
    expect(canonicalAddress("::ffff:198.18.0.1")).toBe(
      ipaddr.parse("::ffff:198.18.0.1").toString(),
    );
    expect(canonicalAddress("198.18.0.1")).toBe("198.18.0.1");
    for (const no of ["web-1", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", ""]) {
      expect(canonicalAddress(no)).toBe(no);
    }
    // Any spelling of any address: groups with zero runs, upper case, leading zeros, `::` anywhere.
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    const spelling = fc.tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(), fc.nat());
    fc.assert(
      fc.property(spelling, ([groups, cut, style]) => {
        const texts = groups.map((g) => {
          const h = g.toString(16);
          return style % 3 === 0 ? h.toUpperCase() : style % 3 === 1 ? h.padStart(4, "0") : h;
        });
        const from = cut % 9;
        const to = from + (Math.floor(cut / 9) % (9 - from));
        const zeros = texts.slice(from, to).every((_, i) => groups[from + i] === 0);
        const text =
          to > from && zeros
            ? `${texts.slice(0, from).join(":")}::${texts.slice(to).join(":")}`
            : texts.join(":");
        expect(canonicalAddress(text)).toBe(ipaddr.IPv6.parse(text).toString());
      }),
      { numRuns: 2000 },
    );
  });

  it("canonicalizes and compares CIDRs", () => {
    expect(canonicalCidr("2001:DB8:0:0::/32")).toBe("2001:db8::/32");
    expect(canonicalCidr("10.0.0.1")).toBe("10.0.0.1/32");
    expect(cidrWithin("10.1.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(cidrWithin("10.0.0.0/8", "10.1.0.0/16")).toBe(false);
    expect(cidrWithin("2001:db8::/48", "10.0.0.0/8")).toBe(false);
  });
});

describe("labels", () => {
  it("follows the Kubernetes key syntax", () => {
    expect(checkLabelKey("app")).toBeUndefined();
    expect(checkLabelKey("example.com/team")).toBeUndefined();
    expect(checkLabelKey("app.kubernetes.io/name")).toBeUndefined();
    expect(checkLabelKey("Example.com/team")?.code).toBe("MSEG_POLICY_INVALID_LABEL");
    expect(checkLabelKey("a".repeat(64))?.code).toBe("MSEG_POLICY_INVALID_LABEL");
    expect(checkLabelKey("team/")?.code).toBe("MSEG_POLICY_INVALID_LABEL");
  });

  it("allows empty values and rejects spaces", () => {
    expect(checkLabelValue("k", "")).toBeUndefined();
    expect(checkLabelValue("k", "v1.2_x")).toBeUndefined();
    expect(checkLabelValue("k", "a b")?.message).toMatch(/did you mean `a-b`\?/);
  });
});

describe("names", () => {
  it("keeps names apart from addresses and ports", () => {
    expect(checkName("workload", "web-1")).toBeUndefined();
    expect(checkName("workload", "10.0.0.1")?.code).toBe("MSEG_POLICY_INVALID_NAME");
    expect(checkName("workload", "-web")?.code).toBe("MSEG_POLICY_INVALID_NAME");
    expect(checkServiceName("tcp")?.code).toBe("MSEG_POLICY_INVALID_NAME");
    expect(checkServiceName("postgres")).toBeUndefined();
  });
});

describe("workload names, hostnames, interface names", () => {
  const CONTROL = ["a\u001b[31m", "a\nb", "a\u2028b", "a\u202eb", "a\u0085b", "a\u007fb"];

  it("takes lower-case DNS names that cannot be read as an address", () => {
    for (const ok of ["web-1", "web-1.prod.example.com", "db.2", "1password", "a".repeat(63)]) {
      expect([ok, checkWorkloadName(ok)]).toEqual([ok, undefined]);
    }
    for (const bad of [
      "10.0.0.1",
      "12345",
      "Web-1",
      "web_1",
      "web..1",
      ".web",
      "-web",
      "",
      ...CONTROL,
    ]) {
      expect([bad, checkWorkloadName(bad)?.code]).toEqual([bad, "MSEG_POLICY_INVALID_NAME"]);
    }
    expect(checkWorkloadName("a".repeat(64))?.code).toBe("MSEG_POLICY_INVALID_NAME");
    expect(checkWorkloadName(`${"a".repeat(63)}.`.repeat(4).slice(0, 254))?.code).toBe(
      "MSEG_POLICY_INVALID_NAME",
    );
    expect(checkWorkloadName("Web_1.Prod")?.message).toMatch(/e\.g\. `web-1\.prod`$/);
  });

  it("shows a refused name with its control characters escaped", () => {
    const message = checkWorkloadName("web\u001b[31m\n")?.message ?? "";
    expect(message).toContain("`web\\x1b[31m\\n`");
    expect(hasControls(message)).toBe(false);
  });

  it("takes RFC 1123 hostnames of either case, and refuses control characters", () => {
    for (const ok of ["web-1", "WEB01.Example.com", "build_box", "h"]) {
      expect([ok, checkHostname(ok)]).toEqual([ok, undefined]);
    }
    for (const bad of ["", "a b", "web-", "a..b", "a".repeat(64), ...CONTROL]) {
      expect([bad, checkHostname(bad)?.code]).toEqual([bad, "MSEG_POLICY_INVALID_NAME"]);
    }
    expect(workloadNameOfHost("WEB01.Example.com")).toBe("web01.example.com");
    expect(workloadNameOfHost("build_box")).toBeUndefined();
  });

  it("takes interface names Linux takes", () => {
    for (const ok of ["eth0", "ens3", "br-1a2b3c", "eth0.100", "veth@x", "wlp0s20f3"]) {
      expect([ok, checkInterfaceName(ok)]).toEqual([ok, undefined]);
    }
    for (const bad of [
      "",
      ".",
      "..",
      "eth 0",
      "a/b",
      "a:1",
      "a".repeat(16),
      "eth\u00e9",
      ...CONTROL,
    ]) {
      expect([bad, checkInterfaceName(bad)?.code]).toEqual([bad, "MSEG_POLICY_INVALID_NAME"]);
    }
  });
});
