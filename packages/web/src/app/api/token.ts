// The admin API token lives in sessionStorage: it survives a reload, not the closing of the tab.
const KEY = "microseg.token";

export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
