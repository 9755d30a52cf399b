// Kubernetes NetworkPolicy (networking.k8s.io/v1) read into the policy model; see
// docs/design/kubernetes.md for the mapping and the corners of the spec it decides.

export { isKubernetesDocument, type KubernetesPolicy, loadKubernetes } from "./load.js";
export { DEFAULT_NAMESPACE } from "./meta.js";
