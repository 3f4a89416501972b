import {
  TABLES,
  createGrafanaUserStatements,
  dropGrafanaUserStatements,
  grafanaUserName,
  newGrafanaCredentials,
  rotateGrafanaUserStatements,
  type GrafanaDatasourceServer,
  type GrafanaUserTarget,
  type Store,
} from '@flowtrace/store';

/** What Flowtrace keeps of a project's Grafana user: never its password. */
export interface GrafanaUserRecord {
  projectId: string;
  user: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601: when the password was last set (the creation, or the last rotation). */
  rotatedAt: string;
}

interface RecordRow {
  ProjectId: string;
  UserName: string;
  CreatedAt: string;
  RotatedAt: string;
}

/** The server Grafana is to connect to: where this store connects, and its database. */
export async function grafanaServer(store: Store): Promise<GrafanaDatasourceServer> {
  const [row] = await store.select<{ database: string }>('query.grafana_user.database', 'SELECT currentDatabase() AS database');
  return { url: new URL(store.location).origin, database: row!.database };
}

export async function getGrafanaUser(store: Store, projectId: string): Promise<GrafanaUserRecord | undefined> {
  const rows = await store.select<RecordRow>(
    'query.grafana_user.get',
    `SELECT ProjectId, UserName, CreatedAt, RotatedAt FROM ${TABLES.grafanaUsers} FINAL
     WHERE ProjectId = {projectId:String} AND Deleted = 0`,
    { projectId },
  );
  const row = rows[0];
  return row && { projectId: row.ProjectId, user: row.UserName, createdAt: fromDateTime64(row.CreatedAt), rotatedAt: fromDateTime64(row.RotatedAt) };
}

/**
 * Creates the project's user, or gives it a new password if it has one. The
 * password is in this answer only. A user recorded here but missing on the
 * server (dropped by hand) is created again.
 */
export function createOrRotateGrafanaUser(store: Store, server: GrafanaDatasourceServer, projectId: string): Promise<{ record: GrafanaUserRecord; password: string; rotated: boolean }> {
  return oneAtATime(async () => {
    const existing = await getGrafanaUser(store, projectId);
    const credentials = newGrafanaCredentials();
    const target: GrafanaUserTarget = { projectId, database: server.database, cluster: store.cluster !== undefined };
    let rotated = existing !== undefined;
    if (rotated) {
      try {
        await run(store, 'query.grafana_user.rotate', rotateGrafanaUserStatements(target, credentials));
      } catch (err) {
        if ((err as { type?: unknown }).type !== 'UNKNOWN_USER') throw err;
        rotated = false;
      }
    }
    if (!rotated) await run(store, 'query.grafana_user.create', createGrafanaUserStatements(target, credentials));
    const now = new Date().toISOString();
    const record = { projectId, user: grafanaUserName(projectId), createdAt: rotated ? existing!.createdAt : now, rotatedAt: now };
    await write(store, record, false);
    return { record, password: credentials.password, rotated };
  });
}

/** Drops the project's user, its quota and row policies; false when it has none. */
export function removeGrafanaUser(store: Store, server: GrafanaDatasourceServer, projectId: string): Promise<boolean> {
  return oneAtATime(async () => {
    const existing = await getGrafanaUser(store, projectId);
    if (!existing) return false;
    await run(store, 'query.grafana_user.remove', dropGrafanaUserStatements({ projectId, database: server.database, cluster: store.cluster !== undefined }));
    await write(store, existing, true);
    return true;
  });
}

/** The server refused an access-control statement: the ClickHouse user Flowtrace connects as may not manage users. */
export class AccessManagementDeniedError extends Error {
  override readonly name = 'AccessManagementDeniedError';
}

/**
 * Access-control statements, built and checked by the store's generator (no
 * query parameters exist for them). Run one by one, in the generator's order.
 */
async function run(store: Store, caller: string, statements: string[]): Promise<void> {
  for (const statement of statements) {
    try {
      await store.command(caller, statement);
    } catch (err) {
      if ((err as { type?: unknown }).type !== 'ACCESS_DENIED') throw err;
      throw new AccessManagementDeniedError(
        'the ClickHouse server refused to manage users for the user Flowtrace connects as (CLICKHOUSE_USER): ' +
          'give it ACCESS MANAGEMENT and SELECT on the database WITH GRANT OPTION ' +
          '(with the official image and its default user: CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT=1)',
        { cause: err },
      );
    }
  }
}

let lastVersion = 0;

async function write(store: Store, record: GrafanaUserRecord, deleted: boolean): Promise<void> {
  // Microseconds, increasing within this process: a removal right after a creation still wins.
  const now = Date.now() * 1000;
  lastVersion = now > lastVersion ? now : lastVersion + 1;
  await store.insert('query.grafana_user.record', TABLES.grafanaUsers, [
    {
      ProjectId: record.projectId,
      UserName: record.user,
      CreatedAt: toDateTime64(record.createdAt),
      RotatedAt: toDateTime64(record.rotatedAt),
      Version: lastVersion,
      Deleted: deleted ? 1 : 0,
    },
  ]);
}

let queue: Promise<unknown> = Promise.resolve();

/** Changes run one at a time: two creations at once would each report a password, and only one would hold. */
function oneAtATime<T>(change: () => Promise<T>): Promise<T> {
  const result = queue.then(change);
  queue = result.catch(() => undefined);
  return result;
}

/** ISO-8601 → the 'YYYY-MM-DD hh:mm:ss.sss' text DateTime64(3) columns take (UTC). */
const toDateTime64 = (iso: string) => iso.replace('T', ' ').replace('Z', '');
const fromDateTime64 = (text: string) => `${text.replace(' ', 'T')}Z`;
