import type { EntityManager } from '@mikro-orm/postgresql';
import type { Customer } from './customer.entity';
import { identityTaken } from './customer.errors';
import type { ExternalId } from './customer.rules';

/**
 * Links external ids to a customer: a row in customer_external_ids (unique per workspace, system
 * and id) and an entry in the customer's `externalIds` map, kept in step. A customer has at
 * most one id per system; replacing one is an explicit unlink, then link.
 */
export async function linkExternalIds(em: EntityManager, customer: Customer, externalIds: readonly ExternalId[], fieldOf: (index: number) => string): Promise<void> {
  for (const [index, { system, externalId }] of externalIds.entries()) {
    const current = customer.externalIds[system];
    if (current === externalId) continue;
    if (current !== undefined) {
      throw identityTaken(fieldOf(index), `The customer already has ${system} id ${current}; unlink it first with externalIdsRemove`, customer.id);
    }
    await insertExternalIdRows(em, customer, [{ system, externalId }], () => fieldOf(index));
    customer.externalIds = { ...customer.externalIds, [system]: externalId };
  }
}

/**
 * Inserts the lookup rows only; the customer row must be flushed and its map already hold them.
 * The no-op update makes a conflicting insert return the row's owner instead of failing.
 */
export async function insertExternalIdRows(em: EntityManager, customer: Customer, externalIds: readonly ExternalId[], fieldOf: (index: number) => string): Promise<void> {
  for (const [index, { system, externalId }] of externalIds.entries()) {
    const [linked] = await em.execute<{ customer_id: string }[]>(
      `insert into customer_external_ids (workspace_id, system, external_id, customer_id) values (?, ?, ?, ?)
       on conflict (workspace_id, system, external_id) do update set system = excluded.system
       returning customer_id`,
      [customer.workspace.id, system, externalId, customer.id],
    );
    if (linked.customer_id !== customer.id) {
      throw identityTaken(fieldOf(index), `${system} id ${externalId} belongs to customer ${linked.customer_id}`, linked.customer_id);
    }
  }
}

export async function unlinkExternalIds(em: EntityManager, customer: Customer, systems: readonly string[]): Promise<void> {
  const linked = systems.filter((system) => customer.externalIds[system] !== undefined);
  if (linked.length === 0) return;
  await em.execute(`delete from customer_external_ids where customer_id = ? and system in (${linked.map(() => '?').join(', ')})`, [customer.id, ...linked]);
  customer.externalIds = Object.fromEntries(Object.entries(customer.externalIds).filter(([system]) => !linked.includes(system)));
}
