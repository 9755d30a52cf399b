// @microseg/nft/testing: helpers for other packages' tests (fake nft twin, privileged gate,
// network namespaces, real traffic probes).

export { createFakeNft, type FakeNft } from "./fake-nft.js";
export {
  createNetns,
  joinNamespaces,
  type Link,
  type Netns,
  NetnsGroup,
  sh,
  withNetns,
} from "./netns.js";
export { describePrivileged, missingPrerequisites } from "./privileged.js";
export { type ProbeOptions, probeTcp, probeUdp, type Servers, startServers } from "./traffic.js";
