import type { EntityManager } from '@mikro-orm/postgresql';
import { effectiveScopes } from '../../policies/auth/scopes';

/** What authenticating a request needs of a key, read with its workspace's slug. */
export interface ApiKeyCredential {
  readonly id: string;
  readonly name: string;
  readonly workspaceId: string;
  readonly workspaceSlug: string;
  readonly scopes: readonly string[];
  readonly effectiveScopes: ReadonlySet<string>;
  readonly secretHash: string;
  readonly previousSecretHash: string | null;
  readonly previousSecretExpiresAt: Date | null;
  readonly allowedCidrs: readonly string[];
  readonly rateLimitRequests: number;
  readonly rateLimitWindowSeconds: number;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  lastUsedAt: Date | null;
}

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

interface CredentialRow {
  id: string;
  name: string;
  workspace_id: string;
  workspace_slug: string;
  scopes: string[];
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_expires_at: string | null;
  allowed_cidrs: string[];
  rate_limit_requests: number;
  rate_limit_window_seconds: number;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

async function readCredential(em: EntityManager, id: string): Promise<ApiKeyCredential | null> {
  const [row] = await em.getConnection().execute<CredentialRow[]>(
    `select k.id, k.name, k.workspace_id, w.slug as workspace_slug, k.scopes, k.secret_hash, k.previous_secret_hash, k.previous_secret_expires_at,
            k.allowed_cidrs, k.rate_limit_requests, k.rate_limit_window_seconds, k.expires_at, k.revoked_at, k.last_used_at
     from api_keys k join workspaces w on w.id = k.workspace_id where k.id = ?`,
    [id],
  );
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    workspaceId: row.workspace_id,
    workspaceSlug: row.workspace_slug,
    scopes: row.scopes,
    effectiveScopes: effectiveScopes(row.scopes),
    secretHash: row.secret_hash,
    previousSecretHash: row.previous_secret_hash,
    previousSecretExpiresAt: dateOrNull(row.previous_secret_expires_at),
    allowedCidrs: row.allowed_cidrs,
    rateLimitRequests: row.rate_limit_requests,
    rateLimitWindowSeconds: row.rate_limit_window_seconds,
    expiresAt: dateOrNull(row.expires_at),
    revokedAt: dateOrNull(row.revoked_at),
    lastUsedAt: dateOrNull(row.last_used_at),
  };
}

/** The ORM's connection leaves timestamps as PostgreSQL's text. */
function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}
