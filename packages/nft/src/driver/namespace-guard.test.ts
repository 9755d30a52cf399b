import { describe, expect, it } from "vitest";
import { isRoot } from "./namespace-guard.js";

const INIT = { key: "4:4026531833", ino: 4026531833 };
const OTHER = { key: "4:4026532177", ino: 4026532177 };

describe("namespace guard: which namespace is root", () => {
  it("compares with pid 1's namespace when it is visible", () => {
    expect(isRoot(OTHER, OTHER, OTHER)).toBe(true);
    expect(isRoot(OTHER, INIT, INIT)).toBe(false);
  });

  it("uses init_net's fixed inode when pid 1 is hidden", () => {
    expect(isRoot(INIT, INIT, undefined, "6.1.0")).toBe(true);
    expect(isRoot(OTHER, INIT, undefined, "6.1.0")).toBe(false);
    // A process inside a namespace (ip netns exec … agent) targeting its own namespace.
    expect(isRoot(OTHER, OTHER, undefined, "6.1.0-18-amd64")).toBe(false);
  });

  it("fails closed for its own namespace on kernels without the fixed inode", () => {
    expect(isRoot(OTHER, OTHER, undefined, "3.2.0")).toBe(true);
    expect(isRoot(OTHER, undefined, undefined, "2.6.32")).toBe(true);
  });
});
