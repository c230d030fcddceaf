import { Resolver } from 'type-graphql';
import type { CustomerService } from './customer.service';

@Resolver()
export class CustomerResolver {
  constructor(private readonly customers: CustomerService) {}
}
