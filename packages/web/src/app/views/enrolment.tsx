// Enrolment profiles: create one (the key is shown once, with the agent command to run on a new
// host), list them with their use counts, revoke.
import { type FormEvent, useState } from "react";
import { api } from "../api/client.js";
import { PATHS, route } from "../api/paths.js";
import type { ControllerStatus, Mode, ProfileCreated, ProfileList } from "../api/types.js";
import { labelList, textToLabels } from "../components/labels.js";
import { ErrorMessage, Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";

export function EnrolmentView() {
  const [profiles, reload] = useApi<ProfileList>(PATHS.profiles);
  const [status] = useApi<ControllerStatus>(PATHS.status);
  const [created, setCreated] = useState<ProfileCreated | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function revoke(id: string) {
    try {
      await api("POST", route(PATHS.profileRevoke, { id }));
      reload();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  }

  const fingerprint = status.state === "ok" ? status.data.caFingerprint : null;
  return (
    <section>
      <h1>Enrolment</h1>
      <p>
        A profile's key lets a new host's agent enrol once or many times; the workload it makes gets
        the profile's labels and mode.
      </p>
      <CreateProfile
        onCreated={(c) => {
          setCreated(c);
          reload();
        }}
      />
      {created !== null && <CreatedKey created={created} fingerprint={fingerprint} />}
      {problem !== null && <ErrorMessage error={problem} />}
      <h2>Profiles</h2>
      <Show loaded={profiles}>
        {(p) =>
          p.profiles.length === 0 ? (
            <p className="muted">No enrolment profile yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Expires</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {p.profiles.map((x) => (
                  <tr key={x.id}>
                    <td>{x.name}</td>
                    <td>{labelList(x.labels)}</td>
                    <td>{x.mode}</td>
                    <td>
                      {x.uses}
                      {x.maxUses !== null && ` of ${x.maxUses}`}
                    </td>
                    <td>{x.expiresAt ?? "never"}</td>
                    <td>{x.revoked ? "revoked" : "active"}</td>
                    <td>
                      {!x.revoked && (
                        <button type="button" className="danger" onClick={() => void revoke(x.id)}>
                          Revoke {x.name}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

function CreateProfile(props: { onCreated: (c: ProfileCreated) => void }) {
  const [form, setForm] = useState({ name: "", labels: "", mode: "learn" as Mode, maxUses: "" });
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    const labels = textToLabels(form.labels.replaceAll(",", "\n"));
    if (!labels.ok) {
      setProblem(`Labels: ${labels.problem}`);
      return;
    }
    const maxUses = form.maxUses.trim() === "" ? null : Number(form.maxUses);
    try {
      const out = await api<ProfileCreated>("POST", PATHS.profiles, {
        json: { name: form.name.trim(), labels: labels.labels, mode: form.mode, maxUses },
      });
      props.onCreated(out);
      setForm({ ...form, name: "" });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <form className="toolbar" onSubmit={submit} aria-label="New enrolment profile">
      <div className="field">
        <label htmlFor="p-name">Profile name</label>
        <input
          id="p-name"
          required
          pattern="[a-z0-9][a-z0-9._\-]{0,62}"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="p-labels">Labels (key=value, comma-separated)</label>
        <input
          id="p-labels"
          placeholder="app=shop, role=web, env=prod"
          value={form.labels}
          onChange={(e) => setForm({ ...form, labels: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="p-mode">Mode</label>
        <select
          id="p-mode"
          value={form.mode}
          onChange={(e) => setForm({ ...form, mode: e.target.value as Mode })}
        >
          <option value="learn">learn</option>
          <option value="test">test</option>
          <option value="enforce">enforce</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="p-max">Max uses (empty: unlimited)</label>
        <input
          id="p-max"
          type="number"
          min={1}
          value={form.maxUses}
          onChange={(e) => setForm({ ...form, maxUses: e.target.value })}
        />
      </div>
      <button type="submit">Create profile</button>
      {problem !== null && <ErrorMessage error={problem} />}
    </form>
  );
}

function CreatedKey(props: { created: ProfileCreated; fingerprint: string | null }) {
  const { created, fingerprint } = props;
  // The controller composes the one-line install (it knows its release and packages); an older
  // controller sends none: then the enrol command for a host with the agent installed.
  const enrol = [
    "microseg-agent enrol",
    `--controller ${window.location.origin}`,
    ...(fingerprint !== null ? [`--ca-fingerprint ${fingerprint}`] : []),
    `--enrol-key ${created.key}`,
  ].join(" \\\n    ");
  const command = created.install ?? enrol;
  return (
    <div className="card" role="status">
      <h2>Key for profile {created.profile.name} (shown once)</h2>
      <p className="key">
        <code data-testid="enrol-key">{created.key}</code>
      </p>
      <p>
        Run this on the new host, as root: it checks this controller's CA by its fingerprint,
        installs the agent package, enrols and starts the service (the controller keeps only a hash
        of the key):
      </p>
      <pre className="command" data-testid="install-command">
        {command}
      </pre>
      <p className="muted">
        Use the address the host reaches this controller on if it is not {window.location.host}.
      </p>
    </div>
  );
}
