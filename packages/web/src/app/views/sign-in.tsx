// Sign-in: the admin API token (DATA/admin.token on the controller, or one made with
// `microseg token`). It is checked against GET /api/v1/status before it is kept.
import { type FormEvent, useState } from "react";
import { api } from "../api/client.js";
import { PATHS } from "../api/paths.js";
import { saveToken } from "../api/token.js";
import type { ControllerStatus } from "../api/types.js";

export function SignIn(props: { onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const candidate = token.trim();
    if (candidate === "") {
      setProblem("Enter the admin API token.");
      return;
    }
    setBusy(true);
    try {
      await api<ControllerStatus>("GET", PATHS.status, { token: candidate });
      saveToken(candidate);
      props.onSignedIn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setProblem(`The controller refused this token: ${message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>microseg console</h1>
      <form onSubmit={submit} aria-describedby="token-help">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <p id="token-help" className="muted">
          The admin token is printed on the controller's first start and kept in{" "}
          <code>DATA/admin.token</code>. It stays in this tab only.
        </p>
        {problem !== null && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
