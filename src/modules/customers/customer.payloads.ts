import { Field, ObjectType } from 'type-graphql';
import { CustomerNoteType, CustomerType } from './customer.type';

@ObjectType('CustomerUpsertPayload')
export class CustomerUpsertPayload {
  @Field(() => CustomerType)
  customer!: CustomerType;

  @Field(() => Boolean, { description: 'true when no customer matched and this one was created (`customer.created`); false when one was matched.' })
  wasCreated!: boolean;
}

@ObjectType('CustomerUpdatePayload')
export class CustomerUpdatePayload {
  @Field(() => CustomerType)
  customer!: CustomerType;
}

@ObjectType('CustomerNoteCreatePayload')
export class CustomerNoteCreatePayload {
  @Field(() => CustomerNoteType)
  note!: CustomerNoteType;

  @Field(() => CustomerType)
  customer!: CustomerType;
}
