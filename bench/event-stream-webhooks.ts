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
  /** Registers a disabled endpoint for `conversation.updated` whose deliveries start after `afterSequence`; the gateway's may carry a payload selection. */
  register(label: string, url: string, afterSequence: number, payload?: PayloadSelection): Promise<Endpoint>;
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

/** A payload selection with the scopes it runs with, as webhookEndpointCreate stores them after checking. */
export interface PayloadSelection {
  readonly query: string;
  readonly scopes: readonly string[];
}

/**
 * What a CRM integration would select instead of the envelope: the event's identity (the checks
 * below read id, type and occurredAt) and the conversation with its customer, resolved now.
 */
export const benchPayloadSelection: PayloadSelection = {
  query: '{ id type occurredAt sequence conversation { id subject status priority tags customer { id email name } } }',
  scopes: ['conversations:read', 'customers:read'],
};

/**
 * Backlog scenarios, each on the same committed events, measured from enabling the endpoints:
 * instant: two endpoints answering 200 at once; slow: one answering 200 after 50 ms; isolation:
 * the first of instant's pair next to one answering 500 at once (as much work as instant's
 * neighbour: each event is POSTed to it once within the retry schedule's first delay) and one
 * that never answers (until the run ends). Its rate ÷ its rate in instant is 1 when the failing
 * endpoints take nothing from it. selection (the gateway only): instant's pair, both with the
 * same payload selection, so each event's selection runs once for the two.
 */
export type BacklogScenario = 'instant' | 'slow' | 'isolation' | 'selection';
export const slowReceiverDelayMs = 50;

/** measured: the endpoint whose rate is reported; neighbour: another healthy one, awaited and checked alike. */
export type EndpointRole = 'measured' | 'neighbour' | 'failing' | 'hanging';

export interface ScenarioEndpoint extends Endpoint {
  readonly role: EndpointRole;
}

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

export interface BacklogResult {
  readonly dispatcher: Dispatcher['name'];
  readonly scenario: BacklogScenario;
  readonly eventCount: number;
  readonly measured: EndpointDeliveries;
  readonly neighbour?: EndpointDeliveries;
  /** From enabling the endpoints to the measured endpoint's last delivery, and its events over it. */
  readonly windowMs: number;
  readonly eventsPerSecond: number;
  /** Every healthy endpoint's deliveries over enabling → the last of them: the dispatcher's rate. */
  readonly deliveriesPerSecond: number;
  /** isolation only: POSTs the failing (500) and hanging endpoints received meanwhile. */
  readonly failingEndpointRequests?: number;
  readonly hangingEndpointRequests?: number;
}

/** An endpoint row as webhookEndpointCreate writes it (as test/support/register-webhook-endpoint.ts does), its secret sealed with the gateway's pepper. */
export function gatewayDispatcher(databaseUrl: string, pepper: string, workspaceId: string, eventType: string): Dispatcher {
  return {
    name: 'gateway',
    async register(label, url, afterSequence, payload) {
      const secret = generateWebhookSecret();
      const id = newId('we');
      await runSql(
        databaseUrl,
        `insert into webhook_endpoints (id, workspace_id, url, event_types, secret_ciphertext, enqueued_through_sequence, created_by, is_enabled, payload_query, payload_scopes)
         values ($1, $2, $3, $4, $5, $6, 'bench', false, $7, $8)`,
        [id, workspaceId, url, [eventType], new SecretBox(pepper, 'webhook-secrets').seal(secret), afterSequence, payload?.query ?? null, payload?.scopes ?? null],
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
export async function registerBacklogEndpoints(dispatcher: Dispatcher, setting: WebhookSetting, afterSequence: number): Promise<Map<BacklogScenario, ScenarioEndpoint[]>> {
  const register = async (scenario: BacklogScenario, role: EndpointRole, query = '', payload?: PayloadSelection): Promise<ScenarioEndpoint> => {
    const label = `${dispatcher.name}-${scenario}-${role}`;
    return { ...(await dispatcher.register(label, `${setting.receiverOrigin}/hooks/${label}${query}`, afterSequence, payload)), role };
  };
  const scenarios = new Map<BacklogScenario, ScenarioEndpoint[]>([
    ['instant', [await register('instant', 'measured'), await register('instant', 'neighbour')]],
    ['slow', [await register('slow', 'measured', `?delayMs=${slowReceiverDelayMs}`)]],
    ['isolation', [await register('isolation', 'measured'), await register('isolation', 'failing', '?status=500'), await register('isolation', 'hanging', '?hang')]],
  ]);
  if (dispatcher.name === 'gateway') {
    scenarios.set('selection', [await register('selection', 'measured', '', benchPayloadSelection), await register('selection', 'neighbour', '', benchPayloadSelection)]);
  }
  return scenarios;
}

/** Enables the scenario's endpoints, waits for the healthy ones to have every event, disables them again. */
export async function measureBacklog(dispatcher: Dispatcher, scenario: BacklogScenario, endpoints: readonly ScenarioEndpoint[], setting: WebhookSetting, eventCount: number): Promise<BacklogResult> {
  const isHealthy = (endpoint: ScenarioEndpoint) => endpoint.role === 'measured' || endpoint.role === 'neighbour';
  const enabledAt = performance.timeOrigin + performance.now();
  await dispatcher.setEnabled(endpoints, true);
  // The failing ones are awaited for nothing: the report only brings what they received meanwhile.
  const distinctCountByLabel = Object.fromEntries(endpoints.map((endpoint) => [endpoint.label, isHealthy(endpoint) ? eventCount : 0]));
  const report = await setting.driver.call<ReceiverReport>({ cmd: 'receiverWait', distinctCountByLabel, timeoutMs: receiverWaitMs });
  await dispatcher.setEnabled(endpoints, false);
  const byRole = new Map(endpoints.map((endpoint) => [endpoint.role, endpoint]));
  const check = (endpoint: ScenarioEndpoint) => checkDeliveries(endpoint, report, setting.eventType, (time) => setting.driver.toLocal(time));
  const healthy = endpoints.filter(isHealthy).map(check);
  const [measured, neighbour] = healthy;
  const requestsOf = (role: EndpointRole) => report.received.filter((delivery) => delivery.label === byRole.get(role)?.label).length;
  const lastDeliveryAt = Math.max(...healthy.map((deliveries) => deliveries.lastDeliveryAt));
  return {
    dispatcher: dispatcher.name,
    scenario,
    eventCount,
    measured,
    ...(neighbour ? { neighbour } : {}),
    windowMs: measured.lastDeliveryAt - enabledAt,
    eventsPerSecond: (measured.deliveredCount * 1000) / (measured.lastDeliveryAt - enabledAt),
    deliveriesPerSecond: (healthy.reduce((sum, deliveries) => sum + deliveries.deliveredCount, 0) * 1000) / (lastDeliveryAt - enabledAt),
    ...(byRole.has('failing') ? { failingEndpointRequests: requestsOf('failing'), hangingEndpointRequests: requestsOf('hanging') } : {}),
  };
}

/** Delivers the events after `afterSequence` to a throwaway endpoint, so the dispatcher starts its measurements warm. */
export async function warmUp(dispatcher: Dispatcher, setting: WebhookSetting, afterSequence: number, eventCount: number): Promise<void> {
  const label = `${dispatcher.name}-warm-up`;
  const endpoint = await dispatcher.register(label, `${setting.receiverOrigin}/hooks/${label}`, afterSequence);
  await measureBacklog(dispatcher, 'instant', [{ ...endpoint, role: 'measured' }], setting, eventCount);
}

/** A delivery run is wrong, not slow, when an event is missing, repeated, badly signed or not the one announced. */
export function deliveryProblems(name: string, deliveries: EndpointDeliveries, eventCount: number): string[] {
  const { deliveredCount, duplicateCount, invalidSignatureCount, wrongPayloadCount } = deliveries;
  if (deliveredCount === eventCount && duplicateCount + invalidSignatureCount + wrongPayloadCount === 0) return [];
  return [`${name}: ${deliveredCount} of ${eventCount} delivered, ${duplicateCount} duplicates, ${invalidSignatureCount} bad signatures, ${wrongPayloadCount} wrong payloads`];
}
