// Readiness for systemd (Type=notify units): READY=1 once the program does its job, STOPPING=1
// when it shuts down. Node has no AF_UNIX datagram socket, so systemd-notify(1) sends the message;
// `--pid` names this process as the sender, and the units set NotifyAccess=all because the
// message comes from a child. Outside systemd (no NOTIFY_SOCKET) nothing happens.
import { spawn } from "node:child_process";

export function notifySystemd(state: "READY=1" | "STOPPING=1", status?: string): Promise<void> {
  if (!process.env.NOTIFY_SOCKET) return Promise.resolve();
  const args = [`--pid=${process.pid}`, state, ...(status ? [`STATUS=${status}`] : [])];
  return new Promise((resolve) => {
    const child = spawn("systemd-notify", args, { stdio: "ignore" });
    // A missing systemd-notify or a refused message must never stop the program: it only
    // delays the unit's "started" until TimeoutStartSec, which the journal shows.
    child.on("error", () => resolve());
    child.on("exit", () => resolve());
  });
}
