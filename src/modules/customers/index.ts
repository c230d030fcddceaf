export { Customer, CustomerNote, type CustomerRow } from './customer.entity';
export { CustomerService, type CustomerUpsertResult, type CustomerNoteCreation } from './customer.service';
export { CustomerResolver } from './customer.resolver';
export { CustomerType, CustomerNoteType, CustomerExternalIdType, toCustomerType, toCustomerNoteType } from './customer.type';
export { CustomerExternalIdInput } from './customer.inputs';
export { customerByIdLoader, freshCustomerByIdLoader } from './customer.loaders';
export { customersInReachWhere } from './customer-reach';
export { customerSnapshot } from './customer.events';
export type { CustomerReference, CustomerUpsert, CustomerChanges, ExternalId } from './customer.rules';
