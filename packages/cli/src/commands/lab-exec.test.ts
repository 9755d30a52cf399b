// `lab exec HOST -- CMD…` hands the lab exactly CMD…: the `--` separator is not part of it.
import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: { host: string; command: readonly string[] }[] = [];
vi.mock("@microseg/lab", async (original) => ({
  ...(await original<typeof import("@microseg/lab")>()),
  labExec: async (host: string, command: readonly string[]) => {
    calls.push({ host, command });
    return 7;
  },
}));

const { runMain } = await import("../testing/run-main.js");

describe("lab exec argument handling", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("passes the command after -- without the separator, and exits with its code", async () => {
    const r = await runMain(["lab", "exec", "web-1", "--", "nft", "list", "ruleset"]);
    expect(calls).toEqual([{ host: "web-1", command: ["nft", "list", "ruleset"] }]);
    expect(r.code).toBe(7);
  });

  it("keeps the command's own options (they follow --)", async () => {
    await runMain(["lab", "exec", "db-1", "--", "ip", "-br", "addr"]);
    expect(calls).toEqual([{ host: "db-1", command: ["ip", "-br", "addr"] }]);
  });

  it("works without -- when the command has no options", async () => {
    await runMain(["lab", "exec", "web-1", "true"]);
    expect(calls).toEqual([{ host: "web-1", command: ["true"] }]);
  });
});
