import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config/config';
import { generateWebhookSecret } from '../src/modules/webhooks/delivery/standard-webhooks';
import { newId } from '../src/platform/ids';
import { createLogger } from '../src/platform/observability/logger';
import { SecretBox } from '../src/platform/secret-box';
import { startGatewayApp, type GatewayApp } from '../src/server/gateway-app';
import type { DriverCommand, ReceivedDelivery, ReceiverReport, Timed } from './event-stream-driver';
import { BenchChild, settledMemory, sleep } from './event-stream-ipc';
import type { SubscriberCommand, SubscriberResults } from './event-stream-subscribers';
import { askGraphQL, createHttpClient, type HttpClient } from './http-client';

/**
 * `npm run bench` (second part), or alone:
 *   node --expose-gc -r ts-node/register/transpile-only bench/event-stream.ts
 *
 * Loopback only, one run, a fresh database, the gateway in this process (NODE_ENV=test: plain-http
 * webhooks to loopback are refused in production). Every client lives in a child process: the
 * graphql-ws subscribers (bench/event-stream-subscribers.ts) and the mutation sender and webhook
 * receiver (bench/event-stream-driver.ts). So this process's heap is the gateway's, the gateway's
 * CPU time is its own, and no client timestamp waits for the gateway's event loop.
 *
 * 1. event-to-subscriber latency: 1,000 subscriptions to events(types: ["conversation.created"]),
 *    then 50 conversations created one at a time ("paced": the next only once every subscriber
 *    has the previous one) and 50 back to back ("burst": the next as soon as the previous
 *    mutation answered). Latency = receive time − the time the mutation's HTTP response arrived
 *    (the event is committed before the response is sent), and also − the event's occurredAt.
 * 2. heap per idle live subscription in the gateway process (before/after, after gc).
 * 3. webhook throughput: one endpoint on a local receiver answering 200 at once, 500
 *    conversation.updated events from 5 concurrent conversationsBatchUpdate of 100 operations.
 */
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const clientProcessCount = Number(process.env.BENCH_CLIENT_PROCESSES ?? 1);
/** The gateway allows 100 concurrent subscriptions per API key on one instance; stay well under. */
const subscriptionsPerKey = 50;
const connectConcurrency = 50;
const latencyEventCount = 50;
const webhookConversationCount = 100;
const webhookBatchCount = 5;
const webhookEventCount = webhookConversationCount * webhookBatchCount;
const dispatcherPollInterval = '20ms';
const resultsPath = path.resolve(__dirname, 'results/event-stream.json');

const subscriptionQuery = /* GraphQL */ `subscription Events($types: [String!]) { events(types: $types) { id type sequence occurredAt data } }`;
const keyMutation = /* GraphQL */ `mutation Key($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id } } }`;


// ---------------------------------------------------------------- statistics

interface Distribution {
  readonly count: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentiles, as bench/latency.ts. */
function distribution(samples: readonly number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
  let total = 0;
  for (const sample of sorted) total += sample;
  return { count: sorted.length, minMs: sorted[0], p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1], meanMs: total / sorted.length };
}

// ---------------------------------------------------------------- database and gateway

async function runSql(url: string, sql: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on `serverUrl`'s server, as test/support/test-database.ts makes one. */
async function createDatabase() {
  const name = `gw_bench_events_${randomBytes(6).toString('hex')}`;
  await runSql(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runSql(serverUrl, `drop database if exists ${name} with (force)`) };
}

// ---------------------------------------------------------------- subscriber processes

/** Resolves per tag once every subscriber process reported that all its subscribers have it. */
class TagCompletion {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();

  constructor(private readonly processCount: number) {}

  complete(tag: string): void {
    const count = (this.counts.get(tag) ?? 0) + 1;
    this.counts.set(tag, count);
    if (count === this.processCount) this.waiters.get(tag)?.();
  }

  /** True once every subscriber has the tag, false after `timeoutMs`. */
  waitFor(tag: string, timeoutMs: number): Promise<boolean> {
    if (this.counts.get(tag) === this.processCount) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(tag);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(tag, () => {
        clearTimeout(timer);
        this.waiters.delete(tag);
        resolve(true);
      });
    });
  }
}

// ---------------------------------------------------------------- latency phases

interface SentEvent {
  readonly tag: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  /** paced only: false when not every subscriber had it within the wait. */
  readonly reachedAll?: boolean;
}

interface PhaseResult {
  readonly eventCount: number;
  readonly subscriberCount: number;
  readonly missedDeliveries: number;
  /** Mutation round trip (client-side). */
  readonly mutationMs: Distribution;
  /** Every (event, subscriber) pair: receive − mutation response returned. */
  readonly afterResponseMs: Distribution;
  /** Every (event, subscriber) pair: receive − event occurredAt (set in the transaction, before commit; ms resolution). */
  readonly afterOccurredAtMs: Distribution;
  /** Per event: receive by the first / the last subscriber − mutation response returned. */
  readonly firstSubscriberMs: Distribution;
  readonly lastSubscriberMs: Distribution;
  /** Per event: last − first receive. */
  readonly spreadMs: Distribution;
  /** Events over (last receive of the last event − first mutation sent). */
  readonly eventsPerSecond: number;
  /** Gateway-process CPU (user + system) over the phase per event, and per delivered message once the mutation's own CPU (measured without subscribers) is taken off. */
  readonly gatewayCpuMsPerEvent: number;
  readonly gatewayCpuUsPerDelivery: number;
}

function summarizePhase(sent: readonly SentEvent[], receipts: Map<string, number[]>, occurredAt: Map<string, number>, cpuMs: number, mutationCpuMs: number): PhaseResult {
  const afterResponse: number[] = [];
  const afterOccurredAt: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  const spread: number[] = [];
  let missed = 0;
  let lastReceive = 0;
  for (const event of sent) {
    const times = (receipts.get(event.tag) ?? []).filter((time) => !Number.isNaN(time));
    missed += subscriberCount - times.length;
    if (times.length === 0) continue;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    const occurred = occurredAt.get(event.tag);
    for (const time of times) {
      afterResponse.push(time - event.answeredAt);
      if (occurred !== undefined) afterOccurredAt.push(time - occurred);
      min = Math.min(min, time);
      max = Math.max(max, time);
    }
    first.push(min - event.answeredAt);
    last.push(max - event.answeredAt);
    spread.push(max - min);
    lastReceive = Math.max(lastReceive, max);
  }
  const deliveries = afterResponse.length;
  return {
    eventCount: sent.length,
    subscriberCount,
    missedDeliveries: missed,
    mutationMs: distribution(sent.map((event) => event.answeredAt - event.sentAt)),
    afterResponseMs: distribution(afterResponse),
    afterOccurredAtMs: distribution(afterOccurredAt),
    firstSubscriberMs: distribution(first),
    lastSubscriberMs: distribution(last),
    spreadMs: distribution(spread),
    eventsPerSecond: (sent.length * 1000) / (lastReceive - sent[0].sentAt),
    gatewayCpuMsPerEvent: cpuMs / sent.length,
    gatewayCpuUsPerDelivery: ((cpuMs - mutationCpuMs * sent.length) * 1000) / deliveries,
  };
}

// ---------------------------------------------------------------- webhooks

/** An endpoint row as webhookEndpointCreate writes it (as test/support/register-webhook-endpoint.ts does). */
async function registerEndpoint(databaseUrl: string, pepper: string, url: string, workspaceId: string, eventTypes: string[], isEnabled: boolean) {
  const secret = generateWebhookSecret();
  const id = newId('we');
  await runSql(
    databaseUrl,
    `insert into webhook_endpoints (id, workspace_id, url, event_types, secret_ciphertext, enqueued_through_sequence, created_by, is_enabled)
     select $1, w.id, $2, $3, $4, w.event_sequence, 'bench', $6 from workspaces w where w.id = $5`,
    [id, url, eventTypes, new SecretBox(pepper, 'webhook-secrets').seal(secret), workspaceId, isEnabled],
  );
  return { id, secret };
}

// ---------------------------------------------------------------- report

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

function formatReport(results: Record<string, any>): string {
  const row = (label: string, cells: string[]) => `${label.padEnd(34)}${cells.map((cell) => cell.padStart(9)).join('')}`;
  const dist = (label: string, figures: Distribution) => row(label, [ms(figures.p50Ms), ms(figures.p90Ms), ms(figures.p99Ms), ms(figures.maxMs), ms(figures.minMs)]);
  const lines = [
    `event stream: ${results.settings.subscriberCount} graphql-ws subscribers (${results.settings.subscriberCount / subscriptionsPerKey} keys × ${subscriptionsPerKey}, one subscription per socket, ` +
      `${results.settings.clientProcessCount} client process), loopback; Node ${results.environment.node}, PostgreSQL ${results.environment.postgres}, ` +
      `${results.environment.cpuCount} × ${results.environment.cpu}`,
    `setup: ${results.setup.connectMs.toFixed(0)} ms to open and ack all sockets, ${results.setup.liveMs.toFixed(0)} ms and ${results.setup.markerCount} marker events until all were live`,
  ];
  for (const [name, phase] of Object.entries(results.latency) as [string, PhaseResult][]) {
    lines.push(
      '',
      `${name}: ${phase.eventCount} conversation.created × ${phase.subscriberCount} subscribers, ${phase.missedDeliveries} missed; ` +
        `${phase.eventsPerSecond.toFixed(0)} events/s; gateway CPU ${phase.gatewayCpuMsPerEvent.toFixed(1)} ms/event, ${phase.gatewayCpuUsPerDelivery.toFixed(1)} µs/delivery beyond the mutation`,
      row('ms', ['p50', 'p90', 'p99', 'max', 'min']),
      dist('mutation round trip', phase.mutationMs),
      dist('receive − response (all pairs)', phase.afterResponseMs),
      dist('receive − occurredAt (all pairs)', phase.afterOccurredAtMs),
      dist('first subscriber − response', phase.firstSubscriberMs),
      dist('last subscriber − response', phase.lastSubscriberMs),
      dist('last − first subscriber', phase.spreadMs),
    );
  }
  const memory = results.memory;
  lines.push(
    '',
    `gateway heap (after gc): ${kb(memory.gatewayHeapUsed.before)} KB before, +${kb(memory.gatewayHeapUsed.connected - memory.gatewayHeapUsed.before)} KB with ${subscriberCount} acked sockets, ` +
      `+${kb(memory.gatewayHeapUsed.live - memory.gatewayHeapUsed.before)} KB with them subscribed and live`,
    `  per socket ${kb(memory.perSubscriberBytes.socket)} KB + per subscription ${kb(memory.perSubscriberBytes.subscription)} KB = ${kb(memory.perSubscriberBytes.total)} KB heap per idle subscriber ` +
      `(rss +${kb(memory.perSubscriberBytes.rss)} KB, external +${kb(memory.perSubscriberBytes.external)} KB); client side (child) ${kb(memory.clientHeapPerSubscriberBytes)} KB heap`,
  );
  lines.push(
    '',
    `webhooks: ${webhookEventCount} conversation.updated from ${webhookBatchCount} concurrent conversationsBatchUpdate of ${webhookConversationCount}, ` +
      `one endpoint, receiver answers 200 at once, WEBHOOK_POLL_INTERVAL=${dispatcherPollInterval}`,
  );
  for (const hook of Object.values(results.webhooks) as Record<string, any>[]) {
    lines.push(
      `${hook.mode}: ${hook.eventsPerSecond.toFixed(0)} events/s delivered (${hook.windowMs.toFixed(0)} ms from ${hook.mode === 'live' ? 'first occurredAt' : 'enabling the endpoint'} to last delivery; ` +
        `${hook.firstToLastDeliveryEventsPerSecond.toFixed(0)}/s first → last delivery); ${hook.deliveredCount} delivered, ${hook.duplicateCount} duplicates, ` +
        `${hook.invalidSignatureCount} bad signatures, ${hook.maxConcurrentConnections} connections opened to the receiver at most`,
      `  written in ${hook.writeMs.toFixed(0)} ms = ${hook.writeEventsPerSecond.toFixed(0)} events/s (gateway CPU ${hook.writeCpuMsPerEvent.toFixed(1)} ms/event); ` +
        `last delivery ${hook.lastDeliveryAfterLastWriteMs.toFixed(0)} ms after the last batch answered`,
      dist('  delivery − occurredAt', hook.lagMs),
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const startedAt = performance.now();
  if (subscriberCount % subscriptionsPerKey !== 0) throw new Error(`BENCH_SUBSCRIBERS must be a multiple of ${subscriptionsPerKey}`);
  if (!(globalThis as { gc?: unknown }).gc) process.stderr.write('warning: run node with --expose-gc for steadier heap figures\n');
  const database = await createDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-events-'));
  const pepper = randomBytes(24).toString('hex');
  const http = createHttpClient();
  const completion = new TagCompletion(clientProcessCount);
  const subscriberProcesses: BenchChild<SubscriberCommand>[] = [];
  let driver: BenchChild<DriverCommand> | undefined;
  let gateway: GatewayApp | undefined;
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      API_KEY_PEPPER: pepper,
      DATABASE_URL: database.url,
      DEFAULT_RATE_LIMIT: '1000000/hour',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_POLL_INTERVAL: dispatcherPollInterval,
    });
    gateway = await startGatewayApp(config, database.url, createLogger('silent'));
    const adminSecret = gateway.bootstrapKey!.secret;
    const graphqlUrl = `${gateway.url}/graphql`;

    const secrets: string[] = [];
    for (let index = 0; index < subscriberCount / subscriptionsPerKey; index++) {
      const input = { name: `bench subscribers ${index}`, scopes: ['events:read', 'conversations:read'], rateLimit: { requests: 1_000_000, windowSeconds: 3600 } };
      secrets.push((await askGraphQL(http, graphqlUrl, adminSecret, keyMutation, { input })).apiKeyCreate.secret as string);
    }

    const activeDriver = new BenchChild<DriverCommand>('event-stream-driver.ts');
    driver = activeDriver;
    for (let index = 0; index < clientProcessCount; index++) {
      subscriberProcesses.push(new BenchChild<SubscriberCommand>('event-stream-subscribers.ts', (message) => completion.complete(message.tag as string)));
    }
    const clocks = { driver: await activeDriver.calibrateClock(), subscribers: await Promise.all(subscriberProcesses.map((child) => child.calibrateClock())) };
    await activeDriver.call({ cmd: 'init', graphqlUrl, secret: adminSecret, parallelClients: webhookBatchCount });
    const create = async (subject: string) => {
      const timed = await activeDriver.call<Timed & { id: string }>({ cmd: 'create', subject });
      return { ...timed, sentAt: activeDriver.toLocal(timed.sentAt), answeredAt: activeDriver.toLocal(timed.answeredAt) };
    };
    for (let index = 0; index < 20; index++) await create(`warm-up ${index}`);
    const quietCpuAt = process.cpuUsage();
    for (let index = 0; index < 20; index++) await create(`no subscribers ${index}`);
    const quietCpu = process.cpuUsage(quietCpuAt);
    const mutationCpuMs = (quietCpu.user + quietCpu.system) / 1000 / 20;

    // ------------------------------------------------ 1 and 2: subscribers
    const subscriberSecrets = Array.from({ length: subscriberCount }, (_, index) => secrets[Math.floor(index / subscriptionsPerKey)]);
    const share = Math.ceil(subscriberCount / clientProcessCount);
    const memoryOfClients = () => Promise.all(subscriberProcesses.map((child) => child.call<NodeJS.MemoryUsage>({ cmd: 'memory' })));

    const clientBefore = await memoryOfClients();
    const heapBefore = await settledMemory();
    const connectStartedAt = performance.now();
    await Promise.all(
      subscriberProcesses.map((child, index) =>
        child.call({ cmd: 'connect', url: `${gateway!.url.replace(/^http/, 'ws')}/graphql`, secrets: subscriberSecrets.slice(index * share, (index + 1) * share), concurrency: connectConcurrency }),
      ),
    );
    const connectMs = performance.now() - connectStartedAt;
    await sleep(200);
    const heapConnected = await settledMemory();
    const clientConnected = await memoryOfClients();

    const liveStartedAt = performance.now();
    await Promise.all(subscriberProcesses.map((child) => child.call({ cmd: 'subscribe', query: subscriptionQuery, variables: { types: ['conversation.created'] } })));
    let markerCount = 0;
    for (let live = 0; live < subscriberCount; markerCount++) {
      if (markerCount >= 100) throw new Error(`only ${live} of ${subscriberCount} subscriptions went live`);
      const tag = `marker ${markerCount}`;
      await create(tag);
      await completion.waitFor(tag, 300);
      live = (await Promise.all(subscriberProcesses.map((child) => child.call<number>({ cmd: 'liveCount' })))).reduce((sum, count) => sum + count, 0);
    }
    // One more marker that every subscriber must get: from here on all of them are live and idle.
    const settlingTag = `marker ${markerCount++}`;
    await create(settlingTag);
    if (!(await completion.waitFor(settlingTag, 10_000))) throw new Error('the settling marker did not reach every subscriber');
    const liveMs = performance.now() - liveStartedAt;
    await sleep(200);
    const heapLive = await settledMemory();
    const clientLive = await memoryOfClients();

    const sentByPhase: Record<'paced' | 'burst', SentEvent[]> = { paced: [], burst: [] };
    let cpuAt = process.cpuUsage();
    for (let index = 0; index < latencyEventCount; index++) {
      const tag = `paced ${index}`;
      const { sentAt, answeredAt } = await create(tag);
      sentByPhase.paced.push({ tag, sentAt, answeredAt, reachedAll: await completion.waitFor(tag, 5_000) });
    }
    let cpu = process.cpuUsage(cpuAt);
    const pacedCpuMs = (cpu.user + cpu.system) / 1000;
    await sleep(100);
    cpuAt = process.cpuUsage();
    for (let index = 0; index < latencyEventCount; index++) {
      const tag = `burst ${index}`;
      const { sentAt, answeredAt } = await create(tag);
      sentByPhase.burst.push({ tag, sentAt, answeredAt });
    }
    const burstReachedAll = (await Promise.all(sentByPhase.burst.map((event) => completion.waitFor(event.tag, 15_000)))).every(Boolean);
    cpu = process.cpuUsage(cpuAt);
    const burstCpuMs = (cpu.user + cpu.system) / 1000;

    const tags = [...sentByPhase.paced, ...sentByPhase.burst].map((event) => event.tag);
    const childResults = await Promise.all(subscriberProcesses.map((child) => child.call<SubscriberResults>({ cmd: 'results', tags })));
    const receipts = new Map<string, number[]>();
    const occurredAt = new Map<string, number>();
    childResults.forEach((result, index) => {
      for (const [tag, receipt] of Object.entries(result.receipts)) {
        receipts.set(tag, [...(receipts.get(tag) ?? []), ...receipt.receivedAt.map((time) => subscriberProcesses[index].toLocal(time))]);
        if (receipt.occurredAt) occurredAt.set(tag, Date.parse(receipt.occurredAt));
      }
    });
    const latency = {
      paced: summarizePhase(sentByPhase.paced, receipts, occurredAt, pacedCpuMs, mutationCpuMs),
      burst: summarizePhase(sentByPhase.burst, receipts, occurredAt, burstCpuMs, mutationCpuMs),
    };
    const subscriberHealth = {
      subscriptionErrors: childResults.reduce((sum, result) => sum + result.subscriptionErrors, 0),
      closedSockets: childResults.reduce((sum, result) => sum + result.closedSockets, 0),
      pacedReachedAll: sentByPhase.paced.every((event) => event.reachedAll),
      burstReachedAll,
      clientCpuUsPerMessage: childResults.reduce((sum, result) => sum + (result.cpuMsSinceSubscribe * 1000) / Math.max(1, result.messagesSinceSubscribe), 0) / childResults.length,
    };
    await Promise.all(subscriberProcesses.splice(0).map((child) => child.stop({ cmd: 'close' })));

    const sumOf = (usages: NodeJS.MemoryUsage[], key: keyof NodeJS.MemoryUsage) => usages.reduce((sum, usage) => sum + usage[key], 0);
    const memory = {
      isGcExposed: Boolean((globalThis as { gc?: unknown }).gc),
      gatewayHeapUsed: { before: heapBefore.heapUsed, connected: heapConnected.heapUsed, live: heapLive.heapUsed },
      gatewayRss: { before: heapBefore.rss, connected: heapConnected.rss, live: heapLive.rss },
      perSubscriberBytes: {
        socket: (heapConnected.heapUsed - heapBefore.heapUsed) / subscriberCount,
        subscription: (heapLive.heapUsed - heapConnected.heapUsed) / subscriberCount,
        total: (heapLive.heapUsed - heapBefore.heapUsed) / subscriberCount,
        external: (heapLive.external - heapBefore.external) / subscriberCount,
        rss: (heapLive.rss - heapBefore.rss) / subscriberCount,
      },
      clientHeapUsed: { before: sumOf(clientBefore, 'heapUsed'), connected: sumOf(clientConnected, 'heapUsed'), live: sumOf(clientLive, 'heapUsed') },
      clientHeapPerSubscriberBytes: (sumOf(clientLive, 'heapUsed') - sumOf(clientBefore, 'heapUsed')) / subscriberCount,
    };

    // ------------------------------------------------ 3: webhooks
    const conversationIds: string[] = [];
    for (let index = 0; index < webhookConversationCount; index++) conversationIds.push((await create(`webhook ${index}`)).id);
    const [{ workspace_id: workspaceId }] = await runSql(database.url, `select workspace_id from api_keys where name = 'Bootstrap admin key'`);
    /**
     * live: the endpoint is enabled while the 5 batches run, so delivery overlaps writing.
     * backlog: the endpoint is registered disabled, all 500 events are committed, then it is
     * enabled: the dispatcher's own rate, fan-out into deliveries included.
     */
    const measureWebhooks = async (mode: 'live' | 'backlog') => {
      const { url } = await activeDriver.call<{ url: string }>({ cmd: 'receiverStart' });
      const endpoint = await registerEndpoint(database.url, pepper, url, workspaceId as string, ['conversation.updated'], mode === 'live');
      const cpuStart = process.cpuUsage();
      const written = await activeDriver.call<Timed>({ cmd: 'batches', label: `${mode}-batch`, conversationIds });
      const writeCpu = process.cpuUsage(cpuStart);
      const [writtenFrom, writtenUntil] = [activeDriver.toLocal(written.sentAt), activeDriver.toLocal(written.answeredAt)];
      let enabledAt: number | undefined;
      if (mode === 'backlog') {
        enabledAt = performance.timeOrigin + performance.now();
        await runSql(database.url, 'update webhook_endpoints set is_enabled = true where id = $1', [endpoint.id]);
      }
      const report = await activeDriver.call<ReceiverReport>({ cmd: 'receiverWait', distinctCount: webhookEventCount, timeoutMs: 60_000 });
      await activeDriver.call({ cmd: 'receiverStop' });
      // Out of the way of the next measurement.
      await runSql(database.url, 'update webhook_endpoints set is_enabled = false where id = $1', [endpoint.id]);
      const verifier = new Webhook(endpoint.secret);
      let invalidSignatureCount = 0;
      const byId = new Map<string, ReceivedDelivery>();
      for (const delivery of report.received) {
        try {
          verifier.verify(delivery.body, delivery.headers);
        } catch {
          invalidSignatureCount++;
        }
        if (!byId.has(delivery.headers['webhook-id'])) byId.set(delivery.headers['webhook-id'], { ...delivery, receivedAt: activeDriver.toLocal(delivery.receivedAt) });
      }
      const firsts = [...byId.values()];
      const occurredAtOf = (delivery: ReceivedDelivery) => Date.parse((JSON.parse(delivery.body) as { occurredAt: string }).occurredAt);
      const firstDeliveryAt = Math.min(...firsts.map((delivery) => delivery.receivedAt));
      const lastDeliveryAt = Math.max(...firsts.map((delivery) => delivery.receivedAt));
      const windowFrom = enabledAt ?? Math.min(...firsts.map(occurredAtOf));
      const rows = await runSql(
        database.url,
        `select status, count(*)::int as count, max(attempt_count)::int as max_attempts from webhook_deliveries where endpoint_id = $1 group by status`,
        [endpoint.id],
      );
      return {
        mode,
        eventCount: webhookEventCount,
        isComplete: report.isComplete,
        deliveredCount: byId.size,
        duplicateCount: report.received.length - byId.size,
        invalidSignatureCount,
        maxConcurrentConnections: report.maxOpenConnections,
        /** The 5 concurrent batches: first sent → last answered, and the gateway-process CPU meanwhile. */
        writeMs: writtenUntil - writtenFrom,
        writeEventsPerSecond: (webhookEventCount * 1000) / (writtenUntil - writtenFrom),
        writeCpuMsPerEvent: (writeCpu.user + writeCpu.system) / 1000 / webhookEventCount,
        /** live: from the first event's occurredAt (≤ its commit); backlog: from enabling the endpoint. */
        windowMs: lastDeliveryAt - windowFrom,
        eventsPerSecond: (byId.size * 1000) / (lastDeliveryAt - windowFrom),
        firstToLastDeliveryEventsPerSecond: ((byId.size - 1) * 1000) / (lastDeliveryAt - firstDeliveryAt),
        firstDeliveryAfterMs: firstDeliveryAt - windowFrom,
        lastDeliveryAfterLastWriteMs: lastDeliveryAt - writtenUntil,
        /** Per event: first delivery received − the event's occurredAt (ms resolution; ≤ commit, so a slight overestimate). */
        lagMs: distribution(firsts.map((delivery) => delivery.receivedAt - occurredAtOf(delivery))),
        deliveryRows: rows,
      };
    };
    const webhooks = { live: await measureWebhooks('live'), backlog: await measureWebhooks('backlog') };

    const [{ server_version: postgres }] = await runSql(database.url, 'show server_version');
    const results = {
      benchmark: 'event stream: subscriber fan-out latency, heap per subscription, webhook throughput',
      measuredAt: new Date().toISOString(),
      environment: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, postgres: String(postgres) },
      settings: {
        subscriberCount,
        subscriptionsPerKey,
        clientProcessCount,
        latencyEventCount,
        webhookEventCount,
        dispatcherPollInterval,
        latencyReference: 'receive time − time the conversationCreate HTTP response returned to the sender (the event commits before the response is sent); also − occurredAt',
        nodeEnv: 'test',
      },
      clock: clocks,
      setup: { connectMs, liveMs, markerCount, mutationCpuMsWithoutSubscribers: mutationCpuMs },
      latency,
      subscriberHealth,
      memory,
      webhooks,
      durationsMs: { total: performance.now() - startedAt },
    };
    await mkdir(path.dirname(resultsPath), { recursive: true });
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${formatReport(results)}\n\nwritten to ${path.relative(process.cwd(), resultsPath)} in ${(results.durationsMs.total / 1000).toFixed(1)} s\n`);
    const missed = latency.paced.missedDeliveries + latency.burst.missedDeliveries;
    if (subscriberHealth.subscriptionErrors > 0 || subscriberHealth.closedSockets > 0 || missed > 0 || !webhooks.live.isComplete || !webhooks.backlog.isComplete) {
      throw new Error(`incomplete run: ${JSON.stringify(subscriberHealth)}, ${missed} missed subscriber deliveries, webhooks complete: ${webhooks.live.isComplete}/${webhooks.backlog.isComplete}`);
    }
  } finally {
    await Promise.all(subscriberProcesses.map((child) => child.stop({ cmd: 'close' })));
    await driver?.stop({ cmd: 'close' });
    http.close();
    await gateway?.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
