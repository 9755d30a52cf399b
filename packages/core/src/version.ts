// The release: one version for `microseg --version`, `microseg-agent --version`, the packages and
// the controller's API. The workspace's package.json files carry the same (a test holds them equal).
export const VERSION = "0.2.0";
