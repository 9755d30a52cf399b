// The hand-written checks on their own: suggestions, addresses, labels, names.
import { describe, expect, it } from "vitest";
import { canonicalCidr, checkAddress, checkCidr, cidrWithin } from "./addresses.js";
import { checkLabelKey, checkLabelValue } from "./labels.js";
import { checkName, checkServiceName } from "./names.js";
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
