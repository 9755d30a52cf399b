// Service risk: how much an attacker gains by reaching a service. Lateral movement is weighted by
// it, and the spread detector watches the file-sharing and remote-execution ones.

export type Risk = "high" | "medium" | "low";

interface ServiceInfo {
  readonly name: string;
  readonly risk: Risk;
  /** File sharing or remote execution: how ransomware spreads. */
  readonly spread: boolean;
}

const TCP: Readonly<Record<number, ServiceInfo>> = {
  22: { name: "ssh", risk: "high", spread: true },
  23: { name: "telnet", risk: "high", spread: false },
  135: { name: "rpc", risk: "high", spread: true },
  139: { name: "smb", risk: "high", spread: true },
  445: { name: "smb", risk: "high", spread: true },
  2049: { name: "nfs", risk: "high", spread: true },
  3389: { name: "rdp", risk: "high", spread: false },
  5900: { name: "vnc", risk: "high", spread: false },
  5985: { name: "winrm", risk: "high", spread: true },
  5986: { name: "winrm", risk: "high", spread: true },
  1433: { name: "mssql", risk: "medium", spread: false },
  1521: { name: "oracle", risk: "medium", spread: false },
  3306: { name: "mysql", risk: "medium", spread: false },
  5432: { name: "postgres", risk: "medium", spread: false },
  6379: { name: "redis", risk: "medium", spread: false },
  9200: { name: "elasticsearch", risk: "medium", spread: false },
  11211: { name: "memcached", risk: "medium", spread: false },
  27017: { name: "mongodb", risk: "medium", spread: false },
  2375: { name: "docker", risk: "high", spread: true },
  6443: { name: "kube-apiserver", risk: "medium", spread: false },
};

const UDP: Readonly<Record<number, ServiceInfo>> = {
  2049: { name: "nfs", risk: "high", spread: true },
  137: { name: "netbios", risk: "medium", spread: false },
  161: { name: "snmp", risk: "medium", spread: false },
};

const LOW: ServiceInfo = { name: "", risk: "low", spread: false };

/** The service a port spec (`tcp/22`) names; low risk when unknown. */
export function serviceOf(port: string): ServiceInfo {
  const slash = port.indexOf("/");
  if (slash < 0) return LOW;
  const proto = port.slice(0, slash);
  const n = Number(port.slice(slash + 1));
  const table = proto === "tcp" ? TCP : proto === "udp" ? UDP : undefined;
  return table?.[n] ?? LOW;
}

/** `tcp/445 (smb)` or just `tcp/9999`. */
export function describePort(port: string): string {
  const s = serviceOf(port);
  return s.name === "" ? port : `${port} (${s.name})`;
}
