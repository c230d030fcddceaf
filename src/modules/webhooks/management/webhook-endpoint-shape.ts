import { conditionNames } from '../../../policies/auth/conversation-conditions';
import type { InputErrors } from '../../../platform/validation';
import type { EventFilterInput } from '../../events';
import type { EndpointFilter, WebhookHttpMethod } from '../webhook.entities';

export const maxCustomHeaders = 10;
export const maxHeaderValueLength = 1_000;
export const maxRateLimitPerSecond = 1_000;
export const maxRetries = 19;
export const maxRetryDelaySeconds = 24 * 3_600;
const maxFilterValues = 100;

/**
 * Headers the gateway owns: the signature and its inputs, what HTTP framing decides, and what
 * would let a receiver be misled about the request. Compared lower-case.
 */
const reservedHeaders = new Set([
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type', 'content-length', 'content-encoding', 'transfer-encoding',
  'host', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-authorization', 'user-agent',
]);
const headerName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

export interface CustomHeader {
  readonly name: string;
  readonly value: string;
}

/** How an endpoint's requests look beyond URL and body; undefined leaves a field as it is, null removes it. */
export interface EndpointShape {
  readonly filter?: EventFilterInput | null;
  readonly headers?: readonly CustomHeader[] | null;
  readonly method?: WebhookHttpMethod;
  readonly rateLimitPerSecond?: number | null;
  /** Seconds before each retry; the endpoint makes 1 + its length attempts. */
  readonly retryScheduleSeconds?: readonly number[] | null;
}

/**
 * The endpoint filter is an `EventFilter` without types (the endpoint's eventTypes choose them)
 * and without times (it applies to every event from now on).
 */
export function checkEndpointFilter(errors: InputErrors, filter: EventFilterInput | null | undefined): EndpointFilter | null | undefined {
  if (!filter) return filter;
  if (filter.types?.length) errors.add('input.filter.types', 'An endpoint chooses its types with eventTypes');
  if (filter.occurredAfter) errors.add('input.filter.occurredAfter', 'An endpoint filter applies to every event from now on; it takes no time range');
  if (filter.occurredBefore) errors.add('input.filter.occurredBefore', 'An endpoint filter applies to every event from now on; it takes no time range');
  const given: Record<string, string[]> = {};
  for (const name of conditionNames) {
    const values = filter[name];
    if (!values?.length) continue;
    if (values.length > maxFilterValues) errors.add(`input.filter.${name}`, `At most ${maxFilterValues} values`);
    given[name] = [...new Set(values.map(String))];
  }
  return Object.keys(given).length > 0 ? given : null;
}

export function checkHeaders(errors: InputErrors, headers: readonly CustomHeader[] | null | undefined): CustomHeader[] | null | undefined {
  if (!headers) return headers;
  if (headers.length > maxCustomHeaders) errors.add('input.headers', `At most ${maxCustomHeaders} headers`);
  const seen = new Set<string>();
  headers.forEach(({ name, value }, index) => {
    const lower = name.toLowerCase();
    if (!headerName.test(name)) errors.add(`input.headers.${index}.name`, 'A header name is 1 to 100 token characters (RFC 9110), such as Authorization or X-Receiver-Token');
    else if (reservedHeaders.has(lower)) errors.add(`input.headers.${index}.name`, `${name} is set by the gateway and cannot be overridden`);
    else if (seen.has(lower)) errors.add(`input.headers.${index}.name`, `${name} is given twice`);
    seen.add(lower);
    if (value.length === 0 || value.length > maxHeaderValueLength || /[\0\r\n]/.test(value)) {
      errors.add(`input.headers.${index}.value`, `1 to ${maxHeaderValueLength} characters, without line breaks`);
    }
  });
  return headers.length > 0 ? headers.map(({ name, value }) => ({ name, value })) : null;
}

export function checkRateLimit(errors: InputErrors, perSecond: number | null | undefined): void {
  if (perSecond != null && (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > maxRateLimitPerSecond)) {
    errors.add('input.rateLimitPerSecond', `1 to ${maxRateLimitPerSecond} deliveries a second, or null for no limit`);
  }
}

/** As stored: milliseconds before each attempt, the first being 0. */
export function checkRetrySchedule(errors: InputErrors, seconds: readonly number[] | null | undefined): number[] | null | undefined {
  if (!seconds) return seconds;
  if (seconds.length > maxRetries) errors.add('input.retrySchedule', `At most ${maxRetries} retries`);
  seconds.forEach((delay, index) => {
    if (!Number.isInteger(delay) || delay < 1 || delay > maxRetryDelaySeconds) errors.add(`input.retrySchedule.${index}`, `1 to ${maxRetryDelaySeconds} seconds`);
  });
  return [0, ...seconds.map((delay) => delay * 1000)];
}

/** `••••` and the last four characters of a long value: enough to tell two tokens apart, too little to use one. */
export function maskHeaderValue(value: string): string {
  return value.length >= 16 ? `••••${value.slice(-4)}` : '••••';
}
