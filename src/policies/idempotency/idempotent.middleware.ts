import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json';
import { UseMiddleware, type MiddlewareInterface, type NextFn, type ResolverData } from 'type-graphql';
import { GatewayError, badUserInput } from '../../platform/errors';
import type { RequestContext } from '../request-context';
import type { IdempotencyFlights } from './idempotency-flights';
import { queryRows } from '../../platform/database/prepared-statements';

export const idempotencyRetentionHours = 24;
const maxKeyLength = 255;
/** Checks on a key another instance holds start this far apart and double up to the cap. */
const firstRecheckMs = 25;
const maxRecheckMs = 250;

/**
 * Makes a mutation idempotent on `input.idempotencyKey`, scoped to the API key and the
 * mutation. The record is inserted first, in the transaction that then runs the mutation, so
 * the record commits with the effect (or neither does), and a retry with another input is
 * refused.
 *
 * A concurrent duplicate never waits inside the database. The claim takes a transaction-scoped
 * advisory lock on the key with `pg_try_advisory_xact_lock`, which does not block: a duplicate
 * that finds it taken ends its transaction at once and waits in Node, holding no connection,
 * for the first to finish (in memory when the first runs in this instance, by rechecks every
 * 25-250 ms when it runs in another), then replays its record. After IDEMPOTENCY_WAIT it gets
 * IDEMPOTENCY_REQUEST_IN_PROGRESS. (A duplicate that blocked on the record's row lock held a
 * pool connection for the whole wait, and ON CONFLICT DO UPDATE locks the row even when it
 * updates nothing, so duplicates queued behind each other: twenty of them emptied a pool of
 * ten, and a retry storm starved every other request.)
 */
export function Idempotent(): MethodDecorator {
  return UseMiddleware(IdempotencyMiddleware);
}

type Claim = { readonly isDone: true; readonly result: unknown } | { readonly isDone: false };

interface IdempotentCall {
  readonly context: RequestContext;
  readonly operation: string;
  readonly key: string;
  readonly requestHash: string;
  /** api key id, operation, idempotency key */
  readonly recordKey: readonly string[];
  readonly next: NextFn;
}

export class IdempotencyMiddleware implements MiddlewareInterface<RequestContext> {
  /** `duplicateWaitMs`: how long a duplicate waits for the first request with its key (IDEMPOTENCY_WAIT). */
  constructor(
    private readonly duplicateWaitMs: number,
    private readonly flights: IdempotencyFlights,
  ) {}

  async use({ args, context, info }: ResolverData<RequestContext>, next: NextFn): Promise<unknown> {
    const input = (args as { input?: Record<string, unknown> }).input;
    const key = input?.idempotencyKey;
    if (key === undefined || key === null) return next();
    if (typeof key !== 'string' || key.length < 1 || key.length > maxKeyLength) {
      throw badUserInput([{ field: 'input.idempotencyKey', message: `Must be 1 to ${maxKeyLength} characters` }]);
    }
    const operation = info.fieldName;
    const call: IdempotentCall = { context, operation, key, requestHash: hashRequest(operation, input!), recordKey: [context.principal.credentialId, operation, key], next };
    const flightKey = JSON.stringify(call.recordKey);

    let completed = await findCompletedRecord(context.em, call.recordKey);
    let deadline: number | undefined;
    while (!completed) {
      if (!this.flights.isFlying(flightKey)) return this.flights.fly(flightKey, () => this.claimOrWait(call));
      deadline ??= Date.now() + this.duplicateWaitMs;
      if (!(await this.flights.waitForFlight(flightKey, deadline))) throw requestInProgress();
      completed = await findCompletedRecord(context.em, call.recordKey);
    }
    return replay(call, completed);
  }

  /** This instance's one attempt at the key: claims it, or rechecks until the other instance holding it finishes. */
  private async claimOrWait(call: IdempotentCall): Promise<unknown> {
    let deadline: number | undefined;
    for (let recheckMs = firstRecheckMs; ; recheckMs = Math.min(recheckMs * 2, maxRecheckMs)) {
      const claim = await claimAndRun(call);
      if (claim.isDone) return claim.result;
      deadline ??= Date.now() + this.duplicateWaitMs;
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) throw requestInProgress();
      await this.flights.pause(Math.min(recheckMs, remainingMs));
      const completed = await findCompletedRecord(call.context.em, call.recordKey);
      if (completed) return replay(call, completed);
    }
  }
}

/**
 * One transaction: the advisory lock, then the record, then the mutation and its response. The
 * lock is tried in the claim statement itself, so a fresh key costs no statement more than
 * before. Only a transaction that does not take the advisory lock (manual SQL) can make the
 * claim wait on the record's row; statement_timeout bounds that.
 */
async function claimAndRun(call: IdempotentCall): Promise<Claim> {
  const { context, recordKey, requestHash } = call;
  return context.em.transactional(async (tx) => {
    const [claim] = await queryRows<{ is_locked: boolean; is_claimed: boolean }>(
      tx,
      `with advisory as (select pg_try_advisory_xact_lock(?::bigint) as is_locked),
       claimed as (
         insert into idempotency_records (api_key_id, operation, idempotency_key, workspace_id, request_hash, response, expires_at)
         select ?, ?, ?, ?, ?, 'null', now() + interval '${idempotencyRetentionHours} hours' from advisory where is_locked
         on conflict (api_key_id, operation, idempotency_key) do update
           set request_hash = excluded.request_hash, response = 'null', created_at = now(), expires_at = excluded.expires_at
           where idempotency_records.expires_at <= now()
         returning 1
       )
       select (select is_locked from advisory) as is_locked, exists (select 1 from claimed) as is_claimed`,
      [advisoryLockKey(recordKey), ...recordKey, context.principal.workspaceId, requestHash],
    );
    if (!claim.is_locked) return { isDone: false };
    if (!claim.is_claimed) {
      // Completed between our read and the claim: it is committed, so it replays.
      const [record] = await queryRows<IdempotencyRecord>(
        tx,
        'select request_hash, response from idempotency_records where api_key_id = ? and operation = ? and idempotency_key = ?',
        [...recordKey],
      );
      return { isDone: true, result: replay(call, record) };
    }
    const result = await call.next();
    await queryRows(tx, 'update idempotency_records set response = ? where api_key_id = ? and operation = ? and idempotency_key = ?', [JSON.stringify(result), ...recordKey]);
    return { isDone: true, result };
  });
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
  const [record] = await queryRows<IdempotencyRecord>(
    em,
    `select request_hash, response from idempotency_records
     where api_key_id = ? and operation = ? and idempotency_key = ? and expires_at > now() and response <> 'null'::jsonb`,
    [...recordKey],
  );
  return record;
}

function replay({ context, operation, key, requestHash }: IdempotentCall, record: IdempotencyRecord): unknown {
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

const requestInProgress = () => new GatewayError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this idempotency key is still running; retry shortly');

/** A signed 64-bit advisory lock key; a collision only makes two unrelated keys wait for each other. */
function advisoryLockKey(recordKey: readonly string[]): string {
  return createHash('sha256').update(`idempotency:${JSON.stringify(recordKey)}`).digest().readBigInt64BE(0).toString();
}
