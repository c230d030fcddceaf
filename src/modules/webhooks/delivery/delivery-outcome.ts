import type { AttemptOutcome } from '../webhook.entities';
import type { GuardedPostResponse } from './guarded-http';

export type AttemptResult =
  | { readonly kind: 'response'; readonly response: GuardedPostResponse }
  | { readonly kind: 'error'; readonly error: string; readonly outcome: Exclude<AttemptOutcome, 'succeeded' | 'redirect' | 'client_error' | 'server_error'> };

export type NextStep =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'disable-endpoint'; readonly reason: string };

const maxRetryAfterMs = 24 * 3_600_000;

/**
 * What follows an attempt. 2xx succeeds; 410 Gone disables the endpoint; redirects, other
 * statuses and errors are retried on the schedule (with ±20 % jitter, and never sooner than a
 * Retry-After), until the schedule runs out.
 */
export function nextStepAfter(result: AttemptResult, attemptNumber: number, retryScheduleMs: readonly number[], random = Math.random): NextStep {
  if (result.kind === 'response') {
    const { status } = result.response;
    if (status >= 200 && status < 300) return { kind: 'succeeded' };
    if (status === 410) return { kind: 'disable-endpoint', reason: 'The endpoint answered 410 Gone' };
  }
  const reason = result.kind === 'error' ? result.error : describeStatus(result.response.status);
  if (attemptNumber >= retryScheduleMs.length) return { kind: 'failed', reason };
  const scheduled = retryScheduleMs[attemptNumber] * (0.8 + 0.4 * random());
  const retryAfterMs = result.kind === 'response' ? parseRetryAfterMs(result.response.headers['retry-after']) : undefined;
  return { kind: 'retry', delayMs: Math.round(Math.max(scheduled, Math.min(retryAfterMs ?? 0, maxRetryAfterMs))), reason };
}

function describeStatus(status: number): string {
  return status >= 300 && status < 400 ? `Redirect ${status} (not followed)` : `HTTP ${status}`;
}

function parseRetryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The attempt's kind, as statistics and metrics count it. */
export function outcomeOf(result: AttemptResult): AttemptOutcome {
  if (result.kind === 'error') return result.outcome;
  const { status } = result.response;
  if (status >= 200 && status < 300) return 'succeeded';
  if (status >= 300 && status < 400) return 'redirect';
  return status >= 500 ? 'server_error' : 'client_error';
}
