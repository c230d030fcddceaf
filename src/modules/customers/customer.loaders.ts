import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../platform/request-loaders';
import { Customer } from './customer.entity';

/**
 * One query per request for all customers a page refers to. Takes ids read from the caller's
 * own workspace rows (e.g. `conversation.customer`); it does not filter by workspace itself.
 */
export const customerByIdLoader: LoaderFactory<DataLoader<string, Customer | null>> = (em) =>
  new DataLoader(async (ids) => {
    const customers = await em.find(Customer, { id: { $in: [...ids] } });
    const byId = new Map(customers.map((customer) => [customer.id, customer]));
    return ids.map((id) => byId.get(id) ?? null);
  });
