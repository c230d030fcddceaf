import { Field } from 'type-graphql';

/** `idempotencyKey` on a mutation input (Idempotent() reads it), described alike everywhere. */
export function IdempotencyKeyField(): PropertyDecorator {
  return Field(() => String, {
    nullable: true,
    description: 'Retrying with the same key and input returns the first result instead of acting twice (kept 24 h). 1..255 characters.',
  });
}
