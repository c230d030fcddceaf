import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../src/modules/webhooks/delivery/standard-webhooks';
import { newId } from '../src/platform/ids';
import { SecretBox } from '../src/platform/secret-box';
import { runSql } from './event-stream-database';
import type { DriverCommand, ReceivedDelivery, ReceiverReport } from './event-stream-driver';
import type { BenchChild } from './event-stream-ipc';
import { distribution, type Distribution } from './event-stream-statistics';

/** A dispatcher under test: the gateway's (in the bench process) or the raw reference (a child), each reading its own endpoint table. */
export interface Dispatcher {
  readonly name: 'gateway' | 'raw';
  /** Registers a disabled endpoint for `conversation.updated` whose deliveries start after `afterSequence`. */
  register(label: string, url: string, afterSequence: number): Promise<Endpoint>;
  setEnabled(endpoints: readonly Endpoint[], isEnabled: boolean): Promise<void>;
}

export interface Endpoint {
  readonly id: string;
  readonly label: string;
  readonly secret: string;
}

export interface WebhookSetting {
  readonly databaseUrl: string;
  readonly workspaceId: string;
  readonly eventType: string;
  readonly driver: BenchChild<DriverCommand>;
  readonly receiverOrigin: string;
}

/**
 * Backlog scenarios, each on the same committed events, measured from enabling the endpoints:
 * instant: one endpoint answering 200 at once; slow: one answering 200 after 50 ms; isolation:
 * one answering at once next to one answering 500 and one that never answers (until the run ends).
 */
export type BacklogScenario = 'instant' | 'slow' | 'isolation';
export const slowReceiverDelayMs = 50;

const healthyLabel = (dispatcher: Dispatcher, scenario: BacklogScenario) => `${dispatcher.name}-${scenario}`;
const receiverWaitMs = 120_000;

/** One endpoint as the receiver saw it: every event once, signed, with its own body. */
export interface EndpointDeliveries {
  readonly isComplete: boolean;
  readonly deliveredCount: number;
  readonly duplicateCount: number;
  readonly invalidSignatureCount: number;
  /** Bodies whose id is not the webhook-id header, or of another event type. */
  readonly wrongPayloadCount: number;
  readonly maxConcurrentRequests: number;
  readonly maxOpenConnections: number;
  readonly firstDeliveryAt: number;
  readonly lastDeliveryAt: number;
  /** The earliest occurredAt among the events received. */
  readonly firstOccurredAt: number;
  /** Per event: first delivery received − the event's occurredAt (ms resolution; ≤ commit, so a slight overestimate). */
  readonly lagMs: Distribution;
}

export interface BacklogResult extends EndpointDeliveries {
  readonly dispatcher: Dispatcher['name'];
  readonly scenario: BacklogScenario;
  readonly eventCount: number;
  /** From enabling the endpoints to the healthy endpoint's last delivery. */
  readonly windowMs: number;
  readonly eventsPerSecond: number;
  /** isolation only: POSTs the failing (500) and hanging endpoints received meanwhile. */
  readonly failingEndpointRequests?: number;
  readonly hangingEndpointRequests?: number;
}

/** An endpoint row as webhookEndpointCreate writes it (as test/support/register-webhook-endpoint.ts does), its secret sealed with the gateway's pepper. */
export function gatewayDispatcher(databaseUrl: string, pepper: string, workspaceId: string, eventType: string): Dispatcher {
  return {
    name: 'gateway',
    async register(label, url, afterSequence) {
      const secret = generateWebhookSecret();
      const id = newId('we');
      await runSql(
        databaseUrl,
        `insert into webhook_endpoints (id, workspace_id, url, event_types, secret_ciphertext, enqueued_through_sequence, created_by, is_enabled)
         values ($1, $2, $3, $4, $5, $6, 'bench', false)`,
        [id, workspaceId, url, [eventType], new SecretBox(pepper, 'webhook-secrets').seal(secret), afterSequence],
      );
      return { id, label, secret };
    },
    async setEnabled(endpoints, isEnabled) {
      await runSql(databaseUrl, 'update webhook_endpoints set is_enabled = $2 where id = any($1)', [endpoints.map((endpoint) => endpoint.id), isEnabled]);
    },
  };
}

/** An endpoint of bench/references/raw-webhook-dispatcher.ts (its tables exist once it started). */
export function rawDispatcher(databaseUrl: string, workspaceId: string, eventType: string): Dispatcher {
  return {
    name: 'raw',
    async register(label, url, afterSequence) {
      const secret = generateWebhookSecret();
      const id = `raw_${label}`;
      await runSql(
        databaseUrl,
        `insert into raw_webhook_endpoints (id, workspace_id, url, event_types, secret, is_enabled, enqueued_through_sequence) values ($1, $2, $3, $4, $5, false, $6)`,
        [id, workspaceId, url, [eventType], secret, afterSequence],
      );
      return { id, label, secret };
    },
    async setEnabled(endpoints, isEnabled) {
      await runSql(databaseUrl, 'update raw_webhook_endpoints set is_enabled = $2 where id = any($1)', [endpoints.map((endpoint) => endpoint.id), isEnabled]);
    },
  };
}

/** Checks what one endpoint received; receive times on the bench process's clock. */
export function checkDeliveries(endpoint: Endpoint, report: ReceiverReport, eventType: string, toLocal: (time: number) => number): EndpointDeliveries {
  const verifier = new Webhook(endpoint.secret);
  let invalidSignatureCount = 0;
  let wrongPayloadCount = 0;
  const firstById = new Map<string, ReceivedDelivery>();
  const received = report.received.filter((delivery) => delivery.label === endpoint.label);
  for (const delivery of received) {
    try {
      verifier.verify(delivery.body, delivery.headers);
    } catch {
      invalidSignatureCount++;
    }
    const body = JSON.parse(delivery.body) as { id?: string; type?: string };
    if (body.id !== delivery.headers['webhook-id'] || body.type !== eventType) wrongPayloadCount++;
    if (!firstById.has(delivery.headers['webhook-id'])) firstById.set(delivery.headers['webhook-id'], { ...delivery, receivedAt: toLocal(delivery.receivedAt) });
  }
  const firsts = [...firstById.values()];
  const occurredAtOf = (delivery: ReceivedDelivery) => Date.parse((JSON.parse(delivery.body) as { occurredAt: string }).occurredAt);
  return {
    isComplete: report.isComplete,
    deliveredCount: firstById.size,
    duplicateCount: received.length - firstById.size,
    invalidSignatureCount,
    wrongPayloadCount,
    maxConcurrentRequests: report.maxConcurrentRequestsByLabel[endpoint.label] ?? 0,
    maxOpenConnections: report.maxOpenConnectionsByLabel[endpoint.label] ?? 0,
    firstDeliveryAt: Math.min(...firsts.map((delivery) => delivery.receivedAt)),
    lastDeliveryAt: Math.max(...firsts.map((delivery) => delivery.receivedAt)),
    firstOccurredAt: Math.min(...firsts.map(occurredAtOf)),
    lagMs: distribution(firsts.map((delivery) => delivery.receivedAt - occurredAtOf(delivery))),
  };
}

/** How the events were written: the concurrent batches' first sent → last answered, and the gateway-process CPU meanwhile. */
export interface EventWrite {
  readonly fromAt: number;
  readonly untilAt: number;
  readonly cpuMsPerEvent: number;
}

export interface LiveResult extends EndpointDeliveries {
  readonly dispatcher: Dispatcher['name'];
  readonly eventCount: number;
  readonly write: EventWrite;
  readonly writeEventsPerSecond: number;
  /** From the first event's occurredAt (≤ its commit) to the last delivery. */
  readonly windowMs: number;
  readonly eventsPerSecond: number;
  readonly lastDeliveryAfterLastWriteMs: number;
}

export async function currentSequence(setting: WebhookSetting): Promise<number> {
  const [{ event_sequence: sequence }] = await runSql(setting.databaseUrl, 'select event_sequence from workspaces where id = $1', [setting.workspaceId]);
  return Number(sequence);
}

/** The endpoint is enabled while the events are written, so delivery overlaps writing. */
export async function measureLive(dispatcher: Dispatcher, setting: WebhookSetting, write: () => Promise<EventWrite>, eventCount: number): Promise<LiveResult> {
  const label = `${dispatcher.name}-live`;
  const endpoint = await dispatcher.register(label, `${setting.receiverOrigin}/hooks/${label}`, await currentSequence(setting));
  await dispatcher.setEnabled([endpoint], true);
  const written = await write();
  const report = await setting.driver.call<ReceiverReport>({ cmd: 'receiverWait', distinctCountByLabel: { [label]: eventCount }, timeoutMs: receiverWaitMs });
  await dispatcher.setEnabled([endpoint], false);
  const deliveries = checkDeliveries(endpoint, report, setting.eventType, (time) => setting.driver.toLocal(time));
  const windowMs = deliveries.lastDeliveryAt - deliveries.firstOccurredAt;
  return {
    dispatcher: dispatcher.name,
    eventCount,
    ...deliveries,
    write: written,
    writeEventsPerSecond: (eventCount * 1000) / (written.untilAt - written.fromAt),
    windowMs,
    eventsPerSecond: (deliveries.deliveredCount * 1000) / windowMs,
    lastDeliveryAfterLastWriteMs: deliveries.lastDeliveryAt - written.untilAt,
  };
}

/** Endpoints of every scenario, registered disabled before the backlog is written. */
export async function registerBacklogEndpoints(dispatcher: Dispatcher, setting: WebhookSetting, afterSequence: number): Promise<Map<BacklogScenario, Endpoint[]>> {
  const url = (label: string, query = '') => `${setting.receiverOrigin}/hooks/${label}${query}`;
  const register = (scenario: BacklogScenario, suffix: string, query = '') => {
    const label = `${healthyLabel(dispatcher, scenario)}${suffix}`;
    return dispatcher.register(label, url(label, query), afterSequence);
  };
  return new Map([
    ['instant', [await register('instant', '')]],
    ['slow', [await register('slow', '', `?delayMs=${slowReceiverDelayMs}`)]],
    ['isolation', [await register('isolation', ''), await register('isolation', '-failing', '?status=500'), await register('isolation', '-hanging', '?hang')]],
  ]);
}

/** Enables the scenario's endpoints, waits for the healthy one to have every event, disables them again. */
export async function measureBacklog(dispatcher: Dispatcher, scenario: BacklogScenario, endpoints: readonly Endpoint[], setting: WebhookSetting, eventCount: number): Promise<BacklogResult> {
  const [healthy, failing, hanging] = endpoints;
  const enabledAt = performance.timeOrigin + performance.now();
  await dispatcher.setEnabled(endpoints, true);
  // The neighbours are awaited for nothing: the report only brings what they received meanwhile.
  const distinctCountByLabel = Object.fromEntries(endpoints.map((endpoint) => [endpoint.label, endpoint === healthy ? eventCount : 0]));
  const report = await setting.driver.call<ReceiverReport>({ cmd: 'receiverWait', distinctCountByLabel, timeoutMs: receiverWaitMs });
  await dispatcher.setEnabled(endpoints, false);
  const deliveries = checkDeliveries(healthy, report, setting.eventType, (time) => setting.driver.toLocal(time));
  const windowMs = deliveries.lastDeliveryAt - enabledAt;
  const requestsOf = (endpoint: Endpoint) => report.received.filter((delivery) => delivery.label === endpoint.label).length;
  return {
    dispatcher: dispatcher.name,
    scenario,
    eventCount,
    ...deliveries,
    windowMs,
    eventsPerSecond: (deliveries.deliveredCount * 1000) / windowMs,
    ...(failing && hanging ? { failingEndpointRequests: requestsOf(failing), hangingEndpointRequests: requestsOf(hanging) } : {}),
  };
}

/** Delivers the events after `afterSequence` to a throwaway endpoint, so the dispatcher starts its measurements warm. */
export async function warmUp(dispatcher: Dispatcher, setting: WebhookSetting, afterSequence: number, eventCount: number): Promise<void> {
  const label = `${dispatcher.name}-warm-up`;
  const endpoint = await dispatcher.register(label, `${setting.receiverOrigin}/hooks/${label}`, afterSequence);
  await measureBacklog(dispatcher, 'instant', [endpoint], setting, eventCount);
}

/** A delivery run is wrong, not slow, when an event is missing, repeated, badly signed or not the one announced. */
export function deliveryProblems(name: string, deliveries: EndpointDeliveries, eventCount: number): string[] {
  const { deliveredCount, duplicateCount, invalidSignatureCount, wrongPayloadCount } = deliveries;
  if (deliveredCount === eventCount && duplicateCount + invalidSignatureCount + wrongPayloadCount === 0) return [];
  return [`${name}: ${deliveredCount} of ${eventCount} delivered, ${duplicateCount} duplicates, ${invalidSignatureCount} bad signatures, ${wrongPayloadCount} wrong payloads`];
}
