export { Store, StoreUnavailableError } from './store.js';
export type { StoreOptions, ServerOptions, QueryParams, InsertFormat } from './store.js';
export { openStore } from './open.js';
export type { OpenStoreOptions, OpenedStore } from './open.js';
export { migrate, migrationPlan, loadMigrations, splitStatements } from './migrations.js';
export type { Migration, MigrationPlan } from './migrations.js';
export { clusterStatements, clusterMigrations, clusterRuntimeStatement, assertClusterOptions, ClusterCatalog, ClusterDdlError, SHARDING_KEYS, DEDUPLICATION_WINDOW_SECONDS } from './cluster.js';
export type { ClusterOptions, ClusterContext } from './cluster.js';
export { applyTtl } from './ttl.js';
export { TABLES } from './tables.js';
export type { TableName } from './tables.js';
export { nanosToDateTime64, dateTime64ToNanos } from './rows.js';
export type { SpanRow, LogRow } from './rows.js';
export { Projects, AdminToken, ProjectNameTakenError, sha256Hex } from './projects.js';
export type { Project, ApiKeyInfo, KeyIdentity } from './projects.js';
export { bearerToken } from './log.js';
export type { Logger } from './log.js';
export { Retention, RETENTION_PLANS } from './retention.js';
export type { RetentionPlan, RetentionPolicy, EnforcementResult } from './retention.js';
export {
  GRAFANA_READABLE_TABLES,
  GRAFANA_USER_LIMITS,
  newGrafanaCredentials,
  grafanaUserName,
  grafanaDatasourceUid,
  createGrafanaUserStatements,
  rotateGrafanaUserStatements,
  dropGrafanaUserStatements,
  grafanaDatasourceYaml,
} from './grafanaUsers.js';
export type { GrafanaCredentials, GrafanaUserTarget, GrafanaDatasourceServer } from './grafanaUsers.js';
