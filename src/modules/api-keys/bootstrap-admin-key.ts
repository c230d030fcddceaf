import type { EntityManager } from '@mikro-orm/postgresql';
import { operatorActor } from '../../policies/auth/actor';
import { Workspace, ensureWorkspace } from '../workspaces';
import type { ApiKeyService, IssuedApiKey } from './api-key.service';

/** Serialises first starts of several instances on one database. */
const bootstrapLockId = 4_000_001;

/**
 * On an empty database: creates workspace `default` and one admin key, and returns it so the
 * caller can print its secret once. Returns undefined on every later start.
 */
export async function bootstrapAdminKey(em: EntityManager, apiKeys: ApiKeyService): Promise<IssuedApiKey | undefined> {
  return em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?)', [bootstrapLockId]);
    if ((await tx.count(Workspace, {})) > 0) return undefined;
    const { workspace } = await ensureWorkspace(tx, 'default');
    return apiKeys.create(tx, operatorActor(workspace.id, 'bootstrap'), { name: 'Bootstrap admin key', scopes: ['admin'] });
  });
}
