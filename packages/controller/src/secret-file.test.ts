import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeSecretFile } from "./secret-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "mseg-secret-"));
  dirs.push(d);
  return d;
};

describe("writeSecretFile", () => {
  it("writes 0600, replaces when told, refuses to overwrite otherwise, leaves no temp file", () => {
    const dir = temp();
    const file = join(dir, "sub", "s.key");
    writeSecretFile(file, "one\n", { replace: false });
    expect(readFileSync(file, "utf8")).toBe("one\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => writeSecretFile(file, "two\n", { replace: false })).toThrow(
      expect.objectContaining({ code: "MSEG_SECRET_FILE_UNWRITABLE" }),
    );
    expect(readFileSync(file, "utf8")).toBe("one\n");
    writeFileSync(join(dir, "other"), "x", { mode: 0o644 });
    writeSecretFile(file, "three\n", { replace: true });
    expect(readFileSync(file, "utf8")).toBe("three\n");
    expect(readdirSync(join(dir, "sub"))).toEqual(["s.key"]);
  });

  it("names the path when a directory stands in the way, and changes nothing", () => {
    const dir = temp();
    mkdirSync(join(dir, "admin.token"));
    expect(() => writeSecretFile(join(dir, "admin.token"), "t\n", { replace: true })).toThrow(
      expect.objectContaining({
        code: "MSEG_SECRET_FILE_UNWRITABLE",
        message: expect.stringContaining(join(dir, "admin.token")),
      }),
    );
    expect(readdirSync(dir)).toEqual(["admin.token"]);
  });
});
