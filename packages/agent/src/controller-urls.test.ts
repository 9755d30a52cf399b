// --controller as one URL or several (the replicas of one controller): parsing and the checks
// that name what is wrong.
import { describe, expect, it } from "vitest";
import { checkedController, controllerUrls } from "./controller-urls.js";

const FP = "ab".repeat(32);
const quiet = { warn: () => {} };

describe("controller URLs", () => {
  it("splits a list, trims, and leaves out empty items and repeats", () => {
    expect(controllerUrls("https://a:1")).toEqual(["https://a:1"]);
    expect(controllerUrls(" https://a:1 ,https://b:2,,https://a:1")).toEqual([
      "https://a:1",
      "https://b:2",
    ]);
  });

  it("checks every URL, with one fingerprint for all", () => {
    const urls = checkedController("https://198.18.0.1:8443,https://198.18.0.5:8443", FP, quiet);
    expect(urls.map((u) => u.host)).toEqual(["198.18.0.1:8443", "198.18.0.5:8443"]);
    expect(() => checkedController("https://a:1,https://b:2", undefined, quiet)).toThrow(
      /needs --ca-fingerprint/,
    );
  });

  it("refuses a list mixing https and http, a non-URL item and an empty list (MSEG_USAGE)", () => {
    expect(() => checkedController("https://a:1,http://b:2", FP, quiet)).toThrow(
      expect.objectContaining({
        code: "MSEG_USAGE",
        message: expect.stringMatching(/mixes https/),
      }),
    );
    expect(() => checkedController("https://a:1,b:2:x", FP, quiet)).toThrow(
      /"b:2:x" is not a URL|must be an https/,
    );
    expect(() => checkedController(" , ", FP, quiet)).toThrow(/--controller is empty/);
  });

  it("warns once for a plain-http list", () => {
    const said: string[] = [];
    checkedController("http://a:1,http://b:2", undefined, { warn: (m: string) => said.push(m) });
    expect(said).toHaveLength(1);
  });
});
