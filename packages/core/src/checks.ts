// `@microseg/core/checks`: the one definition of each name, label and address grammar, and the
// escape for text shown to people, without the rest of core (YAML reader, compiler), so the
// protocol's schemas can use them in an agent process that loads only `@microseg/protocol/agent`.

export { canonicalAddress, checkAddress, isAddress } from "./policy/addresses.js";
export { checkHostname, checkInterfaceName, workloadNameOfHost } from "./policy/host.js";
export { checkLabelKey, checkLabelValue } from "./policy/labels.js";
export { checkName, checkPortName, checkWorkloadName } from "./policy/names.js";
export type { Problem } from "./policy/problem.js";
export { escapeControls, hasControls } from "./text.js";
