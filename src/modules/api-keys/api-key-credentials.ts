import type { EntityManager } from '@mikro-orm/postgresql';
import { effectiveScopes } from '../../policies/auth/scopes';
import { plainRowFromColumns, type PlainRow } from '../../platform/database/plain-rows';
import { ApiKey } from './api-key.entity';

/** What authenticating a request needs of a key: its row, its workspace's slug and its scopes with `admin` expanded. */
export type ApiKeyCredential = PlainRow<ApiKey, 'workspace'> & {
  readonly workspaceSlug: string;
  readonly effectiveScopes: ReadonlySet<string>;
};

/** PostgreSQL notifies this channel with a key's id when anything but its last use changes (see the migration). */
export const apiKeyChangesChannel = 'gateway_api_keys';
/** Payload of a notification that every key may have changed (a TRUNCATE). */
export const allKeysChanged = '*';

/** Cached credentials are read again after this long even without a notification, as a second line of defence. */
const maxAgeMs = 30_000;
/** Bounds memory when many keys authenticate; the oldest entry makes room. */
const maxEntries = 10_000;

interface Entry {
  readonly credential: ApiKeyCredential;
  readonly readAt: number;
}

/**
 * Key credentials, cached per process while a LISTEN connection reports every change to
 * `api_keys` (the migration's trigger), so most requests need no key lookup. While the connection
 * is down nothing is cached and every request reads its key, as before the cache. This process's
 * own key changes invalidate at commit (`invalidate`), so a revocation applies to the revoker's
 * next request here, and to other instances' once PostgreSQL delivers the notification.
 */
export class ApiKeyCredentials {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a read that started before one must not be cached. */
  private generation = 0;
  private isListening = false;

  async find(em: EntityManager, id: string): Promise<ApiKeyCredential | null> {
    const entry = this.entries.get(id);
    if (entry && Date.now() - entry.readAt < maxAgeMs) return entry.credential;
    const generationAtRead = this.generation;
    const credential = await readCredential(em, id);
    if (credential && this.isListening && generationAtRead === this.generation) this.remember(credential);
    return credential;
  }

  invalidate(id: string): void {
    this.generation++;
    if (id === allKeysChanged) this.entries.clear();
    else this.entries.delete(id);
  }

  /** For the LISTEN connection: caching is safe only while it listens. */
  setListening(isListening: boolean): void {
    this.isListening = isListening;
    this.invalidate(allKeysChanged);
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(credential: ApiKeyCredential): void {
    this.entries.delete(credential.id);
    if (this.entries.size >= maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(credential.id, { credential, readAt: Date.now() });
  }
}

async function readCredential(em: EntityManager, id: string): Promise<ApiKeyCredential | null> {
  const [row] = await em.getConnection().execute<(Record<string, unknown> & { workspace_slug: string })[]>(
    'select k.*, w.slug as workspace_slug from api_keys k join workspaces w on w.id = k.workspace_id where k.id = ?',
    [id],
  );
  if (!row) return null;
  const apiKey = plainRowFromColumns<PlainRow<ApiKey, 'workspace'>>(em, ApiKey, row);
  return { ...apiKey, workspaceSlug: row.workspace_slug, effectiveScopes: effectiveScopes(apiKey.scopes) };
}
