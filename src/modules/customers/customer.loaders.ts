import DataLoader from 'dataloader';
import { workspaceRowCacheKey, workspaceRowConditions, type LoaderFactory, type WorkspaceRowKey } from '../../platform/request-loaders';
import { findPlainRows } from '../../platform/database/plain-rows';
import { Customer, type CustomerRow } from './customer.entity';

/** One query per request for all customers a page refers to, within the caller's workspace. */
export const customerByIdLoader: LoaderFactory<DataLoader<WorkspaceRowKey, CustomerRow | null, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const customers = await findPlainRows<CustomerRow>(em, Customer, { where: workspaceRowConditions(keys) });
      const byId = new Map(customers.map((customer) => [customer.id, customer]));
      return keys.map((key) => byId.get(key.id) ?? null);
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );
