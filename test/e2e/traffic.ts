// Real connections between lab hosts for the end-to-end tests: each flow opens a TCP connection
// (or sends a UDP datagram) from inside the source host's namespace with bash's /dev/tcp|udp.
import { labExec, readState } from "@microseg/lab";

export interface Flow {
  readonly from: string;
  readonly to: string;
  /** `tcp/80`, `udp/514` */
  readonly port: string;
}

export const flow = (from: string, to: string, port: string): Flow => ({ from, to, port });

export function addressOf(dir: string, host: string): string {
  const h = readState(dir)?.hosts.find((x) => x.name === host);
  if (h === undefined) throw new Error(`no lab host ${host}`);
  return h.address;
}

/** Runs each flow `times` times; resolves to how many connections completed. */
export async function runFlows(dir: string, flows: readonly Flow[], times = 1): Promise<number> {
  let ok = 0;
  for (let i = 0; i < times; i++) {
    const codes = await Promise.all(flows.map((f) => connectOnce(dir, f)));
    ok += codes.filter((c) => c === 0).length;
  }
  return ok;
}

export function connectOnce(dir: string, f: Flow): Promise<number> {
  const [proto, port] = f.port.split("/");
  const target = `/dev/${proto}/${addressOf(dir, f.to)}/${port}`;
  const script = proto === "udp" ? `echo x > ${target}` : `exec 3<>${target}`;
  return labExec(f.from, ["timeout", "2", "bash", "-c", script], { dir, stdio: "ignore" });
}

/** Polls `check` until it returns a value, at most `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
