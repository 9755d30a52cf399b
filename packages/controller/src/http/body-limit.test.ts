import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { MAX_BODY_BYTES } from "./app.js";

describe("body limit", () => {
  it("refuses a body over the limit, by its declared length or as it streams", async () => {
    const t = await testController();
    const big = "x".repeat(MAX_BODY_BYTES + 1);
    const headers = { authorization: `Bearer ${t.token}`, "content-type": "application/yaml" };
    const declared = await t.app.request("/api/v1/policy/draft", {
      method: "PUT",
      headers: { ...headers, "content-length": String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(400);
    expect(await declared.text()).toContain("larger than");
    const stream = new Blob([big]).stream();
    const chunked = await t.app.request("/api/v1/policy/draft", {
      method: "PUT",
      headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(400);
    expect(await chunked.text()).toContain("larger than");
    const small = await t.call("PUT", "/api/v1/policy/draft", "rules: []\n");
    expect(small.status).toBe(200);
  });
});
