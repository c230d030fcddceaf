import { plainRowsByIdLoader } from '../../platform/request-loaders';
import { Customer, type CustomerRow } from './customer.entity';

/** One query per request for all customers a page refers to, within the caller's workspace. */
export const customerByIdLoader = plainRowsByIdLoader<CustomerRow>(Customer, { isCached: true });

/** The same, fresh for every event of a long-lived subscription. */
export const freshCustomerByIdLoader = plainRowsByIdLoader<CustomerRow>(Customer, { isCached: false });
