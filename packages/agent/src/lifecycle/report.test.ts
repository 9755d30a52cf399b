// What a stop is reported as: maintenance window, package upgrade restart, else tampering.
import { mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRestartAt, stopEvent } from "./report.js";

const at = new Date("2026-12-07T12:00:00Z");

describe("stopEvent", () => {
  it("is tampering without a window or a package restart", () => {
    expect(stopEvent(undefined, at)).toMatchObject({ kind: "tamper" });
  });
  it("is a sanctioned stop in a window, a package upgrade's restart or a shutdown", () => {
    const window = { openedAt: at.toISOString(), until: at.toISOString() };
    expect(stopEvent(window, at)).toMatchObject({ kind: "stopped", details: /maintenance/ });
    expect(stopEvent(undefined, at, "package-upgrade")).toMatchObject({
      kind: "stopped",
      details: /upgrade/,
    });
    expect(stopEvent(undefined, at, "shutdown")).toMatchObject({
      kind: "stopped",
      details: /shutdown/,
    });
  });
});

describe("packageRestartAt", () => {
  it("counts a mark written in the last five minutes only", async () => {
    const mark = join(await mkdtemp(join(tmpdir(), "mark-")), "package-restart");
    expect(await packageRestartAt(at, mark)).toBe(false);
    await writeFile(mark, "1");
    await utimes(mark, at, new Date(at.getTime() - 60_000));
    expect(await packageRestartAt(at, mark)).toBe(true);
    await utimes(mark, at, new Date(at.getTime() - 6 * 60_000));
    expect(await packageRestartAt(at, mark)).toBe(false);
  });
});
