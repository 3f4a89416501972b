import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Store } from './store.js';
import { TABLES } from './tables.js';
import { SETTINGS, readSetting, writeSetting } from './settings.js';

export interface Project {
  id: string;
  name: string;
  createdAt: string;
}

/** What is kept of an API key: never the key itself, only its hash and a prefix to recognise it by. */
export interface ApiKeyInfo {
  id: string;
  projectId: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface KeyIdentity {
  projectId: string;
  keyId: string;
}

/** A project of that name (any case) exists already: names tell projects apart in lists and logs. */
export class ProjectNameTakenError extends Error {
  override readonly name = 'ProjectNameTakenError';
  constructor(
    readonly projectName: string,
    readonly existingId: string,
  ) {
    super(`a project named "${projectName}" already exists (id ${existingId}); choose another name`);
  }
}

const KEY_PREFIX = 'ftk_';
/** How many characters of a key are kept in clear, to tell keys apart in a list. */
const SHOWN_KEY_CHARS = 12;
const MAX_CACHED_KEYS = 10_000;

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

interface ApiKeyRow {
  Id: string;
  ProjectId: string;
  Name: string;
  KeyHash: string;
  KeyPrefix: string;
  CreatedAt: string;
  RevokedAt: string | null;
}

/**
 * Projects and their API keys. Keys are random 192-bit secrets shown once; only
 * their SHA-256 is stored (a salt adds nothing for secrets of that entropy).
 *
 * Lookups are cached for `keyCacheMs`. A revocation made through this instance
 * drops the key from its cache at once; another process (collector and query
 * API run apart in server mode) sees it within `keyCacheMs`.
 */
export class Projects {
  readonly #store: Store;
  readonly #keyCacheMs: number;
  readonly #cache = new Map<string, { identity: KeyIdentity | undefined; expires: number }>();
  /** Creations run one at a time, so that two of the same name cannot both pass the check. */
  #creating: Promise<unknown> = Promise.resolve();

  constructor(store: Store, options: { keyCacheMs: number }) {
    this.#store = store;
    this.#keyCacheMs = options.keyCacheMs;
  }

  /**
   * Creates a project; a name already taken (compared trimmed, in any case)
   * throws ProjectNameTakenError. Creations through this instance are
   * serialized; the admin API is the one writer of projects.
   */
  createProject(name: string): Promise<Project> {
    const created = this.#creating.then(async () => {
      const taken = await this.findProjectByName(name);
      if (taken) throw new ProjectNameTakenError(name, taken.id);
      const project = { id: randomUUID(), name, createdAt: new Date().toISOString() };
      await this.#store.insert('projects.create', TABLES.projects, [
        { Id: project.id, Name: name, CreatedAt: toDateTime64(project.createdAt), Version: Date.now() },
      ]);
      return project;
    });
    this.#creating = created.catch(() => undefined);
    return created;
  }

  /** Every project, oldest first. */
  async listProjects(): Promise<Project[]> {
    const rows = await this.#store.select<{ Id: string; Name: string; CreatedAt: string }>(
      'projects.list',
      `SELECT Id, Name, CreatedAt FROM ${TABLES.projects} FINAL ORDER BY CreatedAt, Id`,
    );
    return rows.map((row) => ({ id: row.Id, name: row.Name, createdAt: fromDateTime64(row.CreatedAt) }));
  }

  /** The project of this name, compared trimmed and in any case. */
  async findProjectByName(name: string): Promise<Project | undefined> {
    const rows = await this.#store.select<{ Id: string; Name: string; CreatedAt: string }>(
      'projects.by_name',
      `SELECT Id, Name, CreatedAt FROM ${TABLES.projects} FINAL
       WHERE lowerUTF8(trimBoth(Name)) = lowerUTF8(trimBoth({name:String}))
       ORDER BY CreatedAt LIMIT 1`,
      { name },
    );
    const row = rows[0];
    return row && { id: row.Id, name: row.Name, createdAt: fromDateTime64(row.CreatedAt) };
  }

  async getProject(id: string): Promise<Project | undefined> {
    const rows = await this.#store.select<{ Id: string; Name: string; CreatedAt: string }>(
      'projects.get',
      `SELECT Id, Name, CreatedAt FROM ${TABLES.projects} FINAL WHERE Id = {id:String}`,
      { id },
    );
    const row = rows[0];
    return row && { id: row.Id, name: row.Name, createdAt: fromDateTime64(row.CreatedAt) };
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside its holder. */
  async createApiKey(projectId: string, name: string): Promise<{ info: ApiKeyInfo; key: string }> {
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const info: ApiKeyInfo = {
      id: randomUUID(),
      projectId,
      name,
      prefix: key.slice(0, SHOWN_KEY_CHARS),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.#store.insert('projects.keys.create', TABLES.apiKeys, [
      {
        Id: info.id,
        ProjectId: projectId,
        Name: name,
        KeyHash: sha256Hex(key),
        KeyPrefix: info.prefix,
        CreatedAt: toDateTime64(info.createdAt),
        RevokedAt: null,
        Version: Date.now(),
      },
    ]);
    this.#forgetUnknownKeys();
    return { info, key };
  }

  async listApiKeys(projectId: string): Promise<ApiKeyInfo[]> {
    const rows = await this.#store.select<ApiKeyRow>(
      'projects.keys.list',
      `SELECT Id, ProjectId, Name, KeyHash, KeyPrefix, CreatedAt, RevokedAt
       FROM ${TABLES.apiKeys} FINAL WHERE ProjectId = {projectId:String} ORDER BY CreatedAt, Id`,
      { projectId },
    );
    return rows.map(toKeyInfo);
  }

  /** Revokes a key of the project; false when the project has no such key. */
  async revokeApiKey(projectId: string, keyId: string): Promise<boolean> {
    const rows = await this.#store.select<ApiKeyRow>(
      'projects.keys.revoke',
      `SELECT Id, ProjectId, Name, KeyHash, KeyPrefix, CreatedAt, RevokedAt
       FROM ${TABLES.apiKeys} FINAL WHERE ProjectId = {projectId:String} AND Id = {keyId:String}`,
      { projectId, keyId },
    );
    const row = rows[0];
    if (!row) return false;
    if (row.RevokedAt === null) {
      await this.#store.insert('projects.keys.revoke', TABLES.apiKeys, [
        { ...row, RevokedAt: toDateTime64(new Date().toISOString()), Version: Date.now() },
      ]);
    }
    this.#cache.delete(row.KeyHash);
    return true;
  }

  /** The project and key a presented secret belongs to, or undefined for an unknown or revoked key. */
  async authenticate(key: string): Promise<KeyIdentity | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const hash = sha256Hex(key);
    const now = Date.now();
    const cached = this.#cache.get(hash);
    if (cached && cached.expires > now) return cached.identity;
    const rows = await this.#store.select<{ Id: string; ProjectId: string }>(
      'projects.keys.authenticate',
      `SELECT Id, ProjectId FROM ${TABLES.apiKeys} FINAL WHERE KeyHash = {hash:String} AND RevokedAt IS NULL`,
      { hash },
    );
    const row = rows[0];
    const identity = row && { projectId: row.ProjectId, keyId: row.Id };
    if (this.#keyCacheMs > 0) {
      if (this.#cache.size >= MAX_CACHED_KEYS) this.#cache.clear();
      this.#cache.set(hash, { identity, expires: now + this.#keyCacheMs });
    }
    return identity;
  }

  #forgetUnknownKeys(): void {
    for (const [hash, entry] of this.#cache) if (!entry.identity) this.#cache.delete(hash);
  }
}

/**
 * The admin token guards /admin. Given in the environment it is never stored;
 * otherwise one is generated on the first start of a data directory, returned
 * once (to be printed), and only its hash is kept.
 */
export class AdminToken {
  readonly #hash: Buffer;
  /** Set only on the start that generated the token. */
  readonly generated: string | undefined;

  private constructor(hash: string, generated: string | undefined) {
    this.#hash = Buffer.from(hash, 'hex');
    this.generated = generated;
  }

  static async load(store: Store, fromEnv: string | undefined): Promise<AdminToken> {
    if (fromEnv) return new AdminToken(sha256Hex(fromEnv), undefined);
    const stored = await readSetting(store, SETTINGS.adminTokenSha256);
    if (stored) return new AdminToken(stored, undefined);
    const token = 'fta_' + randomBytes(24).toString('base64url');
    const hash = sha256Hex(token);
    await writeSetting(store, SETTINGS.adminTokenSha256, hash);
    return new AdminToken(hash, token);
  }

  matches(presented: string): boolean {
    return timingSafeEqual(Buffer.from(sha256Hex(presented), 'hex'), this.#hash);
  }
}

function toKeyInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.Id,
    projectId: row.ProjectId,
    name: row.Name,
    prefix: row.KeyPrefix,
    createdAt: fromDateTime64(row.CreatedAt),
    revokedAt: row.RevokedAt === null ? null : fromDateTime64(row.RevokedAt),
  };
}

/** ISO-8601 → the 'YYYY-MM-DD hh:mm:ss.sss' text DateTime64(3) columns take (UTC). */
function toDateTime64(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

function fromDateTime64(text: string): string {
  return text.replace(' ', 'T') + 'Z';
}
