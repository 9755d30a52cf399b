// One side of a rule as written -> model Peer[]:
//   any | { role: web } | { labels: {...} } | { ipList: NAME } | { cidrs: [...], except: [...] }
//   | { namespace: {...}, pods: {...} }     — or a list of these (any-of).

import { z } from "zod";
import type { Peer } from "../model.js";
import { canonicalCidr as canonical, checkCidr, checkExcepts, isAddress } from "./addresses.js";
import type { Known } from "./known.js";
import { type Problem, problem } from "./problem.js";
import { EMPTY, selectorSchema } from "./selectors.js";
import { show } from "./show.js";
import { closest, suggestion } from "./suggest.js";
import { checked, forward, report, strict } from "./zod-kit.js";

/** Keys that choose a peer form; a label with such a key is written `{ labels: { KEY: … } }`. */
export const PEER_FORM_KEYS = ["ipList", "cidrs", "except", "namespace", "pods", "labels"];
const FORMS =
  "`any`, a label selector like `{ role: web }`, `{ ipList: NAME }`, `{ cidrs: [203.0.113.0/24] }`, or a list of these";

export function peersSchema(field: "from" | "to", known: Known) {
  const peer = peerSchema(known);
  return z.unknown().transform((value, ctx): Peer[] => {
    if (value === undefined || value === null) {
      report(
        ctx,
        problem(
          value === undefined ? "MSEG_POLICY_MISSING_FIELD" : "MSEG_POLICY_INVALID_VALUE",
          `\`${field}\` is ${value === undefined ? "missing" : "empty"}; write ${FORMS} (\`${field}: any\` for everything)`,
        ),
      );
      return [];
    }
    if (!Array.isArray(value)) return [forward(peer, value, ctx)].filter(isPeer);
    if (value.length === 0) {
      report(
        ctx,
        problem(
          "MSEG_POLICY_INVALID_VALUE",
          `\`${field}\` is an empty list, so the rule could never match; list at least one peer, or write \`${field}: any\``,
        ),
      );
    }
    return value.map((item, i) => forward(peer, item, ctx, [i])).filter(isPeer);
  });
}

function isPeer(p: Peer | undefined): p is Peer {
  return p !== undefined;
}

function peerSchema(known: Known) {
  const forms = peerForms(known);
  return z.unknown().transform((value, ctx): Peer | undefined => {
    if (value === "any") return { kind: "any" };
    if (typeof value === "string") {
      report(ctx, stringPeer(value, known));
      return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      report(
        ctx,
        problem(
          "MSEG_POLICY_WRONG_TYPE",
          `a peer is ${FORMS}; got ${value === null ? "nothing" : Array.isArray(value) ? "a nested list" : show(value)}`,
        ),
      );
      return undefined;
    }
    const keys = Object.keys(value);
    const form = pickForm(keys);
    if (form === "selector") {
      for (const key of keys) {
        const near = closest(key, PEER_FORM_KEYS);
        if (near !== undefined) report(ctx, misspeltForm(key, near), [key]);
      }
    }
    return forward(forms[form], value, ctx);
  });
}

type Form = "ipList" | "cidrs" | "namespace" | "labels" | "selector";

function pickForm(keys: readonly string[]): Form {
  if (keys.includes("ipList")) return "ipList";
  if (keys.includes("cidrs") || keys.includes("except")) return "cidrs";
  if (keys.includes("namespace") || keys.includes("pods")) return "namespace";
  if (keys.includes("labels")) return "labels";
  return "selector";
}

function peerForms(known: Known): Record<Form, z.ZodType<Peer>> {
  const ipListRef = checked((name) =>
    known.ipLists.has(name)
      ? undefined
      : problem(
          "MSEG_POLICY_UNDEFINED_REFERENCE",
          `no IP list is named \`${name}\`${suggestion(name, known.ipLists)}; define it under \`ipLists:\` or fix the name`,
        ),
  );
  const cidrs = z.array(checked(checkCidr));
  return {
    ipList: strict("`ipList` peer", { ipList: ipListRef }).transform(
      (p): Peer => ({ kind: "ipList", name: p.ipList }),
    ),
    cidrs: strict("`cidrs` peer", { cidrs, except: cidrs.optional() })
      .superRefine(refineExcepts)
      .transform(
        (p): Peer => ({
          kind: "cidrs",
          include: p.cidrs.map(canonical),
          except: (p.except ?? []).map(canonical),
        }),
      ),
    namespace: strict("`namespace` peer", {
      namespace: selectorSchema(EMPTY.namespace),
      pods: selectorSchema(EMPTY.pods).optional(),
    }).transform(
      (p): Peer => ({
        kind: "workloads",
        selector: p.pods ?? { match: [] },
        namespaceSelector: p.namespace,
      }),
    ),
    labels: strict("`labels` peer", { labels: selectorSchema(EMPTY.peer) }).transform(
      (p): Peer => ({ kind: "workloads", selector: p.labels }),
    ),
    selector: selectorSchema(EMPTY.peer).transform(
      (selector): Peer => ({ kind: "workloads", selector }),
    ),
  };
}

function stringPeer(value: string, known: Known): Problem {
  if (isAddress(value) || value.includes("/")) {
    return problem(
      "MSEG_POLICY_WRONG_TYPE",
      `an address is written as a \`cidrs\` peer: \`{ cidrs: [${value}] }\``,
    );
  }
  if (known.ipLists.has(value)) {
    return problem(
      "MSEG_POLICY_WRONG_TYPE",
      `\`${value}\` is an IP list; write \`{ ipList: ${value} }\``,
    );
  }
  if (known.workloads.has(value)) {
    return problem(
      "MSEG_POLICY_WRONG_TYPE",
      `peers select workloads by label, not by name; write a selector such as \`{ app: ${value} }\` matching the labels of \`${value}\``,
    );
  }
  return problem("MSEG_POLICY_WRONG_TYPE", `\`${value}\` is not a peer; write ${FORMS}`);
}

function misspeltForm(key: string, near: string): Problem {
  return problem(
    "MSEG_POLICY_INVALID_SELECTOR",
    `\`${key}\` looks like a misspelling of \`${near}\`; if you do mean a label named \`${key}\`, write \`{ labels: { ${key}: … } }\``,
  );
}

/** `except` entries must lie inside one of `cidrs`. */
export function refineExcepts(
  p: { readonly cidrs: readonly string[]; readonly except?: readonly string[] | undefined },
  ctx: z.RefinementCtx,
): void {
  checkExcepts(p.cidrs, p.except ?? []).forEach((bad, i) => {
    if (bad !== undefined) report(ctx, bad, ["except", i]);
  });
}
