// A textarea with line numbers; lines that have a diagnostic are marked in the gutter and their
// messages are listed under the editor, each naming its line.
import type { PolicyDiagnostic } from "../api/types.js";

export function LineEditor(props: {
  id: string;
  label: string;
  text: string;
  diagnostics: readonly PolicyDiagnostic[];
  onChange: (text: string) => void;
}) {
  const lines = props.text.split("\n");
  const problemLines = new Set(
    props.diagnostics.flatMap((d) => (d.line === undefined ? [] : [d.line])),
  );
  return (
    <div>
      <label htmlFor={props.id}>{props.label}</label>
      <div className="editor">
        <div className="gutter" aria-hidden="true">
          {lines.map((_l, i) => {
            const n = i + 1;
            return (
              <span
                key={n}
                className={problemLines.has(n) ? "has-problem" : undefined}
                data-line={n}
              >
                {n}
              </span>
            );
          })}
        </div>
        <textarea
          id={props.id}
          spellCheck={false}
          rows={Math.max(lines.length, 20)}
          value={props.text}
          aria-invalid={props.diagnostics.length > 0}
          aria-describedby={props.diagnostics.length > 0 ? `${props.id}-problems` : undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </div>
      {props.diagnostics.length > 0 && (
        <ul
          id={`${props.id}-problems`}
          className="diagnostics error"
          aria-label="Problems in the policy"
        >
          {props.diagnostics.map((d, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no identity
            <li key={i} data-line={d.line}>
              <strong>{d.line === undefined ? "policy" : `line ${d.line}`}</strong>: {d.message}{" "}
              <code>{d.code}</code> <span className="muted">({d.path})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
