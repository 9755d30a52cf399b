// Application discovery: Louvain communities of workloads, tiers by served services, label
// suggestions for workloads missing app or role.
export {
  type ApplicationGroup,
  type DiscoverInput,
  type Discovery,
  discoverApplications,
  type Tier,
} from "./discover.js";
export { PORT_ROLES } from "./served.js";
export type { LabelSuggestion } from "./suggest.js";
