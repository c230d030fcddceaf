import { Field, Int } from 'type-graphql';
import { GatewayError } from '../../platform/errors';

/** `expectedVersion` on an update input, described alike everywhere. */
export function ExpectedVersionField(): PropertyDecorator {
  return Field(() => Int, {
    nullable: true,
    description: 'The version you read: when the record has changed since, the update is refused with CONFLICT (extensions.currentVersion) and changes nothing. Absent: last write wins.',
  });
}

/**
 * Optimistic concurrency: a write that names the version it read applies only to that version.
 * Call with the row locked, so no other write can slip in between the check and the change.
 */
export function assertExpectedVersion(currentVersion: number, expectedVersion: number | null | undefined, field: string): void {
  if (expectedVersion == null || expectedVersion === currentVersion) return;
  throw new GatewayError('CONFLICT', `The record changed since version ${expectedVersion}: it is at version ${currentVersion}. Read it again and reapply your change`, {
    currentVersion,
    expectedVersion,
    fieldErrors: [{ field, message: `Expected version ${expectedVersion}; the current version is ${currentVersion}` }],
  });
}
