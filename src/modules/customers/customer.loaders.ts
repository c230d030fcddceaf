import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { workspaceRowCacheKey, workspaceRowConditions, type LoaderFactory, type WorkspaceRowKey } from '../../platform/request-loaders';
import { findPlainRows } from '../../platform/database/plain-rows';
import { Customer, type CustomerRow } from './customer.entity';

const readCustomers = (em: EntityManager) => async (keys: readonly WorkspaceRowKey[]) => {
  const customers = await findPlainRows<CustomerRow>(em, Customer, { where: workspaceRowConditions(keys) });
  const byId = new Map(customers.map((customer) => [customer.id, customer]));
  return keys.map((key) => byId.get(key.id) ?? null);
};

/** One query per request for all customers a page refers to, within the caller's workspace. */
export const customerByIdLoader: LoaderFactory<DataLoader<WorkspaceRowKey, CustomerRow | null, string>> = (em) =>
  new DataLoader(readCustomers(em), { cacheKeyFn: workspaceRowCacheKey });

/**
 * Batches without remembering: for fields of events, whose subscription contexts live for hours
 * and must show each node as it is when each event is delivered.
 */
export const freshCustomerByIdLoader: LoaderFactory<DataLoader<WorkspaceRowKey, CustomerRow | null, string>> = (em) =>
  new DataLoader(readCustomers(em), { cacheKeyFn: workspaceRowCacheKey, cache: false });
