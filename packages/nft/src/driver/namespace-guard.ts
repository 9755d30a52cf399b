// SAFETY (firm): the driver never touches the machine's root network namespace unless told to.
// Root is recognised by the namespace file's identity (device + inode) being that of pid 1's.
// Callers that pass `netns` act through `ip netns exec <netns>`; the name is checked first.

import { stat } from "node:fs/promises";
import { release as osRelease } from "node:os";
import { MicrosegError } from "@microseg/core/errors";

export interface NamespaceTarget {
  readonly netns?: string;
  readonly allowRootNamespace?: boolean;
}

/** nsfs inode of init_net on current kernels (PROC_NET_INIT_INO); dynamic inodes are larger. */
const INIT_NET_INO = 0xeffffff9;

/** Throws MSEG_NFT_APPLY_FAILED when the target is the root namespace (and that is not allowed). */
export async function assertNamespaceAllowed(target: NamespaceTarget): Promise<void> {
  if (target.allowRootNamespace) return;
  if (target.netns !== undefined && !/^[A-Za-z0-9_.-]+$/.test(target.netns)) {
    throw refuse(`"${target.netns}" is not a valid network namespace name`);
  }
  const path = target.netns ? `/run/netns/${target.netns}` : "/proc/self/ns/net";
  const [mine, self, pid1] = await Promise.all([
    identity(path),
    identity("/proc/self/ns/net"),
    identity("/proc/1/ns/net"),
  ]);
  if (!mine) throw refuse(`network namespace ${path} does not exist`);
  if (isRoot(mine, self, pid1)) {
    const where = target.netns ? `namespace "${target.netns}" is` : "this process runs in";
    throw refuse(
      `${where} the root network namespace; refusing to load nftables rules there. ` +
        "Pass netns, or allowRootNamespace: true on a machine you mean to firewall.",
    );
  }
}

/**
 * Root when it is pid 1's namespace. Some sandboxes hide /proc/1/ns: then root is init_net's
 * fixed inode, which every kernel since 3.8 gives it (so a process that runs inside a namespace,
 * like an agent started with `ip netns exec`, is recognised as not in root). On older kernels we
 * fail closed for our own namespace (only a namespace other than the one we run in is accepted).
 */
export function isRoot(
  mine: Identity,
  self: Identity | undefined,
  pid1: Identity | undefined,
  release = osRelease(),
): boolean {
  if (pid1) return mine.key === pid1.key;
  if (mine.ino === INIT_NET_INO) return true;
  if (self && self.ino === INIT_NET_INO) return false;
  if (hasFixedInitNetInode(release)) return false;
  return !self || self.key === mine.key;
}

/** PROC_NET_INIT_INO exists since Linux 3.8. */
function hasFixedInitNetInode(release: string): boolean {
  const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
  return major > 3 || (major === 3 && minor >= 8);
}

export interface Identity {
  readonly key: string;
  readonly ino: number;
}

async function identity(path: string): Promise<Identity | undefined> {
  try {
    const s = await stat(path);
    return { key: `${s.dev}:${s.ino}`, ino: s.ino };
  } catch {
    return undefined;
  }
}

function refuse(message: string): MicrosegError {
  return new MicrosegError("MSEG_NFT_APPLY_FAILED", message);
}
