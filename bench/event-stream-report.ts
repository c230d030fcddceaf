import { fanoutProblems, type FanoutResult, type PhaseName, type PhaseResult } from './event-stream-fanout';
import { ratio, type Distribution } from './event-stream-statistics';
import { deliveryProblems, type BacklogResult, type BacklogScenario, type EndpointDeliveries, type EventWrite, type LiveResult } from './event-stream-webhooks';

/** The gateway and its reference, measured alike in one run. */
export interface FanoutPair {
  readonly gateway: FanoutResult;
  readonly raw: FanoutResult;
}

export type BacklogResults = Record<'gateway' | 'raw', Partial<Record<BacklogScenario, BacklogResult>>>;

/** bench/results/event-stream.json. */
export interface EventStreamResults {
  readonly measuredAt: string;
  readonly environment: { readonly node: string; readonly cpu: string; readonly cpuCount: number; readonly postgres: string };
  readonly settings: {
    readonly subscriptionsPerKey: number;
    readonly loadRatePerSecond: number;
    readonly webhookEventCount: number;
    readonly dispatcherPollInterval: string;
    readonly slowReceiverDelayMs: number;
    readonly webhookTimeoutMs: number;
    readonly rawDispatcher: { readonly maxInFlight: number; readonly maxInFlightPerEndpoint: number };
  };
  readonly fanout: FanoutPair;
  /** The gateway's fan-out again, every subscriber with an EventFilter that every event meets (burst only). */
  readonly fanoutFiltered: FanoutResult;
  readonly load: FanoutPair | null;
  readonly webhooks: { readonly live: LiveResult; readonly backlogWrite: EventWrite & { readonly eventsPerSecond: number }; readonly backlog: BacklogResults };
  readonly ratios: EventStreamRatios;
}

/**
 * gateway ÷ raw: above 1 the gateway is slower or bigger for latency, CPU and heap, below 1 slower
 * for throughput. Latency is receive − response, in the rate phase receive − sent.
 */
export interface FanoutRatios {
  readonly latency: Partial<Record<PhaseName, { readonly p50: number | null; readonly p99: number | null; readonly cpuPerDelivery: number | null }>>;
  readonly heapPerSubscription: number | null;
}

export interface EventStreamRatios {
  readonly fanout: FanoutRatios;
  readonly load: FanoutRatios | null;
  /** Deliveries per second to the healthy endpoints, gateway ÷ raw, per backlog scenario. */
  readonly webhooks: Partial<Record<BacklogScenario, number | null>>;
  /** Per dispatcher: the measured endpoint's rate next to a failing and a hanging one ÷ next to a healthy one (instant); 1 = not slowed at all. */
  readonly isolation: Record<'gateway' | 'raw', number | null>;
  /** The gateway's server CPU per delivery with an EventFilter ÷ without, both in burst; 1 = filtering costs nothing. */
  readonly filteredCpuPerDelivery: number | null;
  /** The gateway's deliveries/s with a payload selection ÷ with the envelope (instant); 1 = selections cost nothing. */
  readonly selectionToEnvelope: number | null;
}

function fanoutRatios(pair: FanoutPair): FanoutRatios {
  const latency: FanoutRatios['latency'] = {};
  for (const [phase, gateway] of Object.entries(pair.gateway.latency) as [PhaseName, PhaseResult][]) {
    const raw = pair.raw.latency[phase];
    const judged = (result: PhaseResult | undefined) => (phase === 'rate' ? result?.afterSentMs : result?.afterResponseMs);
    latency[phase] = {
      p50: ratio(judged(gateway)?.p50Ms, judged(raw)?.p50Ms),
      p99: ratio(judged(gateway)?.p99Ms, judged(raw)?.p99Ms),
      cpuPerDelivery: ratio(gateway.serverCpuUsPerDelivery, raw?.serverCpuUsPerDelivery),
    };
  }
  return { latency, heapPerSubscription: ratio(pair.gateway.memory.perSubscriberBytes.total, pair.raw.memory.perSubscriberBytes.total) };
}

export function eventStreamRatios(fanout: FanoutPair, load: FanoutPair | null, backlog: BacklogResults, fanoutFiltered: FanoutResult): EventStreamRatios {
  const webhooks: EventStreamRatios['webhooks'] = {};
  for (const scenario of Object.keys(backlog.raw) as BacklogScenario[]) webhooks[scenario] = ratio(backlog.gateway[scenario]?.deliveriesPerSecond, backlog.raw[scenario]?.deliveriesPerSecond);
  const selectionToEnvelope = ratio(backlog.gateway.selection?.deliveriesPerSecond, backlog.gateway.instant?.deliveriesPerSecond);
  const isolation = (name: 'gateway' | 'raw') => ratio(backlog[name].isolation?.eventsPerSecond, backlog[name].instant?.eventsPerSecond);
  const filteredCpuPerDelivery = ratio(fanoutFiltered.latency.burst?.serverCpuUsPerDelivery, fanout.gateway.latency.burst?.serverCpuUsPerDelivery);
  return { fanout: fanoutRatios(fanout), load: load && fanoutRatios(load), webhooks, isolation: { gateway: isolation('gateway'), raw: isolation('raw') }, filteredCpuPerDelivery, selectionToEnvelope };
}

/** Wrong answers, not slow ones: a missed or duplicated delivery, a subscription error, a bad signature or payload. */
export function eventStreamProblems(results: EventStreamResults): string[] {
  const { fanout, load, webhooks } = results;
  const backlog = (['gateway', 'raw'] as const).flatMap((name) =>
    Object.values(webhooks.backlog[name]).flatMap((result) => [
      ...deliveryProblems(`${name} ${result.scenario}`, result.measured, result.eventCount),
      ...(result.neighbour ? deliveryProblems(`${name} ${result.scenario} neighbour`, result.neighbour, result.eventCount) : []),
    ]),
  );
  return [
    ...[fanout, ...(load ? [load] : [])].flatMap((pair) => [...fanoutProblems(pair.gateway), ...fanoutProblems(pair.raw)]),
    ...fanoutProblems(results.fanoutFiltered),
    ...deliveryProblems('gateway live', webhooks.live, webhooks.live.eventCount),
    ...backlog,
  ];
}

// ---------------------------------------------------------------- stdout

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const times = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${value.toFixed(2)}×`);
const row = (label: string, cells: string[]) => `${label.padEnd(46)}${cells.map((cell) => cell.padStart(9)).join('')}`;
const distributionRow = (label: string, figures: Distribution) => row(label, [ms(figures.p50Ms), ms(figures.p90Ms), ms(figures.p99Ms), ms(figures.maxMs), ms(figures.minMs)]);

function fanoutLines(title: string, pair: FanoutPair, ratios: FanoutRatios, subscriptionsPerKey: number): string[] {
  const { subscriberCount, clientProcessCount } = pair.gateway;
  const lines = [
    '',
    `${title}: ${subscriberCount} graphql-ws subscribers (${subscriberCount / subscriptionsPerKey} keys × ${subscriptionsPerKey} for the gateway, one subscription per socket, ${clientProcessCount} client processes)`,
  ];
  for (const result of [pair.gateway, pair.raw]) {
    const { setup, memory, health } = result;
    lines.push(
      `${result.server.padEnd(8)} ${setup.connectMs.toFixed(0)} ms to open and ack all sockets, ${setup.liveMs.toFixed(0)} ms and ${setup.markerCount} marker events until all were live; ` +
        `heap per idle subscriber ${kb(memory.perSubscriberBytes.socket)} KB socket + ${kb(memory.perSubscriberBytes.subscription)} KB subscription = ${kb(memory.perSubscriberBytes.total)} KB ` +
        `(rss +${kb(memory.perSubscriberBytes.rss)} KB); clients ${kb(memory.clientHeapPerSubscriberBytes)} KB heap, ${health.clientCpuUsPerMessage.toFixed(1)} µs CPU per message`,
    );
  }
  for (const phase of Object.keys(pair.gateway.latency) as PhaseName[]) {
    const gateway = pair.gateway.latency[phase]!;
    const raw = pair.raw.latency[phase]!;
    const figures = (name: string, result: PhaseResult, note = '') =>
      `${name} ${result.missedDeliveries} missed, ${result.deliveriesPerSecond.toFixed(0)} deliveries/s, CPU ${result.serverCpuMsPerEvent.toFixed(1)} ms/event, ${result.serverCpuUsPerDelivery.toFixed(1)} µs/delivery${note}`;
    lines.push(
      '',
      `${phase}: ${gateway.eventCount} conversation.created × ${subscriberCount}; ${figures('gateway', gateway, ' beyond the mutation')}; ${figures('raw', raw)}`,
      row('ms', ['p50', 'p90', 'p99', 'max', 'min']),
      distributionRow('mutation round trip (gateway run)', gateway.mutationMs),
    );
    for (const [name, result] of [['gateway', gateway], ['raw', raw]] as const) {
      lines.push(
        ...(phase === 'rate' ? [distributionRow(`${name} receive − sent (all pairs)`, result.afterSentMs)] : []),
        distributionRow(`${name} receive − response (all pairs)`, result.afterResponseMs),
        distributionRow(`${name} receive − occurredAt (all pairs)`, result.afterOccurredAtMs),
        distributionRow(`${name} last subscriber − response`, result.lastSubscriberMs),
      );
    }
    const phaseRatios = ratios.latency[phase]!;
    lines.push(`gateway ÷ raw: p50 ${times(phaseRatios.p50)}, p99 ${times(phaseRatios.p99)} (receive − ${phase === 'rate' ? 'sent' : 'response'}), CPU per delivery ${times(phaseRatios.cpuPerDelivery)}`);
  }
  lines.push(`gateway ÷ raw heap per idle subscription: ${times(ratios.heapPerSubscription)}`);
  return lines;
}

function webhookLines(results: EventStreamResults): string[] {
  const { live, backlogWrite, backlog } = results.webhooks;
  const { settings, ratios } = results;
  const deliveryFigures = (result: EndpointDeliveries) =>
    `${result.deliveredCount} delivered, ${result.duplicateCount} duplicates, ${result.invalidSignatureCount} bad signatures, ${result.wrongPayloadCount} wrong payloads; at most ${result.maxConcurrentRequests} POSTs and ${result.maxOpenConnections} connections at once`;
  const lines = [
    '',
    `webhooks: ${settings.webhookEventCount} conversation.updated from concurrent conversationsBatchUpdate, to a receiver on loopback; gateway WEBHOOK_POLL_INTERVAL=${settings.dispatcherPollInterval}, ` +
      `raw reference polls alike when idle, ${settings.rawDispatcher.maxInFlight} in flight, ${settings.rawDispatcher.maxInFlightPerEndpoint} per endpoint; both time out after ${settings.webhookTimeoutMs} ms`,
    `live (gateway): ${live.eventsPerSecond.toFixed(0)} events/s delivered (${live.windowMs.toFixed(0)} ms from first occurredAt to last delivery); ${deliveryFigures(live)}`,
    `  written in ${(live.write.untilAt - live.write.fromAt).toFixed(0)} ms = ${live.writeEventsPerSecond.toFixed(0)} events/s (gateway CPU ${live.write.cpuMsPerEvent.toFixed(1)} ms/event); ` +
      `last delivery ${live.lastDeliveryAfterLastWriteMs.toFixed(0)} ms after the last batch answered`,
    distributionRow('  delivery − occurredAt', live.lagMs),
    `backlog: ${settings.webhookEventCount} more written in ${(backlogWrite.untilAt - backlogWrite.fromAt).toFixed(0)} ms = ${backlogWrite.eventsPerSecond.toFixed(0)} events/s, then endpoints enabled in turns; ` +
      'deliveries/s to the healthy endpoints from enabling to the last delivery:',
    row('endpoints', ['gateway', 'raw', 'g ÷ raw']),
  ];
  const scenarioLabel: Record<BacklogScenario, string> = {
    instant: 'two answering 200 at once',
    slow: `one answering 200 after ${settings.slowReceiverDelayMs} ms`,
    isolation: 'one at once, next to a 500 and a hanging one',
    selection: 'two at once, each with the same payload selection',
  };
  for (const scenario of Object.keys(scenarioLabel) as BacklogScenario[]) {
    const gateway = backlog.gateway[scenario];
    const raw = backlog.raw[scenario];
    if (!gateway) continue;
    lines.push(row(scenarioLabel[scenario], [gateway.deliveriesPerSecond.toFixed(0), raw ? raw.deliveriesPerSecond.toFixed(0) : '–', times(ratios.webhooks[scenario] ?? null)]));
  }
  lines.push(`payload selection: the gateway's deliveries/s with the selection ÷ with the envelope: ${times(ratios.selectionToEnvelope)}`);
  const isolation = (name: 'gateway' | 'raw') => backlog[name].isolation;
  lines.push(
    `isolation: the first endpoint's rate next to the failing ones ÷ next to a healthy one: gateway ${times(ratios.isolation.gateway)}, raw ${times(ratios.isolation.raw)}; ` +
      `meanwhile the 500 endpoint got ${isolation('gateway')?.failingEndpointRequests} / ${isolation('raw')?.failingEndpointRequests} POSTs, the hanging one ${isolation('gateway')?.hangingEndpointRequests} / ${isolation('raw')?.hangingEndpointRequests}`,
  );
  for (const name of ['gateway', 'raw'] as const) {
    for (const result of Object.values(backlog[name])) {
      lines.push(`  ${name} ${result.scenario}: ${deliveryFigures(result.measured)}${result.neighbour ? `; its neighbour ${deliveryFigures(result.neighbour)}` : ''}`);
    }
  }
  return lines;
}

export function formatEventStreamReport(results: EventStreamResults): string {
  const { environment, settings, ratios } = results;
  return [
    `event stream on loopback: Node ${environment.node}, PostgreSQL ${environment.postgres}, ${environment.cpuCount} × ${environment.cpu}; ` +
      'raw = bench/references/raw-ws-fanout.ts and raw-webhook-dispatcher.ts; latency = receive − the creating mutation\'s response',
    ...fanoutLines('fan-out', results.fanout, ratios.fanout, settings.subscriptionsPerKey),
    row('gateway CPU per delivery with an EventFilter, µs', [ms(results.fanoutFiltered.latency.burst?.serverCpuUsPerDelivery ?? NaN), times(ratios.filteredCpuPerDelivery)]),
    ...(results.load ? fanoutLines(`load at ${settings.loadRatePerSecond} events/s`, results.load, ratios.load!, settings.subscriptionsPerKey) : []),
    ...webhookLines(results),
  ].join('\n');
}
