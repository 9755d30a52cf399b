// Policy lifecycle routes: draft (YAML text in, validated), diff, provision, history, rollback.
import {
  DraftPutJsonSchema,
  PATHS,
  ProvisionRequestSchema,
  RollbackRequestSchema,
} from "@microseg/protocol";
import type { Context } from "hono";
import { z } from "zod";
import type { ControllerContext } from "../context.js";
import { diffDraft } from "../use-cases/policy-diff.js";
import { draftView, getDraft, putDraft } from "../use-cases/policy-draft.js";
import {
  activeRevision,
  history,
  provision,
  revisionByNumber,
  rollback,
} from "../use-cases/provision.js";
import type { ControllerApp } from "./env.js";
import { intParam, jsonBody, query } from "./validate.js";

const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

export function policyRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.get(PATHS.policyDraft, async (c) => {
    const draft = await getDraft(ctx);
    if (wantsYaml(c)) return c.body(draft.text, 200, { "content-type": "application/yaml" });
    return c.json(draftView(draft));
  });
  app.put(PATHS.policyDraft, async (c) => {
    const text = await draftText(c);
    return c.json(await putDraft(ctx, text, c.get("actor")));
  });
  app.get(PATHS.policyDiff, async (c) => c.json(await diffDraft(ctx)));
  app.get(PATHS.policyActive, async (c) => c.json(await activeRevision(ctx)));
  app.post(PATHS.policyProvision, async (c) => {
    const body = await jsonBody(c, ProvisionRequestSchema);
    return c.json(await provision(ctx, body, c.get("actor")), 201);
  });
  app.post(PATHS.policyRollback, async (c) => {
    const body = await jsonBody(c, RollbackRequestSchema);
    return c.json(await rollback(ctx, body, c.get("actor")), 201);
  });
  app.get(PATHS.policyHistory, async (c) => c.json(await history(ctx, query(c, HistoryQuery))));
  app.get(PATHS.policyRevision, async (c) =>
    c.json(await revisionByNumber(ctx, intParam(c, "number"))),
  );
}

/** YAML as the raw body (text/yaml, application/yaml, text/plain), or JSON {text}. */
async function draftText(c: Context): Promise<string> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("json")) return (await jsonBody(c, DraftPutJsonSchema)).text;
  return c.req.text();
}

function wantsYaml(c: Context): boolean {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("yaml") || accept.includes("text/plain");
}
