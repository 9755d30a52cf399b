// YAML text -> CST tokens, refusing too many documents or too deep a nesting while tokenizing, so
// a hostile file costs at most what it takes to reach the limit. The composer (CST -> AST) and
// toJS recurse per level and slow down with many documents; neither sees such a file.
//
// Contract: yaml's Parser is driven lexeme by lexeme (its documented use with a Lexer); its
// `stack` holds the collections open at the current point, plus the document and a scalar.

import { type CST, Lexer, type LineCounter, Parser } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { count, type PolicyLimits } from "./limits.js";

export type TokenRead =
  | { readonly ok: true; readonly tokens: CST.Token[] }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/** Document and a scalar under construction sit on the stack besides the collections. */
const STACK_BESIDES_COLLECTIONS = 2;

export function readTokens(
  file: string,
  text: string,
  lines: LineCounter,
  limits: PolicyLimits,
): TokenRead {
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0);
  const tokens: CST.Token[] = [];
  let documents = 0;
  const take = (found: Iterable<CST.Token>): Diagnostic | undefined => {
    for (const token of found) {
      if (token.type === "document" && ++documents > limits.maxDocumentsPerFile) {
        return tooManyDocuments(file, lines.linePos(token.offset).line, limits);
      }
      tokens.push(token);
    }
    return undefined;
  };
  for (const lexeme of new Lexer().lex(text)) {
    const bad = take(parser.next(lexeme));
    if (bad !== undefined) return { ok: false, diagnostic: bad };
    if (parser.stack.length > limits.maxDepth + STACK_BESIDES_COLLECTIONS) {
      return { ok: false, diagnostic: tooDeep(file, lines.linePos(parser.offset).line, limits) };
    }
  }
  const bad = take(parser.end());
  return bad === undefined ? { ok: true, tokens } : { ok: false, diagnostic: bad };
}

function tooManyDocuments(file: string, line: number, limits: PolicyLimits): Diagnostic {
  return {
    code: "MSEG_YAML_TOO_MANY_DOCUMENTS",
    file,
    path: "",
    line,
    message:
      `the file holds more than ${count(limits.maxDocumentsPerFile)} YAML documents (separated by \`---\`); ` +
      "a policy needs far fewer: put them in several files, or merge documents into one",
  };
}

function tooDeep(file: string, line: number, limits: PolicyLimits): Diagnostic {
  return {
    code: "MSEG_YAML_TOO_DEEP",
    file,
    path: "",
    line,
    message:
      `maps and lists are nested more than ${limits.maxDepth} levels deep here, and policy needs about ten; ` +
      "check the indentation and the brackets",
  };
}
