import { createHash } from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/postgresql';
import type { ExternalId } from './customer.rules';

/**
 * Serialises, per workspace, every write that looks up and then claims an email or external id,
 * until the transaction ends. Without it two concurrent upserts of one new external id would
 * both miss the lookup and create two customers. Keys are taken in ascending order, so two
 * writers claiming the same pair never deadlock; take them before any customer row lock.
 */
export async function lockIdentities(em: EntityManager, workspaceId: string, identities: { emails?: readonly (string | null | undefined)[]; externalIds?: readonly ExternalId[] }): Promise<void> {
  const names = [
    ...(identities.emails ?? []).filter((email): email is string => !!email).map((email) => `email:${email.toLowerCase()}`),
    ...(identities.externalIds ?? []).map(({ system, externalId }) => `external:${system}:${externalId}`),
  ];
  const keys = [...new Set(names.map((name) => lockKey(workspaceId, name)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) await em.execute('select pg_advisory_xact_lock(?)', [key.toString()]);
}

export async function findCustomerIdByEmail(em: EntityManager, workspaceId: string, email: string): Promise<string | undefined> {
  const rows = await em.execute<{ id: string }[]>('select id from customers where workspace_id = ? and lower(email) = lower(?)', [workspaceId, email]);
  return rows[0]?.id;
}

export async function findCustomerIdByExternalId(em: EntityManager, workspaceId: string, { system, externalId }: ExternalId): Promise<string | undefined> {
  const rows = await em.execute<{ customer_id: string }[]>(
    'select customer_id from customer_external_ids where workspace_id = ? and system = ? and external_id = ?',
    [workspaceId, system, externalId],
  );
  return rows[0]?.customer_id;
}

/**
 * Conditions on `id` as SQL subqueries. Raw fragments as values, unlike raw keys, survive being
 * used twice (the page query and its COUNT).
 */
export const customerIdsWith = {
  email: (workspaceId: string, email: string) =>
    ({ id: { $in: raw('(select id from customers where workspace_id = ? and lower(email) = lower(?))', [workspaceId, email]) } }) as const,
  externalId: (workspaceId: string, { system, externalId }: ExternalId) =>
    ({
      id: { $in: raw('(select customer_id from customer_external_ids where workspace_id = ? and system = ? and external_id = ?)', [workspaceId, system, externalId]) },
    }) as const,
  text: (workspaceId: string, text: string) =>
    ({ id: { $in: raw(`(select id from customers where workspace_id = ? and search @@ plainto_tsquery('simple', ?))`, [workspaceId, text]) } }) as const,
};

/** A signed 64-bit advisory lock key; a collision only serialises two unrelated writes. */
function lockKey(workspaceId: string, name: string): bigint {
  return createHash('sha256').update(`customers:${workspaceId}:${name}`).digest().readBigInt64BE(0);
}
