import type { Actor } from '../../../policies/auth/actor';
import { effectiveScopes } from '../../../policies/auth/scopes';
import { forbiddenScopes } from '../../../platform/errors';
import { InputErrors } from '../../../platform/validation';
import { eventCatalogue, type EventType } from '../../events';
import { checkWebhookUrl, UnsafeUrlError, type OutboundPolicy } from '../delivery/ssrf-guard';
import type { EndpointFilter } from '../webhook.entities';
import { checkEndpointFilter, checkHeaders, checkRateLimit, checkRetrySchedule, type CustomHeader, type EndpointShape } from './webhook-endpoint-shape';

export const maxEndpointsPerWorkspace = 20;
export const maxDescriptionLength = 500;
export const maxEventTypesPerEndpoint = 100;
export const maxPreviousSecretSeconds = 7 * 24 * 3600;
export const maxReplayedEvents = 10_000;
/** Sent by webhookEndpointTest to one endpoint only; never subscribed to or replayed. */
export const testEventType = 'webhook.test' satisfies EventType;

/** What an input may set on an endpoint; undefined leaves a field as it is, null removes an optional one. */
export interface EndpointSettings extends EndpointShape {
  readonly url?: string;
  /** null: every event type, present and future. */
  readonly eventTypes?: readonly string[] | null;
  /** '' removes the description. */
  readonly description?: string;
  readonly isEnabled?: boolean;
  /** A selection on `Event`; checked against the schema by the service. */
  readonly payloadQuery?: string | null;
}

/** The shape fields as they are stored. */
export interface CheckedShape {
  readonly filter?: EndpointFilter | null;
  readonly headers?: CustomHeader[] | null;
  readonly retryScheduleMs?: number[] | null;
}

/**
 * Checks every field at once (BAD_USER_INPUT naming each `input.…` path) and returns the URL as
 * it will be stored: parsed and normalised by the SSRF guard.
 */
export function validateSettings(settings: EndpointSettings, policy: OutboundPolicy): { url?: string; shape: CheckedShape } {
  const errors = new InputErrors().text('input.description', settings.description, { max: maxDescriptionLength });
  let url: string | undefined;
  if (settings.url !== undefined) {
    try {
      url = checkWebhookUrl(settings.url, policy).href;
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      errors.add('input.url', error.reason);
    }
  }
  if (settings.eventTypes) checkEventTypes(errors, 'input.eventTypes', settings.eventTypes);
  const shape = {
    filter: checkEndpointFilter(errors, settings.filter),
    headers: checkHeaders(errors, settings.headers),
    retryScheduleMs: checkRetrySchedule(errors, settings.retryScheduleSeconds),
  };
  checkRateLimit(errors, settings.rateLimitPerSecond);
  errors.throwIfAny();
  return { url, shape };
}

/** Known, subscribable types; `field` is the input path of the list. */
export function checkEventTypes(errors: InputErrors, field: string, eventTypes: readonly string[]): InputErrors {
  if (eventTypes.length === 0) errors.add(field, 'List at least one event type, or pass null for every type');
  if (eventTypes.length > maxEventTypesPerEndpoint) errors.add(field, `At most ${maxEventTypesPerEndpoint} event types`);
  eventTypes.forEach((type, index) => {
    if (type === testEventType) errors.add(`${field}.${index}`, `"${testEventType}" is sent by webhookEndpointTest only; it cannot be subscribed to`);
    else if (!(type in eventCatalogue)) errors.add(`${field}.${index}`, `Unknown event type "${type}"; see docs/events.md`);
  });
  return errors;
}

/**
 * An endpoint receives the data of its events, so a key may only subscribe it to types it could
 * read itself; "every type" needs the scopes of every type.
 */
export function assertMayReceive(actor: Actor, eventTypes: readonly string[] | null): void {
  const types = (eventTypes ?? Object.keys(eventCatalogue)) as EventType[];
  const held = effectiveScopes(actor.grantedScopes);
  const missing = [...new Set(types.map((type) => eventCatalogue[type].requiredScope as string))].filter((scope) => !held.has(scope));
  if (missing.length > 0) {
    const what = eventTypes === null ? 'every event type' : 'these event types';
    throw forbiddenScopes([missing], actor.grantedScopes, `This key cannot subscribe an endpoint to ${what} without holding: ${missing.join(', ')}`);
  }
}

export function uniqueEventTypes(eventTypes: readonly string[] | null): string[] | null {
  return eventTypes === null ? null : [...new Set(eventTypes)];
}
