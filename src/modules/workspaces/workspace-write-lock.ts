import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes the workspace's row for the rest of the transaction, before any row the transaction
 * changes. Recording an event and updating the analytics rollups lock it anyway; taking it first
 * means every writer of a workspace locks in the same order, so concurrent writers (an idempotent
 * batch holds its locks across operations) wait for each other instead of deadlocking.
 */
export async function lockWorkspaceForWrite(em: EntityManager, workspaceId: string): Promise<void> {
  await em.execute('select 1 from workspaces where id = ? for no key update', [workspaceId]);
}
