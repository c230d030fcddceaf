import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/platform/observability/logger';
import { operatorActor } from '../src/policies/auth/actor';
import { createServices } from '../src/server/services';
import { startGatewayApp, type GatewayApp } from '../src/server/gateway-app';
import { createDatabase, runSql } from './event-stream-database';
import type { DriverCommand, Timed } from './event-stream-driver';
import { measureFanout, type EventSource, type FanoutPlan, type FanoutServer } from './event-stream-fanout';
import { BenchChild, cpuMs, settledMemory } from './event-stream-ipc';
import { eventStreamProblems, eventStreamRatios, formatEventStreamReport } from './event-stream-report';
import { SubscriberPool } from './event-stream-subscriber-pool';
import {
  currentSequence, gatewayDispatcher, measureBacklog, measureLive, rawDispatcher, registerBacklogEndpoints, slowReceiverDelayMs, warmUp,
  type BacklogResult, type BacklogScenario, type Dispatcher, type EventWrite, type WebhookSetting,
} from './event-stream-webhooks';
import type { RawDispatcherCommand, RawDispatcherLimits } from './references/raw-webhook-dispatcher';
import type { RawFanoutCommand } from './references/raw-ws-fanout';
import { benchCostBudget } from './cost-figures';

/**
 * `npm run bench` (second part), or alone:
 *   node --expose-gc -r ts-node/register/transpile-only bench/event-stream.ts
 *
 * Loopback only, one run, a fresh database, the gateway in this process (NODE_ENV=test: plain-http
 * webhooks to loopback are refused in production), each reference in a child process
 * (bench/references/raw-ws-fanout.ts, raw-webhook-dispatcher.ts). Every client lives in a child
 * process too: the graphql-ws subscribers (bench/event-stream-subscribers.ts) and the mutation
 * sender and webhook receiver (bench/event-stream-driver.ts). So this process's heap is the
 * gateway's, the gateway's CPU time is its own, and no client timestamp waits for the gateway's
 * event loop. Each measurement is taken of the gateway and of its reference in the same run, so
 * their ratio is what carries to another machine.
 *
 * 1. fan-out: BENCH_SUBSCRIBERS (1,000) subscriptions to events(types: ["conversation.created"]),
 *    then 50 conversations created one at a time ("paced": the next only once every subscriber
 *    has the previous one) and 50 back to back ("burst": the next as soon as the previous
 *    mutation answered). Latency = receive time − the time the mutation's HTTP response arrived
 *    (the event is committed before the response is sent), and also − the event's occurredAt.
 *    Server CPU per delivery, and heap per idle live subscription (before/after, after gc).
 *    Then the gateway alone again, its subscribers with an EventFilter every event meets (burst):
 *    what filtering adds per delivery, against the unfiltered figure of the same run.
 * 2. load: BENCH_LOAD_SUBSCRIBERS (5,000; 0 leaves it out) subscribers over
 *    BENCH_LOAD_CLIENT_PROCESSES (2), BENCH_LOAD_EVENTS (25) events sent at 5 per second, open
 *    loop (25,000 deliveries/s when kept up with): the same figures, latency from the send.
 * 3. webhooks: 5 concurrent conversationsBatchUpdate of BENCH_WEBHOOK_CONVERSATIONS (100)
 *    operations make 500 conversation.updated events for a receiver on loopback. live: the
 *    gateway's endpoint is enabled while they are written. backlog: another 500, then endpoints
 *    of both dispatchers enabled in turns on them: answering at once, after 50 ms, and at once
 *    next to one answering 500 and one never answering. Every event must reach every healthy
 *    endpoint exactly once, correctly signed.
 */
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const clientProcessCount = Number(process.env.BENCH_CLIENT_PROCESSES ?? 1);
const loadSubscriberCount = Number(process.env.BENCH_LOAD_SUBSCRIBERS ?? 5000);
const loadClientProcessCount = Number(process.env.BENCH_LOAD_CLIENT_PROCESSES ?? 2);
const loadEventCount = Number(process.env.BENCH_LOAD_EVENTS ?? 25);
/** The target: 5k subscribers at 25k deliveries/s. */
const loadRatePerSecond = 5;
/** The gateway allows 100 concurrent subscriptions per API key on one instance; stay well under. */
const subscriptionsPerKey = 50;
const latencyEventCount = 50;
const webhookConversationCount = Number(process.env.BENCH_WEBHOOK_CONVERSATIONS ?? 100);
const webhookBatchCount = 5;
const webhookEventCount = webhookConversationCount * webhookBatchCount;
const webhookEventType = 'conversation.updated';
const dispatcherPollInterval = '20ms';
const resultsPath = path.resolve(__dirname, 'results/event-stream.json');

const subscriptionQuery = /* GraphQL */ `subscription Events($types: [String!]) { events(types: $types) { id type sequence occurredAt data } }`;
const filteredSubscriptionQuery = /* GraphQL */ `subscription Filtered($types: [String!], $filter: EventFilter) { events(types: $types, filter: $filter) { id type sequence occurredAt data } }`;
/** Conditions an agent console sends; the driver's conversations (channel API, no inbox or team) meet them all. */
const consoleFilter = { channels: ['API', 'EMAIL', 'WEB_CHAT'], customerIds: null };

/**
 * Backlog scenarios in turns, the order flipped each time, so neither dispatcher always goes
 * first; selection (the gateway's only) runs next to instant, the envelope it is compared with.
 */
const backlogTurns: readonly BacklogScenario[] = ['instant', 'selection', 'slow', 'isolation'];

async function main(): Promise<void> {
  const startedAt = performance.now();
  for (const count of [subscriberCount, loadSubscriberCount]) {
    if (count % subscriptionsPerKey !== 0) throw new Error(`BENCH_SUBSCRIBERS and BENCH_LOAD_SUBSCRIBERS must be multiples of ${subscriptionsPerKey}`);
  }
  if (!(globalThis as { gc?: unknown }).gc) process.stderr.write('warning: run node with --expose-gc for steadier heap figures\n');
  const database = await createDatabase(serverUrl);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-events-'));
  const pepper = randomBytes(24).toString('hex');
  const pool = new SubscriberPool(Math.max(clientProcessCount, loadSubscriberCount > 0 ? loadClientProcessCount : 0));
  const driver = new BenchChild<DriverCommand>('event-stream-driver.ts');
  const rawFanout = new BenchChild<RawFanoutCommand>('references/raw-ws-fanout.ts');
  const rawDispatcherProcess = new BenchChild<RawDispatcherCommand>('references/raw-webhook-dispatcher.ts');
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
      // 5k subscriptions of 10 points and mutations back to back: far past what a shared deployment's budgets allow.
      DEFAULT_COST_BUDGET: benchCostBudget,
      WORKSPACE_COST_BUDGET: benchCostBudget,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_POLL_INTERVAL: dispatcherPollInterval,
    });
    gateway = await startGatewayApp(config, database.url, createLogger('silent'));
    const adminSecret = gateway.bootstrapKey!.secret;
    const graphqlUrl = `${gateway.url}/graphql`;

    // As `gateway keys create` does: apiKeyCreate allows 30 keys a minute, and the load run needs 100.
    const keys = createServices({ pepper, defaultRateLimit: { requests: 1_000_000, windowSeconds: 3600 } }).apiKeys;
    const workspaceId = gateway.bootstrapKey!.apiKey.workspace.id;
    const secrets: string[] = [];
    for (let index = 0; index < Math.max(subscriberCount, loadSubscriberCount) / subscriptionsPerKey; index++) {
      const creation = { name: `bench subscribers ${index}`, scopes: ['events:read', 'conversations:read'] };
      secrets.push((await keys.create(gateway.orm.em.fork(), operatorActor(workspaceId, 'cli'), creation)).secret);
    }
    const subscriberSecrets = (count: number) => Array.from({ length: count }, (_, index) => secrets[Math.floor(index / subscriptionsPerKey)]);

    const clocks = { driver: await driver.calibrateClock(), subscribers: await pool.calibrateClocks() };
    await driver.call({ cmd: 'init', graphqlUrl, secret: adminSecret, parallelClients: webhookBatchCount });
    const toLocal = (timed: Timed): Timed => ({ sentAt: driver.toLocal(timed.sentAt), answeredAt: driver.toLocal(timed.answeredAt) });
    const source: EventSource = {
      create: async (subject) => toLocal(await driver.call<Timed>({ cmd: 'create', subject })),
      createAtRate: async (subjects, ratePerSecond) => (await driver.call<Timed[]>({ cmd: 'createAtRate', subjects, ratePerSecond })).map(toLocal),
    };
    for (let index = 0; index < 20; index++) await source.create(`warm-up ${index}`);
    const quietCpuAt = cpuMs();
    for (let index = 0; index < 20; index++) await source.create(`no subscribers ${index}`);
    const mutationCpuMs = (cpuMs() - quietCpuAt) / 20;

    // ------------------------------------------------ 1 and 2: subscribers, the gateway then the raw reference
    const servers: FanoutServer[] = [
      { name: 'gateway', url: `${gateway.url.replace(/^http/, 'ws')}/graphql`, cpuMs: async () => cpuMs(), memory: settledMemory, mutationCpuMs },
      {
        name: 'raw',
        url: (await rawFanout.call<{ url: string }>({ cmd: 'start', databaseUrl: database.url })).url,
        cpuMs: () => rawFanout.call<number>({ cmd: 'cpu' }),
        memory: () => rawFanout.call<NodeJS.MemoryUsage>({ cmd: 'memory' }),
        mutationCpuMs: 0,
      },
    ];
    const plan = (count: number, processCount: number, phases: FanoutPlan['phases'], eventsPerPhase: number): FanoutPlan => ({
      secrets: subscriberSecrets(count), clientProcessCount: processCount, phases, eventsPerPhase, ratePerSecond: loadRatePerSecond, query: subscriptionQuery, variables: { types: ['conversation.created'] },
    });
    const fanout = { gateway: await measureFanout(servers[0], pool, source, plan(subscriberCount, clientProcessCount, ['paced', 'burst'], latencyEventCount)), raw: await measureFanout(servers[1], pool, source, plan(subscriberCount, clientProcessCount, ['paced', 'burst'], latencyEventCount)) };
    const filteredPlan = { ...plan(subscriberCount, clientProcessCount, ['burst'], latencyEventCount), query: filteredSubscriptionQuery, variables: { types: ['conversation.created'], filter: consoleFilter } };
    const fanoutFiltered = await measureFanout(servers[0], pool, source, filteredPlan);
    const loadPlan = plan(loadSubscriberCount, loadClientProcessCount, ['rate'], loadEventCount);
    const load = loadSubscriberCount > 0 ? { gateway: await measureFanout(servers[0], pool, source, loadPlan), raw: await measureFanout(servers[1], pool, source, loadPlan) } : null;
    await rawFanout.stop({ cmd: 'close' });
    await pool.stop();

    // ------------------------------------------------ 3: webhooks
    const conversationIds: string[] = [];
    for (let index = 0; index < webhookConversationCount; index++) conversationIds.push((await driver.call<{ id: string }>({ cmd: 'create', subject: `webhook ${index}` })).id);
    const { origin: receiverOrigin } = await driver.call<{ origin: string }>({ cmd: 'receiverStart' });
    const setting: WebhookSetting = { databaseUrl: database.url, workspaceId, eventType: webhookEventType, driver, receiverOrigin };
    const writeEvents = async (label: string): Promise<EventWrite> => {
      const cpuStart = cpuMs();
      const written = toLocal(await driver.call<Timed>({ cmd: 'batches', label, conversationIds }));
      return { fromAt: written.sentAt, untilAt: written.answeredAt, cpuMsPerEvent: (cpuMs() - cpuStart) / webhookEventCount };
    };
    const dispatchers: Dispatcher[] = [gatewayDispatcher(database.url, pepper, setting.workspaceId, webhookEventType), rawDispatcher(database.url, setting.workspaceId, webhookEventType)];
    const liveAfterSequence = await currentSequence(setting);
    const live = await measureLive(dispatchers[0], setting, () => writeEvents('live-batch'), webhookEventCount);

    const backlogAfterSequence = await currentSequence(setting);
    const backlogWrite = await writeEvents('backlog-batch');
    const rawDispatcherLimits = await rawDispatcherProcess.call<RawDispatcherLimits>({ cmd: 'start', databaseUrl: database.url, pollIntervalMs: config.webhooks.pollIntervalMs, timeoutMs: config.webhooks.timeoutMs, retryScheduleMs: config.webhooks.retryScheduleMs });
    // The gateway's dispatcher is warm from the live run; the raw one warms up on the same events.
    await warmUp(dispatchers[1], setting, liveAfterSequence, webhookEventCount);
    const endpoints = await Promise.all(dispatchers.map((dispatcher) => registerBacklogEndpoints(dispatcher, setting, backlogAfterSequence)));
    const backlog: Record<Dispatcher['name'], Partial<Record<BacklogScenario, BacklogResult>>> = { gateway: {}, raw: {} };
    for (const [turn, scenario] of backlogTurns.entries()) {
      for (const index of turn % 2 === 0 ? [0, 1] : [1, 0]) {
        const scenarioEndpoints = endpoints[index].get(scenario);
        if (scenarioEndpoints) backlog[dispatchers[index].name][scenario] = await measureBacklog(dispatchers[index], scenario, scenarioEndpoints, setting, webhookEventCount);
      }
    }
    // The hanging endpoints' requests end here, so neither dispatcher waits out its timeout when it stops.
    await driver.call({ cmd: 'receiverStop' });
    const webhooks = { live, backlogWrite: { ...backlogWrite, eventsPerSecond: (webhookEventCount * 1000) / (backlogWrite.untilAt - backlogWrite.fromAt) }, backlog };

    const [{ server_version: postgres }] = await runSql(database.url, 'show server_version');
    const results = {
      benchmark: 'event stream: subscriber fan-out latency, CPU and heap per subscription, webhook throughput; the gateway and raw references',
      measuredAt: new Date().toISOString(),
      environment: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, postgres: String(postgres) },
      settings: {
        subscriberCount,
        subscriptionsPerKey,
        clientProcessCount,
        latencyEventCount,
        loadSubscriberCount,
        loadClientProcessCount,
        loadEventCount,
        loadRatePerSecond,
        webhookEventCount,
        dispatcherPollInterval,
        slowReceiverDelayMs,
        webhookTimeoutMs: config.webhooks.timeoutMs,
        rawDispatcher: rawDispatcherLimits,
        latencyReference: 'receive time − time the conversationCreate HTTP response returned to the sender (the event commits before the response is sent); also − occurredAt',
        nodeEnv: 'test',
      },
      clock: clocks,
      mutationCpuMsWithoutSubscribers: mutationCpuMs,
      fanout,
      fanoutFiltered,
      load,
      webhooks,
      ratios: eventStreamRatios(fanout, load, backlog, fanoutFiltered),
      durationsMs: { total: performance.now() - startedAt },
    };
    await mkdir(path.dirname(resultsPath), { recursive: true });
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${formatEventStreamReport(results)}\n\nwritten to ${path.relative(process.cwd(), resultsPath)} in ${(results.durationsMs.total / 1000).toFixed(1)} s\n`);
    const problems = eventStreamProblems(results);
    if (problems.length > 0) throw new Error(`wrong answers:\n  ${problems.join('\n  ')}`);
  } finally {
    await pool.stop();
    await rawFanout.stop({ cmd: 'close' });
    await driver.stop({ cmd: 'close' });
    await rawDispatcherProcess.stop({ cmd: 'close' });
    await gateway?.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
