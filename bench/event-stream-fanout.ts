import { performance } from 'node:perf_hooks';
import type { Timed } from './event-stream-driver';
import { markerPrefix, sleep } from './event-stream-ipc';
import { distribution, type Distribution } from './event-stream-statistics';
import type { SubscriberPool, TagCompletion } from './event-stream-subscriber-pool';
import type { SubscriberResults } from './event-stream-subscribers';

/** A server the subscriber processes connect to: the gateway (in the bench process) or the raw reference (a child). */
export interface FanoutServer {
  readonly name: 'gateway' | 'raw';
  readonly url: string;
  /** CPU time (user + system) of the process that serves the sockets, ms. */
  cpuMs(): Promise<number>;
  /** That process's memory after full collections. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** That process's CPU per created event that is not fan-out (the gateway also runs the mutation), ms. */
  readonly mutationCpuMs: number;
}

/** Creates conversation.created events (the driver child); times on the bench process's clock. */
export interface EventSource {
  create(subject: string): Promise<Timed>;
  createAtRate(subjects: readonly string[], ratePerSecond: number): Promise<Timed[]>;
}

/**
 * paced: the next event once every subscriber has the previous one; burst: back to back, the next
 * as soon as the previous mutation answered; rate: open loop at `ratePerSecond`.
 */
export type PhaseName = 'paced' | 'burst' | 'rate';

export interface FanoutPlan {
  /** One API key secret per subscriber (the gateway caps subscriptions per key). */
  readonly secrets: readonly string[];
  readonly clientProcessCount: number;
  readonly phases: readonly PhaseName[];
  readonly eventsPerPhase: number;
  readonly ratePerSecond: number;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

export interface PhaseResult {
  readonly eventCount: number;
  readonly subscriberCount: number;
  readonly missedDeliveries: number;
  /** Mutation round trip (client-side). */
  readonly mutationMs: Distribution;
  /** Every (event, subscriber) pair: receive − mutation response returned. */
  readonly afterResponseMs: Distribution;
  /**
   * Every (event, subscriber) pair: receive − mutation sent. In the rate phase the send follows a
   * schedule, so a server whose fan-out slows its own writes (and so its responses and
   * occurredAt) cannot hide the wait: the figure to judge a load by.
   */
  readonly afterSentMs: Distribution;
  /** Every (event, subscriber) pair: receive − event occurredAt (set in the transaction, before commit; ms resolution). */
  readonly afterOccurredAtMs: Distribution;
  /** Per event: receive by the first / the last subscriber − mutation response returned. */
  readonly firstSubscriberMs: Distribution;
  readonly lastSubscriberMs: Distribution;
  /** Per event: last − first receive. */
  readonly spreadMs: Distribution;
  /** Events over (last receive of the last event − first mutation sent); deliveries likewise. */
  readonly eventsPerSecond: number;
  readonly deliveriesPerSecond: number;
  /** Server-process CPU (user + system) over the phase per event, and per delivered message once the mutation's own CPU (measured without subscribers) is taken off. */
  readonly serverCpuMsPerEvent: number;
  readonly serverCpuUsPerDelivery: number;
}

export interface FanoutResult {
  readonly server: FanoutServer['name'];
  readonly subscriberCount: number;
  readonly clientProcessCount: number;
  readonly setup: { readonly connectMs: number; readonly liveMs: number; readonly markerCount: number };
  readonly latency: Partial<Record<PhaseName, PhaseResult>>;
  readonly health: {
    readonly subscriptionErrors: number;
    readonly closedSockets: number;
    readonly missedDeliveries: number;
    readonly clientCpuUsPerMessage: number;
  };
  readonly memory: {
    readonly serverHeapUsed: { readonly before: number; readonly connected: number; readonly live: number };
    readonly serverRss: { readonly before: number; readonly connected: number; readonly live: number };
    /** Per subscriber: the socket (acked), the subscription on it, both; rss and external of both. */
    readonly perSubscriberBytes: { readonly socket: number; readonly subscription: number; readonly total: number; readonly external: number; readonly rss: number };
    readonly clientHeapPerSubscriberBytes: number;
  };
}

const connectConcurrency = 50;
interface SentEvent extends Timed {
  readonly tag: string;
}

function summarizePhase(sent: readonly SentEvent[], receipts: Map<string, number[]>, occurredAt: Map<string, number>, subscriberCount: number, cpuMs: number, mutationCpuMs: number): PhaseResult {
  const afterResponse: number[] = [];
  const afterSent: number[] = [];
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
      afterSent.push(time - event.sentAt);
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
  const windowMs = lastReceive - sent[0].sentAt;
  return {
    eventCount: sent.length,
    subscriberCount,
    missedDeliveries: missed,
    mutationMs: distribution(sent.map((event) => event.answeredAt - event.sentAt)),
    afterResponseMs: distribution(afterResponse),
    afterSentMs: distribution(afterSent),
    afterOccurredAtMs: distribution(afterOccurredAt),
    firstSubscriberMs: distribution(first),
    lastSubscriberMs: distribution(last),
    spreadMs: distribution(spread),
    eventsPerSecond: (sent.length * 1000) / windowMs,
    deliveriesPerSecond: (deliveries * 1000) / windowMs,
    serverCpuMsPerEvent: cpuMs / sent.length,
    serverCpuUsPerDelivery: ((cpuMs - mutationCpuMs * sent.length) * 1000) / deliveries,
  };
}

/** Runs one phase's events; resolves once every subscriber has them all or the phase's wait ran out. */
async function runPhase(phase: PhaseName, tags: readonly string[], source: EventSource, completion: TagCompletion, plan: FanoutPlan): Promise<SentEvent[]> {
  // Long enough for a server far behind: a gateway at 100 µs per delivery needs 25 s for 50 events to 5,000 subscribers.
  const drainMs = 15_000 + (tags.length * plan.secrets.length) / 5;
  if (phase === 'paced') {
    const sent: SentEvent[] = [];
    for (const tag of tags) {
      sent.push({ tag, ...(await source.create(tag)) });
      await completion.waitFor(tag, 5_000 + plan.secrets.length);
    }
    return sent;
  }
  let sent: SentEvent[];
  if (phase === 'burst') {
    sent = [];
    for (const tag of tags) sent.push({ tag, ...(await source.create(tag)) });
  } else {
    sent = (await source.createAtRate(tags, plan.ratePerSecond)).map((timed, index) => ({ tag: tags[index], ...timed }));
  }
  await Promise.all(tags.map((tag) => completion.waitFor(tag, drainMs)));
  return sent;
}

/**
 * Connects `plan.secrets.length` subscribers to `server` from the pool's processes, waits until
 * every subscription is live (marker events), measures the server's heap per idle subscriber,
 * runs the phases and closes the sockets.
 */
export async function measureFanout(server: FanoutServer, pool: SubscriberPool, source: EventSource, plan: FanoutPlan): Promise<FanoutResult> {
  const subscriberCount = plan.secrets.length;
  const { processes, completion } = pool.take(plan.clientProcessCount);
  const label = `${server.name} ${subscriberCount}`;
  const share = Math.ceil(subscriberCount / processes.length);
  const memoryOfClients = async () => (await Promise.all(processes.map((child) => child.call<NodeJS.MemoryUsage>({ cmd: 'memory' })))).reduce((sum, usage) => sum + usage.heapUsed, 0);
  try {
    const clientBefore = await memoryOfClients();
    const before = await server.memory();
    const connectStartedAt = performance.now();
    await Promise.all(
      processes.map((child, index) => child.call({ cmd: 'connect', url: server.url, secrets: plan.secrets.slice(index * share, (index + 1) * share), concurrency: connectConcurrency })),
    );
    const connectMs = performance.now() - connectStartedAt;
    await sleep(200);
    const connected = await server.memory();

    const liveStartedAt = performance.now();
    await Promise.all(processes.map((child) => child.call({ cmd: 'subscribe', query: plan.query, variables: plan.variables })));
    let markerCount = 0;
    for (let live = 0; live < subscriberCount; markerCount++) {
      if (markerCount >= 100) throw new Error(`${label}: only ${live} of ${subscriberCount} subscriptions went live`);
      const tag = `${markerPrefix}${label} ${markerCount}`;
      await source.create(tag);
      await completion.waitFor(tag, 300 + subscriberCount / 5);
      live = (await Promise.all(processes.map((child) => child.call<number>({ cmd: 'liveCount' })))).reduce((sum, count) => sum + count, 0);
    }
    // One more marker that every subscriber must get: from here on all of them are live and idle.
    const settlingTag = `${markerPrefix}${label} ${markerCount++}`;
    await source.create(settlingTag);
    if (!(await completion.waitFor(settlingTag, 10_000 + subscriberCount * 2))) throw new Error(`${label}: the settling marker did not reach every subscriber`);
    const liveMs = performance.now() - liveStartedAt;
    await sleep(200);
    const live = await server.memory();
    const clientLive = await memoryOfClients();

    const sentByPhase = new Map<PhaseName, { sent: SentEvent[]; cpuMs: number }>();
    for (const phase of plan.phases) {
      await sleep(100);
      const tags = Array.from({ length: plan.eventsPerPhase }, (_, index) => `${label} ${phase} ${index}`);
      const cpuBefore = await server.cpuMs();
      const sent = await runPhase(phase, tags, source, completion, plan);
      sentByPhase.set(phase, { sent, cpuMs: (await server.cpuMs()) - cpuBefore });
    }

    const tags = [...sentByPhase.values()].flatMap(({ sent }) => sent.map((event) => event.tag));
    const childResults = await Promise.all(processes.map((child) => child.call<SubscriberResults>({ cmd: 'results', tags })));
    const receipts = new Map<string, number[]>();
    const occurredAt = new Map<string, number>();
    childResults.forEach((result, index) => {
      for (const [tag, receipt] of Object.entries(result.receipts)) {
        receipts.set(tag, [...(receipts.get(tag) ?? []), ...receipt.receivedAt.map((time) => processes[index].toLocal(time))]);
        if (receipt.occurredAt) occurredAt.set(tag, Date.parse(receipt.occurredAt));
      }
    });
    const latency: Partial<Record<PhaseName, PhaseResult>> = {};
    for (const [phase, { sent, cpuMs }] of sentByPhase) latency[phase] = summarizePhase(sent, receipts, occurredAt, subscriberCount, cpuMs, server.mutationCpuMs);
    return {
      server: server.name,
      subscriberCount,
      clientProcessCount: processes.length,
      setup: { connectMs, liveMs, markerCount },
      latency,
      health: {
        subscriptionErrors: childResults.reduce((sum, result) => sum + result.subscriptionErrors, 0),
        closedSockets: childResults.reduce((sum, result) => sum + result.closedSockets, 0),
        missedDeliveries: Object.values(latency).reduce((sum, phase) => sum + phase.missedDeliveries, 0),
        clientCpuUsPerMessage: childResults.reduce((sum, result) => sum + (result.cpuMsSinceSubscribe * 1000) / Math.max(1, result.messagesSinceSubscribe), 0) / childResults.length,
      },
      memory: {
        serverHeapUsed: { before: before.heapUsed, connected: connected.heapUsed, live: live.heapUsed },
        serverRss: { before: before.rss, connected: connected.rss, live: live.rss },
        perSubscriberBytes: {
          socket: (connected.heapUsed - before.heapUsed) / subscriberCount,
          subscription: (live.heapUsed - connected.heapUsed) / subscriberCount,
          total: (live.heapUsed - before.heapUsed) / subscriberCount,
          external: (live.external - before.external) / subscriberCount,
          rss: (live.rss - before.rss) / subscriberCount,
        },
        clientHeapPerSubscriberBytes: (clientLive - clientBefore) / subscriberCount,
      },
    };
  } finally {
    await Promise.all(processes.map((child) => child.call({ cmd: 'close' })));
  }
}

/** A run is wrong, not slow, when a subscriber missed an event, got an error or lost its socket. */
export function fanoutProblems(result: FanoutResult): string[] {
  const { subscriptionErrors, closedSockets, missedDeliveries } = result.health;
  if (subscriptionErrors + closedSockets + missedDeliveries === 0) return [];
  return [`${result.server} × ${result.subscriberCount}: ${missedDeliveries} missed deliveries, ${subscriptionErrors} subscription errors, ${closedSockets} closed sockets`];
}
