import { Field, Int, ObjectType } from 'type-graphql';
import { BatchOperationErrorType } from '../../policies/batch/batch-operations';
import { Cost } from '../../policies/cost/cost-directives';
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

@Cost(0)
@ObjectType('CustomerBatchResult', { description: 'The outcome of one upsert: customer when applied, error when not.' })
export class CustomerBatchResultType {
  @Field(() => Int, { description: 'Position in `operations`.' })
  index!: number;

  // The customer the write itself returned: nothing is read for it.
  @Field(() => CustomerType, { nullable: true })
  @Cost(0)
  customer!: CustomerType | null;

  @Field(() => Boolean, { nullable: true, description: 'true when created (`customer.created`), false when matched; null when refused.' })
  wasCreated!: boolean | null;

  @Field(() => BatchOperationErrorType, { nullable: true })
  error!: BatchOperationErrorType | null;
}

@ObjectType('CustomersBatchUpsertPayload')
export class CustomersBatchUpsertPayload {
  @Field(() => [CustomerBatchResultType])
  results!: CustomerBatchResultType[];

  @Field(() => Int)
  appliedCount!: number;

  @Field(() => Int)
  failedCount!: number;
}
