import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Store } from './store.js';
import { TABLES } from './tables.js';
import { clusterMigrations, clusterStatements, ClusterCatalog, type ClusterOptions } from './cluster.js';

/** Shipped beside src/ and dist/, so the same relative path works from both. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** The numbered migrations in order, each split into its statements. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file ${file} is not named NNNN_verb_object.sql`);
      return { version: Number(match[1]), name: file, statements: splitStatements(readFileSync(join(dir, file), 'utf8')) };
    })
    .sort((a, b) => a.version - b.version);
}

/** Splits a file on semicolons that end a line; comment-only pieces are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}

/** The ledger of applied migrations, created before any migration runs. */
const LEDGER = `CREATE TABLE IF NOT EXISTS ${TABLES.migrations} (
       Version UInt32,
       Name String,
       AppliedAt DateTime64(3) DEFAULT now64(3)
     ) ENGINE = ReplacingMergeTree ORDER BY Version`;

/** What migrate() runs: the ledger's DDL, then each migration's statements. */
export interface MigrationPlan {
  ledger: string[];
  migrations: Migration[];
}

/**
 * The statements migrate() runs, as they are run: for a single server as
 * written, for a cluster in their cluster form (see cluster.ts), which is
 * what `flowtrace migrate --print` shows.
 */
export function migrationPlan(migrations = loadMigrations(), cluster?: ClusterOptions): MigrationPlan {
  if (!cluster) return { ledger: [LEDGER], migrations };
  const ledger = clusterStatements(LEDGER, { ...cluster, file: `${TABLES.migrations} (store/src/migrations.ts)`, catalog: new ClusterCatalog() });
  return { ledger, migrations: clusterMigrations(migrations, cluster) };
}

/**
 * Applies the migrations not yet recorded, in order, and records each one.
 * Statements are idempotent (IF NOT EXISTS), so a run cut short is safe to
 * repeat. Returns the names applied by this call: none on a migrated store.
 * `onApply` hears of each one as it starts.
 *
 * One process at a time: two processes migrating the same server at once
 * would both run a migration that drops and re-creates a table (0009, 0010),
 * and could copy its rows twice. The compose files run `flowtrace migrate`
 * once, before the collectors and query APIs start.
 */
export async function migrate(store: Store, migrations = loadMigrations(), onApply?: (name: string) => void): Promise<string[]> {
  const plan = migrationPlan(migrations, store.cluster);
  // On a cluster, DDL waits for every node: skipped once the ledger exists, so
  // a start does not need every node up.
  const [ledger] = store.cluster ? await store.select<{ result: number }>('store.migrate', `EXISTS TABLE ${TABLES.migrations}`) : [];
  if (Number(ledger?.result ?? 0) === 0) {
    for (const statement of plan.ledger) await store.command('store.migrate', statement);
  }
  const applied = await store.select<{ Version: number }>('store.migrate', `SELECT DISTINCT Version FROM ${TABLES.migrations}`);
  const done = new Set(applied.map((row) => Number(row.Version)));
  const names: string[] = [];
  for (const migration of plan.migrations) {
    if (done.has(migration.version)) continue;
    // Told before it runs: a migration that copies a table can take a while.
    onApply?.(migration.name);
    for (const statement of migration.statements) {
      await store.command(`store.migrate.${migration.name}`, statement);
    }
    await store.insert('store.migrate', TABLES.migrations, [{ Version: migration.version, Name: migration.name }]);
    names.push(migration.name);
  }
  return names;
}
