// What the lab needs from the machine, checked before anything is created.
import { spawnSync } from "node:child_process";
import { MicrosegError } from "@microseg/core";

export const REQUIRED_TOOLS = ["ip", "nft"] as const;

function hasTool(tool: string): boolean {
  const r = spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore", timeout: 5000 });
  return r.status === 0;
}

/** Tools from REQUIRED_TOOLS that are not on PATH. */
export function missingTools(tools: readonly string[] = REQUIRED_TOOLS): string[] {
  return tools.filter((t) => !hasTool(t));
}

/** Throws MSEG_LAB_NOT_ROOT / MSEG_LAB_MISSING_TOOL naming exactly what is missing. */
export function preflight(): void {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new MicrosegError(
      "MSEG_LAB_NOT_ROOT",
      `the lab needs root to create network namespaces and load nftables rules (running as uid ${process.getuid()}); run it with sudo`,
    );
  }
  const missing = missingTools();
  if (missing.length > 0) {
    const pkgs = missing.map((t) => (t === "ip" ? "iproute2" : "nftables")).join(" ");
    throw new MicrosegError(
      "MSEG_LAB_MISSING_TOOL",
      `the lab needs ${missing.map((t) => `\`${t}\``).join(" and ")} on PATH; install ${pkgs} (e.g. apt-get install ${pkgs})`,
    );
  }
}
