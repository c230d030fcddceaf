import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, ObjectType } from 'type-graphql';
import { GatewayError, badUserInput, type FieldError } from '../../platform/errors';
import { Cost } from '../cost/cost-directives';

/** Operations per batch mutation call, and the reason: 100 is one page, and 1,000 points at 10 each. */
export const maxBatchOperations = 100;

@Cost(0)
@ObjectType('BatchFieldError')
export class BatchFieldErrorType {
  @Field(() => String)
  field!: string;

  @Field(() => String)
  message!: string;
}

@Cost(0)
@ObjectType('BatchOperationError', { description: 'Why one batch operation was not applied; the same codes as top-level errors.' })
export class BatchOperationErrorType {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => [BatchFieldErrorType])
  fieldErrors!: BatchFieldErrorType[];
}

export type BatchOutcome<TApplied> = { readonly index: number; readonly applied: TApplied; readonly error: null } | { readonly index: number; readonly applied: null; readonly error: BatchOperationErrorType };

/**
 * Applies each operation in its own transaction, opened here (a savepoint inside an idempotent
 * request; the service's write joins it), so one refused operation is reported and skipped while
 * the others stand. Anything but a GatewayError still fails the whole call.
 */
export async function applyEach<TOperation, TApplied>(
  em: EntityManager,
  operations: readonly TOperation[],
  apply: (tx: EntityManager, operation: TOperation, field: string) => Promise<TApplied>,
): Promise<BatchOutcome<TApplied>[]> {
  if (operations.length === 0 || operations.length > maxBatchOperations) {
    throw badUserInput([{ field: 'input.operations', message: `Send 1 to ${maxBatchOperations} operations; got ${operations.length}` }]);
  }
  const outcomes: BatchOutcome<TApplied>[] = [];
  for (const [index, operation] of operations.entries()) {
    const field = `input.operations.${index}`;
    try {
      outcomes.push({ index, applied: await em.transactional((tx) => apply(tx, operation, field)), error: null });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      // A service that names its fields from `input` (as the single mutation does) is pointed at the operation.
      const fieldErrors = ((error.details.fieldErrors as FieldError[] | undefined) ?? []).map((fieldError) =>
        fieldError.field.startsWith(field) ? fieldError : { ...fieldError, field: fieldError.field.replace(/^input(?=\.|$)/, field) },
      );
      outcomes.push({ index, applied: null, error: { code: error.code, message: error.message, fieldErrors } });
    }
  }
  return outcomes;
}
