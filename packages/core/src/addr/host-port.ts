// `HOST:PORT` as listen flags take it: `127.0.0.1:8443`, `[::1]:8443`, `0.0.0.0:0`,
// `localhost:8443` (the controller's --listen, the agent's --metrics-listen).

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The host (IPv6 without brackets) and port, or undefined when `text` is not HOST:PORT. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) return undefined;
  return { host, port };
}
