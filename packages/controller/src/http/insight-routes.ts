// Learning routes: application groups and label suggestions (and accepting them), the policy
// recommendation, replay of recorded flows against a draft, explain of a recorded flow, blast
// radius. Thin: parse with the protocol's schemas, call use-cases/insight.ts, answer JSON.
import {
  AcceptLabelsSchema,
  BlastRadiusQuerySchema,
  FlowExplainQuerySchema,
  PATHS,
  RecommendQuerySchema,
  ReplayRequestSchema,
  SuggestionsQuerySchema,
} from "@microseg/protocol";
import type { ControllerContext } from "../context.js";
import {
  acceptLabels,
  blastRadiusOf,
  explainRecordedFlow,
  labelSuggestions,
  recommendPolicy,
  replayPolicy,
} from "../use-cases/insight.js";
import type { ControllerApp } from "./env.js";
import { jsonBody, query } from "./validate.js";

export function insightRoutes(app: ControllerApp, ctx: ControllerContext): void {
  app.get(PATHS.suggestions, async (c) =>
    c.json(await labelSuggestions(ctx, query(c, SuggestionsQuerySchema))),
  );
  app.post(PATHS.acceptLabels, async (c) => {
    const body = await jsonBody(c, AcceptLabelsSchema);
    return c.json(await acceptLabels(ctx, body, c.get("actor")));
  });
  app.get(PATHS.recommend, async (c) =>
    c.json(await recommendPolicy(ctx, query(c, RecommendQuerySchema), c.get("actor"))),
  );
  app.post(PATHS.replay, async (c) =>
    c.json(await replayPolicy(ctx, await jsonBody(c, ReplayRequestSchema))),
  );
  app.get(PATHS.explainFlow, async (c) =>
    c.json(await explainRecordedFlow(ctx, query(c, FlowExplainQuerySchema))),
  );
  app.get(PATHS.blastRadius, async (c) =>
    c.json(await blastRadiusOf(ctx, query(c, BlastRadiusQuerySchema))),
  );
}
