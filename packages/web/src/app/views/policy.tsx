// Policy: edit the draft (validated by the controller; problems shown at their line), compare it
// with the active revision, preview its impact on recorded flows, provision it, and browse or
// roll back revisions. Recommended rules can be loaded into the editor.
import { useEffect, useState } from "react";
import { ApiFailure, api, get } from "../api/client.js";
import { PATHS } from "../api/paths.js";
import type {
  Draft,
  DraftSaved,
  History,
  PolicyDiagnostic,
  PolicyDiff,
  ProvisionResponse,
} from "../api/types.js";
import { ErrorMessage, Show } from "../components/page-state.js";
import { failed, type Loaded, useApi } from "../components/use-api.js";
import { DiffPanel } from "../policy/diff-panel.js";
import { HistoryPanel } from "../policy/history-panel.js";
import { LineEditor } from "../policy/line-editor.js";
import { RecommendPanel } from "../policy/recommend-panel.js";
import { ReplayPanel } from "../policy/replay-panel.js";

type Notice = { ok: boolean; text: string } | null;

export function PolicyView() {
  const [text, setText] = useState("");
  const [loadedDraft, setLoadedDraft] = useState<"loading" | "none" | "ok">("loading");
  const [diagnostics, setDiagnostics] = useState<PolicyDiagnostic[]>([]);
  const [saved, setSaved] = useState<DraftSaved | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [diff, setDiff] = useState<Loaded<PolicyDiff> | null>(null);
  const [comment, setComment] = useState("");
  const [history, reloadHistory] = useApi<History>(PATHS.policyHistory);

  useEffect(() => {
    get<Draft>(PATHS.policyDraft).then(
      (d) => {
        setText(d.text);
        setLoadedDraft("ok");
      },
      (err: unknown) => {
        setLoadedDraft("none");
        if (!(err instanceof ApiFailure && err.status === 404))
          setNotice({ ok: false, text: String(err) });
      },
    );
  }, []);

  async function saveDraft(): Promise<boolean> {
    setNotice(null);
    setDiff(null);
    try {
      const out = await api<DraftSaved>("PUT", PATHS.policyDraft, { yaml: text });
      setDiagnostics([]);
      setSaved(out);
      setNotice({
        ok: true,
        text: `Draft saved: ${out.summary.rules} rules, ${out.summary.ipLists} IP lists.`,
      });
      return true;
    } catch (err) {
      setSaved(null);
      const found = diagnosticsOf(err);
      setDiagnostics(found);
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  async function showDiff() {
    setDiff({ state: "loading" });
    try {
      setDiff({ state: "ok", data: await get<PolicyDiff>(PATHS.policyDiff) });
    } catch (err) {
      setDiff(failed(err, PATHS.policyDiff));
    }
  }

  async function provision() {
    if (!(await saveDraft())) return;
    const active = history.state === "ok" ? history.data.active : undefined;
    try {
      const out = await api<ProvisionResponse>("POST", PATHS.policyProvision, {
        json: { comment, ...(active !== undefined && { expectedActive: active }) },
      });
      setNotice({
        ok: true,
        text: `Revision #${out.revision.number} is active; ${out.changedWorkloads.length} workloads changed, ${out.pushed} agents notified.`,
      });
      setComment("");
      reloadHistory();
    } catch (err) {
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  }

  return (
    <section>
      <h1>Policy</h1>
      {loadedDraft === "none" && (
        <p className="muted">No draft yet: write one below and save it.</p>
      )}
      <LineEditor
        id="draft"
        label="Draft (YAML)"
        text={text}
        diagnostics={diagnostics}
        onChange={setText}
      />
      <div className="toolbar">
        <button type="button" onClick={() => void saveDraft()}>
          Save draft
        </button>
        <button type="button" className="secondary" onClick={() => void showDiff()}>
          Diff against active
        </button>
        <div className="field">
          <label htmlFor="provision-comment">Comment for the new revision</label>
          <input
            id="provision-comment"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
        </div>
        <button type="button" onClick={() => void provision()}>
          Provision
        </button>
      </div>
      <div aria-live="polite">
        {notice !== null &&
          (notice.ok ? <p className="ok">{notice.text}</p> : <ErrorMessage error={notice.text} />)}
        {saved?.tests !== undefined && <TestResults tests={saved.tests} />}
      </div>
      {diff !== null && (
        <>
          <h2>Diff against the active revision</h2>
          <Show loaded={diff}>{(d) => <DiffPanel diff={d} />}</Show>
        </>
      )}
      <h2>Impact on recorded flows</h2>
      <ReplayPanel text={text} />
      <h2>Recommended rules</h2>
      <RecommendPanel
        onLoad={(yaml) => {
          setText(yaml);
          setNotice({
            ok: true,
            text: "Recommended policy loaded into the editor; review it, then save.",
          });
        }}
      />
      <h2>History</h2>
      <Show loaded={history}>
        {(h) => (
          <HistoryPanel
            history={h}
            onChanged={(message) => {
              setNotice({ ok: true, text: message });
              reloadHistory();
            }}
            onLoadText={(t, n) => {
              setText(t);
              setNotice({
                ok: true,
                text: `Revision #${n} loaded into the editor (not saved yet).`,
              });
            }}
          />
        )}
      </Show>
    </section>
  );
}

function TestResults(props: { tests: NonNullable<DraftSaved["tests"]> }) {
  const t = props.tests;
  if (t.failed === 0) return <p className="ok">All {t.passed} policy tests pass.</p>;
  return (
    <div className="error">
      {t.failed} of {t.passed + t.failed} policy tests fail:
      <ul>
        {t.failures.map((f) => (
          <li key={f.path}>
            {f.path}: {f.from} → {f.to} {f.port} expected {f.expect}
            {f.got !== undefined ? `, got ${f.got}` : ""}
            {f.error !== undefined ? ` (${f.error})` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}

function diagnosticsOf(err: unknown): PolicyDiagnostic[] {
  if (!(err instanceof ApiFailure)) return [];
  const details = err.details as { diagnostics?: PolicyDiagnostic[] } | undefined;
  return details?.diagnostics ?? [];
}
