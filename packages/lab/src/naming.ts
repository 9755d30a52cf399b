// Names of what the lab creates in the kernel. Every network namespace a lab makes starts with
// LAB_PREFIX, so `lab down` can find leftovers of a crashed run without any state file.
//
//   mseg-<lab>            the segment: a Linux bridge `br0` plus one veth end per host (`h<i>`)
//   mseg-<lab>-<host>     one per host: `lo` and `eth0` (the other end of `h<i>`)
//   mseg-<lab>.ctl        the lab's controller: `lo` and `eth0` (the other end of `c0`)
//
// The bridge namespace carries no host suffix, so no host name can collide with it; the
// controller's has a `.`, which lab and host names cannot contain, so it cannot collide either.
// Interface names stay within the kernel's 15-character limit whatever the host is called.

export const LAB_PREFIX = "mseg-";

/** The namespace that holds the lab's bridge. */
export function bridgeNamespace(lab: string): string {
  return `${LAB_PREFIX}${lab}`;
}

/** The namespace of one lab host. */
export function hostNamespace(lab: string, host: string): string {
  return `${LAB_PREFIX}${lab}-${host}`;
}

/** The namespace of the lab's controller. */
export function controllerNamespace(lab: string): string {
  return `${LAB_PREFIX}${lab}.ctl`;
}

/** The bridge-side end of the controller's veth. */
export const CONTROLLER_PORT = "c0";

/** The bridge-side end of host number `index`'s veth (in the bridge namespace). */
export function bridgePortName(index: number): string {
  return `h${index}`;
}

export const BRIDGE_NAME = "br0";
export const HOST_INTERFACE = "eth0";
