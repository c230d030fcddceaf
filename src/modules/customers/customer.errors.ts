import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GatewayError, notFound } from '../../platform/errors';

/** The same for another workspace's id as for one that never existed. */
export const customerNotFound = () => notFound('Customer');

/** An email or external id that belongs to another customer of the workspace. */
export const identityTaken = (field: string, message: string, customerId: string) =>
  new GatewayError('CONFLICT', message, { fieldErrors: [{ field, message }], customerId });

/**
 * The unique indexes are the last line of defence behind the identity locks; should a write
 * ever reach them, the client gets CONFLICT rather than an internal error.
 */
export async function rethrowUniqueViolation<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new GatewayError('CONFLICT', 'Another customer already has this email or external id; retry to match it');
    }
    throw error;
  }
}
