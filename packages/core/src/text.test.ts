import { describe, expect, it } from "vitest";
import { escapeControls, hasControls, maskUrlPassword } from "./text.js";

describe("escapeControls", () => {
  it("escapes C0, DEL, C1, line separators and bidi controls, and nothing else", () => {
    expect(escapeControls("a\u001b[31mb")).toBe("a\\x1b[31mb");
    expect(escapeControls("1\n2\r3\t4\u0000")).toBe("1\\n2\\r3\\t4\\x00");
    expect(escapeControls("\u007f\u0085\u009b")).toBe("\\x7f\\x85\\x9b");
    expect(escapeControls("x\u2028y\u2029z")).toBe("x\\u2028y\\u2029z");
    expect(escapeControls("\u202a\u202e\u2066\u2069\u200f\u061c")).toBe(
      "\\u202a\\u202e\\u2066\\u2069\\u200f\\u061c",
    );
    const plain = "web-1 \u00e9t\u00e9 \u6f22\u5b57 \u{1f600} ~!@#$%^&*()\\";
    expect(escapeControls(plain)).toBe(plain);
  });

  it("keeps newline and tab for layout when asked, and still escapes the rest", () => {
    expect(escapeControls("a\tb\nc\u001b\r\u202e", true)).toBe("a\tb\nc\\x1b\\r\\u202e");
  });

  it("answers whether there is anything to escape", () => {
    expect(hasControls("web-1")).toBe(false);
    expect(hasControls("web\u202e")).toBe(true);
    expect(hasControls("web\u202e")).toBe(true);
  });
});

describe("maskUrlPassword", () => {
  it("masks the password of a URL's userinfo and nothing else", () => {
    expect(maskUrlPassword("postgres://ms:s3cret@db:5432/microseg")).toBe(
      "postgres://ms:***@db:5432/microseg",
    );
    expect(maskUrlPassword("nats://127.0.0.1:4222")).toBe("nats://127.0.0.1:4222");
    expect(maskUrlPassword("postgres://ms@db/microseg")).toBe("postgres://ms@db/microseg");
  });
});
