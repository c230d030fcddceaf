import { nestedPageLoader, type NestedPageArgs } from '../../platform/pagination';
import type { CustomerService } from './customer.service';

/** `Customer.notes` of every customer of a level: one statement per distinct arguments. */
export const customerNotePagesLoader = (customers: CustomerService) =>
  nestedPageLoader((em, customerIds, { workspaceId, page }: NestedPageArgs) => customers.listNotes(em, workspaceId, customerIds, page));
