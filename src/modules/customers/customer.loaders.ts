import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../platform/request-loaders';
import { findPlainRows } from '../../platform/database/plain-rows';
import { Customer, type CustomerRow } from './customer.entity';

/**
 * One query per request for all customers a page refers to. Takes ids read from the caller's
 * own workspace rows (e.g. `conversation.customer`); it does not filter by workspace itself.
 */
export const customerByIdLoader: LoaderFactory<DataLoader<string, CustomerRow | null>> = (em) =>
  new DataLoader(async (ids) => {
    const customers = await findPlainRows<CustomerRow>(em, Customer, { where: { id: { $in: [...ids] } } });
    const byId = new Map(customers.map((customer) => [customer.id, customer]));
    return ids.map((id) => byId.get(id) ?? null);
  });
