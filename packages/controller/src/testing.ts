// Helpers for tests outside this package that need the controller's real services, as
// @microseg/store/testing gives startPostgres: a throwaway NATS JetStream cluster.
export {
  describeWithNats,
  natsServerBin,
  startNatsCluster,
  type TestNatsCluster,
} from "./bus/nats-testing.js";
