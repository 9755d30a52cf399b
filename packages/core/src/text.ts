// Text for people: characters that a terminal or a log viewer would act on instead of showing
// (C0 and C1 controls, DEL, line and paragraph separators, Unicode bidirectional controls) are
// shown as escapes. What an agent, a policy file or an API caller wrote can then never recolour
// a terminal, start a fake line, or reorder what is read (U+202E "Trojan Source").

/** Regex class ranges: C0 but newline and tab, DEL, C1, U+2028/U+2029; then the bidi controls. */
const CONTROLS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029";
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";
const UNSAFE = new RegExp(`[\\n\\t${CONTROLS}${BIDI}]`, "g");
const UNSAFE_BUT_LAYOUT = new RegExp(`[${CONTROLS}${BIDI}]`, "g");

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every unsafe character as an escape: `\n`, `\r`, `\t`, `\x1b`, `\x9b`, `\u202e`.
 * `keepLayout`: newline and tab stay (for whole blocks of output whose values were escaped one by
 * one already); every other unsafe character is still escaped.
 */
export function escapeControls(text: string, keepLayout = false): string {
  return text.replace(keepLayout ? UNSAFE_BUT_LAYOUT : UNSAFE, escapeOne);
}

/** Whether `text` holds a character escapeControls() would escape. */
export function hasControls(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/**
 * A URL with the password of its userinfo masked (`postgres://u:***@host/db`), for messages and
 * status output; anything else is left as it is.
 */
export function maskUrlPassword(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}
