import { Store, type StoreOptions } from './store.js';
import { migrate } from './migrations.js';
import { applyTtl } from './ttl.js';

export interface OpenStoreOptions extends StoreOptions {
  /** Days rows are kept; 0 keeps them forever. */
  ttlDays: number;
  /** Hears of each migration as it starts (one that copies a table can take minutes). */
  onMigration?: (name: string) => void;
}

export interface OpenedStore {
  store: Store;
  /** Migrations applied by this start; empty when the store was up to date. */
  migrationsApplied: string[];
}

/** Connects, applies pending migrations and the configured TTL: the start-up path of every process. */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const store = await Store.connect(options);
  try {
    const migrationsApplied = await migrate(store, undefined, options.onMigration);
    await applyTtl(store, options.ttlDays, migrationsApplied.length > 0);
    return { store, migrationsApplied };
  } catch (err) {
    await store.close();
    throw err;
  }
}
