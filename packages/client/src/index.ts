// @microseg/client: a typed client of the controller's admin API (protocol v1) over node's
// http/https, with the CA trust helpers (fetch /api/ca.pem, check its fingerprint). Used by the
// `microseg` command; depends only on core and protocol, so the lab may use it too.
export { type ClientOptions, ControllerClient, type ProvisionInput } from "./client.js";
export { type PolicyDiagnostic, policyDiagnostics } from "./diagnostics.js";
export { type Endpoint, Failover } from "./failover.js";
export {
  createTransport,
  type RawRequest,
  type RawResponse,
  type Transport,
  UnreachableError,
} from "./transport.js";
export { type FetchedCa, fetchCa, fingerprintOfPem, pinnedCa, untrusted } from "./trust.js";
export type * from "./types.js";
