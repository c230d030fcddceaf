import type { Pager } from '../../platform/pagination';

/** Customers: CRM sync by external id or email. (Being written.) */
export class CustomerService {
  constructor(readonly pager: Pager) {}
}
