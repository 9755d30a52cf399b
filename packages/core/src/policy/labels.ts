// Label keys and values, Kubernetes syntax: `app`, `example.com/team`; values up to 63 characters.

import { escapeControls } from "../text.js";
import { type Problem, problem } from "./problem.js";
import { show } from "./show.js";

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkLabelKey(key: string): Problem | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (prefixOk && name.length <= 63 && NAME.test(name)) return undefined;
  return problem(
    "MSEG_POLICY_INVALID_LABEL",
    `label key \`${escapeControls(key)}\` is not valid: a key is up to 63 letters, digits, \`-\`, \`_\` or \`.\`, ` +
      "starting and ending with a letter or digit, optionally after a DNS prefix and `/` " +
      `(e.g. \`app\`, \`example.com/team\`)${suggestion(key)}`,
  );
}

export function checkLabelValue(key: string, value: string): Problem | undefined {
  if (value === "" || (value.length <= 63 && NAME.test(value))) return undefined;
  return problem(
    "MSEG_POLICY_INVALID_LABEL",
    `label value \`${escapeControls(value)}\` of \`${escapeControls(key)}\` is not valid: a value is empty or up to 63 letters, ` +
      `digits, \`-\`, \`_\` or \`.\`, starting and ending with a letter or digit${suggestion(value)}`,
  );
}

/** Label values are strings; YAML turns `1`, `true` and `1.10` into other types. */
export function nonStringLabelValue(key: string, value: unknown): Problem {
  const shown = show(value);
  return problem(
    "MSEG_POLICY_WRONG_TYPE",
    `label \`${key}\` must have a string value, got ${shown}; quote it: ${key}: "${shown}"`,
  );
}

function suggestion(text: string): string {
  const fixed = text
    .replace(/[^-A-Za-z0-9_./]+/g, "-")
    .replace(/^[-_.]+|[-_.]+$/g, "")
    .slice(0, 63);
  if (fixed === "" || fixed === text) return "";
  return `; did you mean \`${fixed}\`?`;
}
