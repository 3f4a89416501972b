import type { Store } from './store.js';
import { TABLES } from './tables.js';

/** Names of the process-wide settings kept in flowtrace_settings. */
export const SETTINGS = {
  adminTokenSha256: 'admin_token_sha256',
  ttlDays: 'ttl_days',
} as const;

export type SettingName = (typeof SETTINGS)[keyof typeof SETTINGS];

export async function readSetting(store: Store, name: SettingName): Promise<string | undefined> {
  const rows = await store.select<{ Value: string }>(
    'store.settings.read',
    `SELECT Value FROM ${TABLES.settings} FINAL WHERE Name = {name:String}`,
    { name },
  );
  return rows[0]?.Value;
}

export async function writeSetting(store: Store, name: SettingName, value: string): Promise<void> {
  await store.insert('store.settings.write', TABLES.settings, [{ Name: name, Value: value, Version: Date.now() }]);
}
