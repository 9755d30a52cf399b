// @microseg/controller: the policy control centre. startController() (main.ts) runs it on a
// socket over the embedded SQLite store; buildController() wires it around any Store for tests.

export { type BackupOptions, backupController } from "./backup/backup.js";
export { type Manifest as BackupManifest, verifiedManifest } from "./backup/manifest.js";
export { type RestoreOptions, type RestoreResult, restoreController } from "./backup/restore.js";
export { type BuildOptions, type BuiltController, buildController } from "./build.js";
export type { ControllerContext, ControllerSettings } from "./context.js";
export { openApiDocument, ROUTES } from "./http/openapi.js";
export { PolicyHub } from "./hub/policy-hub.js";
export { DEFAULT_LIMITS, type LimitSettings } from "./limits/defaults.js";
export {
  ADMIN_TOKEN_FILE,
  type RunningController,
  resetAdminToken,
  type StartOptions,
  startController,
} from "./main.js";
export { fingerprintOfPem } from "./tls/ensure-tls.js";
