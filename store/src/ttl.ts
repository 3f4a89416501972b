import type { Store } from './store.js';
import { TTL_COLUMNS } from './tables.js';
import { SETTINGS, readSetting, writeSetting } from './settings.js';

/**
 * Makes the tables' TTL match `days` (0: keep forever). The TTL in force is
 * recorded, so a start-up with an unchanged value runs no ALTER. Existing parts
 * are not rewritten: expired rows go as parts merge or their day's partition
 * expires whole (ttl_only_drop_parts). `force` applies it even when unchanged:
 * after migrations, whose new tables have no TTL yet.
 */
export async function applyTtl(store: Store, days: number, force = false): Promise<boolean> {
  if (!Number.isSafeInteger(days) || days < 0) throw new Error(`TTL days must be a whole number ≥ 0, got ${days}`);
  const current = (await readSetting(store, SETTINGS.ttlDays)) ?? '0';
  if (current === String(days) && !(force && days > 0)) return false;
  for (const [table, column] of TTL_COLUMNS) {
    const clause = days === 0 ? 'REMOVE TTL' : `MODIFY TTL ${column} + toIntervalDay(${days})`;
    await store.command('store.ttl', `ALTER TABLE ${table} ${clause} SETTINGS materialize_ttl_after_modify = 0`);
  }
  await writeSetting(store, SETTINGS.ttlDays, String(days));
  return true;
}
