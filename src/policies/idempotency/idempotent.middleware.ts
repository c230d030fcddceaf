import { createHash } from 'node:crypto';
import { LockWaitTimeoutException } from '@mikro-orm/core';
import { UseMiddleware, type MiddlewareInterface, type NextFn, type ResolverData } from 'type-graphql';
import { GatewayError, badUserInput } from '../../platform/errors';
import type { RequestContext } from '../request-context';

export const idempotencyRetentionHours = 24;
const maxKeyLength = 255;

/**
 * Makes a mutation idempotent on `input.idempotencyKey`, scoped to the API key and the
 * mutation. The record is inserted first, in the transaction that then runs the mutation, so:
 * the record commits with the effect (or neither does); a concurrent duplicate blocks on the
 * row until the first commits, then replays it; a retry with another input is refused.
 */
export function Idempotent(): MethodDecorator {
  return UseMiddleware(IdempotencyMiddleware);
}

export class IdempotencyMiddleware implements MiddlewareInterface<RequestContext> {
  /** `duplicateWaitMs`: how long a duplicate waits for the first request with its key (IDEMPOTENCY_WAIT). */
  constructor(private readonly duplicateWaitMs: number) {}

  async use({ args, context, info }: ResolverData<RequestContext>, next: NextFn): Promise<unknown> {
    const duplicateWaitMs = this.duplicateWaitMs;
    const input = (args as { input?: Record<string, unknown> }).input;
    const key = input?.idempotencyKey;
    if (key === undefined || key === null) return next();
    if (typeof key !== 'string' || key.length < 1 || key.length > maxKeyLength) {
      throw badUserInput([{ field: 'input.idempotencyKey', message: `Must be 1 to ${maxKeyLength} characters` }]);
    }
    const operation = info.fieldName;
    const requestHash = hashRequest(operation, input!);
    const recordKey = [context.principal.apiKeyId, operation, key];

    const completed = await findCompletedRecord(context.em, recordKey);
    if (completed) return replay(context, operation, key, requestHash, completed);
    return context.em.transactional(async (tx) => {
      // lock_timeout is set in the claim itself, one statement less than SET LOCAL: the
      // subquery runs first, so it bounds the claim's wait on a concurrent duplicate's row lock.
      const claimed = await tx
        .execute<unknown[]>(
          `insert into idempotency_records (api_key_id, operation, idempotency_key, workspace_id, request_hash, response, expires_at)
           select ?, ?, ?, ?, ?, 'null', now() + interval '${idempotencyRetentionHours} hours' from (select set_config('lock_timeout', ?, true)) as wait
           on conflict (api_key_id, operation, idempotency_key) do update
             set request_hash = excluded.request_hash, response = 'null', created_at = now(), expires_at = excluded.expires_at
             where idempotency_records.expires_at <= now()
           returning 1`,
          [...recordKey, context.principal.workspaceId, requestHash, `${duplicateWaitMs}ms`],
        )
        .catch(rethrowLockTimeout);
      if (claimed.length === 0) {
        const [record] = await tx.execute<IdempotencyRecord[]>(
          'select request_hash, response from idempotency_records where api_key_id = ? and operation = ? and idempotency_key = ?',
          recordKey,
        );
        return replay(context, operation, key, requestHash, record);
      }
      const result = await next();
      await tx.execute('update idempotency_records set response = ? where api_key_id = ? and operation = ? and idempotency_key = ?', [
        JSON.stringify(result),
        ...recordKey,
      ]);
      return result;
    });
  }
}

interface IdempotencyRecord {
  readonly request_hash: string;
  readonly response: unknown;
}

/**
 * A retry of a request that already completed is answered from its record with one read and no
 * transaction. A record still being written (its response is the 'null' placeholder), an expired
 * one, or none at all takes the claiming path, which waits for or replaces it.
 */
async function findCompletedRecord(em: RequestContext['em'], recordKey: readonly string[]): Promise<IdempotencyRecord | undefined> {
  const [record] = await em.execute<IdempotencyRecord[]>(
    `select request_hash, response from idempotency_records
     where api_key_id = ? and operation = ? and idempotency_key = ? and expires_at > now() and response <> 'null'::jsonb`,
    [...recordKey],
  );
  return record;
}

function replay(context: RequestContext, operation: string, key: string, requestHash: string, record: IdempotencyRecord): unknown {
  if (record.request_hash !== requestHash) {
    throw new GatewayError('IDEMPOTENCY_KEY_REUSED', `This idempotency key was already used for ${operation} with a different input`, { idempotencyKey: key });
  }
  context.replayedOperations.push(operation);
  return record.response;
}

/** Same operation and same input (key order aside, idempotencyKey itself excluded) → same hash. */
function hashRequest(operation: string, input: Record<string, unknown>): string {
  const { idempotencyKey: _ignored, ...rest } = input;
  return createHash('sha256').update(operation).update('\0').update(canonicalJson(rest)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([name, entry]) => `${JSON.stringify(name)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function rethrowLockTimeout(error: unknown): never {
  if (error instanceof LockWaitTimeoutException || (error as { code?: string }).code === '55P03') {
    throw new GatewayError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this idempotency key is still running; retry shortly');
  }
  throw error;
}
