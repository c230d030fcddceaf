import type { GuardedPostResponse } from './guarded-http';
import { nextStepAfter, outcomeOf, type AttemptResult } from './delivery-outcome';

const scheduleMs = [0, 5_000, 300_000, 1_800_000];
const answered = (status: number, headers: Record<string, string> = {}): AttemptResult => ({
  kind: 'response',
  response: { status, headers, bodyExcerpt: '', isBodyTruncated: false, durationMs: 12 } satisfies GuardedPostResponse,
});
const lowestJitter = () => 0;
const highestJitter = () => 1;

describe('nextStepAfter', () => {
  it('succeeds on any 2xx', () => {
    expect([200, 204, 299].map((status) => nextStepAfter(answered(status), 1, scheduleMs).kind)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('disables the endpoint on 410 Gone, whatever the attempt', () => {
    expect(nextStepAfter(answered(410), 1, scheduleMs)).toEqual({ kind: 'disable-endpoint', reason: 'The endpoint answered 410 Gone' });
  });

  it.each([
    [1, 4_000, 6_000],
    [2, 240_000, 360_000],
    [3, 1_440_000, 2_160_000],
  ])('after failed attempt %i waits the next delay of the schedule within ±20 %% jitter: %i to %i ms', (attemptNumber, earliestMs, latestMs) => {
    expect(nextStepAfter(answered(500), attemptNumber, scheduleMs, lowestJitter)).toEqual({ kind: 'retry', delayMs: earliestMs, reason: 'HTTP 500' });
    expect(nextStepAfter(answered(500), attemptNumber, scheduleMs, highestJitter)).toEqual({ kind: 'retry', delayMs: latestMs, reason: 'HTTP 500' });
  });

  it('fails the delivery once the schedule has no attempt left', () => {
    expect(nextStepAfter(answered(500), scheduleMs.length, scheduleMs)).toEqual({ kind: 'failed', reason: 'HTTP 500' });
  });

  it('retries a redirect and a transport error like any failure, naming them', () => {
    expect(nextStepAfter(answered(302), 1, scheduleMs, lowestJitter)).toEqual({ kind: 'retry', delayMs: 4_000, reason: 'Redirect 302 (not followed)' });
    expect(nextStepAfter({ kind: 'error', error: 'timeout: no complete response within 400 ms', outcome: 'timeout' }, 1, scheduleMs, lowestJitter)).toMatchObject({
      kind: 'retry',
      reason: 'timeout: no complete response within 400 ms',
    });
  });

  it('never retries sooner than a Retry-After, and never later than 24 hours because of one', () => {
    expect(nextStepAfter(answered(503, { 'retry-after': '60' }), 1, scheduleMs, highestJitter)).toMatchObject({ delayMs: 60_000 });
    expect(nextStepAfter(answered(503, { 'retry-after': '1' }), 1, scheduleMs, lowestJitter)).toMatchObject({ delayMs: 4_000 });
    expect(nextStepAfter(answered(429, { 'retry-after': String(30 * 86_400) }), 1, scheduleMs)).toMatchObject({ delayMs: 86_400_000 });
  });
});

describe('outcomeOf', () => {
  it.each([
    [200, 'succeeded'],
    [299, 'succeeded'],
    [301, 'redirect'],
    [404, 'client_error'],
    [410, 'client_error'],
    [500, 'server_error'],
    [503, 'server_error'],
  ])('classifies HTTP %i as %s', (status, outcome) => {
    expect(outcomeOf(answered(status))).toBe(outcome);
  });

  it('keeps the kind of an attempt that got no response', () => {
    expect(outcomeOf({ kind: 'error', error: 'timeout: no complete response', outcome: 'timeout' })).toBe('timeout');
  });
});
