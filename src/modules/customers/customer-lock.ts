import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { GatewayError } from '../../platform/errors';
import { lockWorkspaceForWrite } from '../workspaces';
import { Customer } from './customer.entity';
import { customerNotFound } from './customer.errors';

/**
 * The customer re-read under FOR UPDATE, after the workspace's write lock: concurrent tag and
 * attribute merges must not lose each other's changes. `field` names the id in the caller's
 * input, for the NOT_FOUND's field error.
 */
export async function lockCustomer(tx: EntityManager, workspaceId: string, id: string, field?: string): Promise<Customer> {
  await lockWorkspaceForWrite(tx, workspaceId);
  const customer = await tx.findOne(Customer, { id, workspace: workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (customer) return customer;
  throw field ? new GatewayError('NOT_FOUND', 'Customer not found', { fieldErrors: [{ field, message: 'No such customer in this workspace' }] }) : customerNotFound();
}
