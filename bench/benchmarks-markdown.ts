import { writeFile } from 'node:fs/promises';
import type { EventStreamResults } from './event-stream-report';
import type { Distribution } from './event-stream-statistics';
import type { CostFigures } from './cost-figures';
import { exportTargets, type ExportFigures } from './export';
import type { TokenCheckFigures } from './token-figures';
import type { HttpWorkloadResult, LoadSettings } from './http-measure';
import type { InstanceScaling } from './instances';
import { benchPayloadSelection } from './event-stream-webhooks';

/** What one suite run measured (bench/results/suite.json). The analytics and event parts are their scripts' own JSON. */
export interface SuiteResults {
  readonly measuredAt: string;
  readonly command: string;
  readonly isQuick: boolean;
  readonly environment: { readonly node: string; readonly cpu: string; readonly cpuCount: number; readonly postgres: string; readonly database: string };
  readonly dataSet: Record<string, number>;
  readonly load: LoadSettings;
  readonly http: readonly HttpWorkloadResult[];
  readonly instances: InstanceScaling;
  readonly cost: CostFigures;
  readonly tokens: TokenCheckFigures;
  readonly export: ExportFigures;
  readonly analytics: any;
  readonly events: EventStreamResults;
  readonly durationSeconds: number;
}

const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
const verdict = (holds: boolean) => (holds ? 'met' : '**not met**');

function instanceRows(results: SuiteResults): string[] {
  const { oneInstance, twoInstances, rounds, databaseMsPerRequest, statementsPerRequest, gatewayCpuMsPerRequest } = results.instances;
  const { cpuCount } = results.environment;
  return [
    '| page of 50 | one gateway process | two gateway processes, same database | two ÷ one |',
    '| --- | --: | --: | --: |',
    `| req/s, c=${results.load.connections} in all (medians of ${rounds.length} rounds in turns) | ${fixed(oneInstance, 0)} | ${fixed(twoInstances, 0)} | ${fixed(twoInstances / oneInstance, 2)}× |`,
    '',
    `PostgreSQL's execution time per page request: ${fixed(databaseMsPerRequest, 3)} ms over ${fixed(statementsPerRequest, 2)} statements (pg_stat_statements, sequential requests, planning excluded), ` +
      `so PostgreSQL would saturate a core at about ${databaseMsPerRequest ? fixed(1000 / databaseMsPerRequest, 0) : '–'} page requests a second. ` +
      `The gateway process used ${fixed(gatewayCpuMsPerRequest, 2)} ms of CPU per page request (/proc, one process, closed loop), so one instance saturates a core at about ${gatewayCpuMsPerRequest ? fixed(1000 / gatewayCpuMsPerRequest, 0) : '–'}. ` +
      `Here ${cpuCount} cores are shared by both gateway processes, PostgreSQL and the load generator, so the second process can only take CPU from the others: ` +
      'the figure shows that instances share the database without contention between them, not how far they scale (docs/scaling.md).',
  ];
}

function httpRows(results: SuiteResults): string[] {
  const rows = ['| workload | contender | req/s (c=10) | p50 ms | p99 ms | open-loop p99 ms (at req/s) | SQL statements / request | ÷ raw | target | |', '| --- | --- | --: | --: | --: | --: | --: | --: | --- | --- |'];
  for (const workload of results.http) {
    for (const [name, figures] of Object.entries(workload.contenders)) {
      const ratio = name === 'raw' ? '1' : fixed(workload.ratioToRaw[name as keyof typeof workload.ratioToRaw], 2);
      const isGateway = name === 'gateway';
      rows.push(
        `| ${isGateway ? workload.name : ''} | ${name} | ${fixed(figures!.closedLoop.requestsPerSecond, 0)} | ${fixed(figures!.closedLoop.p50Ms)} | ${fixed(figures!.closedLoop.p99Ms)} | ` +
          `${fixed(figures!.openLoop.p99Ms)} (${fixed(figures!.openLoop.ratePerSecond, 0)}) | ${fixed(figures!.statementsPerRequest, 2)} | ${ratio} | ${isGateway ? workload.target : ''} | ${isGateway ? verdict(workload.meetsTarget) : ''} |`,
      );
    }
  }
  return rows;
}

function costRows(results: SuiteResults): string[] {
  const { overhead, noisyNeighbour } = results.cost;
  const { neighbour } = noisyNeighbour;
  return [
    '| figure | with | without | with ÷ without | target | |',
    '| --- | --: | --: | --: | --- | --- |',
    `| page of 50, closed loop (c=${results.load.connections}) req/s, cost analysis on / off (COST_ANALYSIS=false) | ${fixed(overhead.on.requestsPerSecond, 0)} | ${fixed(overhead.off.requestsPerSecond, 0)} | ${fixed(overhead.ratio, 3)}× | ≥ 0.97× | ${verdict(overhead.ratio >= 0.97)} |`,
    `| page of 50, open loop at ${fixed(noisyNeighbour.ratePerSecond, 0)} req/s, p99 ms with / without the noisy neighbour | ${fixed(noisyNeighbour.withNeighbour.p99Ms)} | ${fixed(noisyNeighbour.alone.p99Ms)} | ${fixed(noisyNeighbour.p99Ratio, 2)}× | ≤ 1.5× | ${verdict(noisyNeighbour.p99Ratio <= 1.5)} |`,
    '',
    `The noisy neighbour is a second key of the same workspace with the default limits (600 requests a minute; 2,000 points, 100 a second), sending a ${neighbour.requestedQueryCost}-point read ` +
      `(99 conversations with customer and 17 messages each; MAX_QUERY_COST allows 2,000) in a loop on ${neighbour.connections} connection, each request as soon as the last was answered, ignoring Retry-After: ` +
      `${neighbour.requests.toLocaleString('en')} requests over the rounds, ${neighbour.answered.toLocaleString('en')} answered, ${neighbour.refused.toLocaleString('en')} refused 429 before any SQL, ` +
      'each refusal after the first held for up to REFUSAL_PACE (1 s) because the key sent it before its Retry-After (docs/cost.md). ' +
      `Both figures are medians of ${results.load.rounds} rounds taken in turns (on, off … and alone, with …).`,
  ];
}

function tokenRows(results: SuiteResults): string[] {
  const { verifyUs, withKey, withToken, ratio } = results.tokens;
  return [
    '| figure | client token | API key | token ÷ key | |',
    '| --- | --: | --: | --: | --- |',
    `| client token check: verify one token (HMAC-SHA256 and JSON parse, in process), µs | ${fixed(verifyUs, 2)} | | | |`,
    `| conversations(first: 1), closed loop (c=${results.load.connections}) req/s | ${fixed(withToken.requestsPerSecond, 0)} | ${fixed(withKey.requestsPerSecond, 0)} | ${fixed(ratio, 3)}× | |`,
    `| same, p50 / p99 ms | ${fixed(withToken.p50Ms)} / ${fixed(withToken.p99Ms)} | ${fixed(withKey.p50Ms)} / ${fixed(withKey.p99Ms)} | | |`,
  ];
}

const mb = (value: number | null) => (value === null ? '–' : `${fixed(value, 0)} MB`);
const plusMb = (value: number | null) => (value === null ? '–' : `${value >= 0 ? '+' : ''}${fixed(value, 0)} MB`);

/** The fixture's size as the issue names it ("a million"); the export also holds the conversations the write workloads created. */
const fixtureConversations = (count: number) => (count === 1_000_000 ? 'a million' : count.toLocaleString('en'));

function exportSection(results: SuiteResults): string[] {
  const figures = results.export;
  const { raw, gateway } = figures;
  const rate = (value: number) => Math.round(value).toLocaleString('en');
  const bytes = (value: number) => `${fixed(value / (1024 * 1024))} MB`;
  const seconds = (ms: number) => fixed(ms / 1000, 2);
  const memoryVerdict = figures.meetsMemoryTarget === null ? 'not measured (no /proc)' : verdict(figures.meetsMemoryTarget);
  return [
    `## Export: ${fixtureConversations(results.dataSet.conversations)} conversations to gzip JSONL`,
    '',
    '| figure | gateway | raw ceiling | gateway ÷ raw | target | |',
    '| --- | --: | --: | --: | --- | --- |',
    `| rows/s, median of ${figures.rounds} (${figures.rows.toLocaleString('en')} rows: the fixture's and those the write workloads created) | ${rate(gateway.rowsPerSecond)} | ${rate(raw.rowsPerSecond)} | ${fixed(figures.ratio, 2)}× | ≥ ${exportTargets.minimumRatio}× | ${verdict(figures.meetsThroughputTarget)} |`,
    `| seconds, create request → COMPLETED seen (in brackets the job's own completedAt − startedAt) | ${seconds(gateway.ms)} (${seconds(gateway.jobMs)}) | ${seconds(raw.ms)} | | | |`,
    `| file size, gzip | ${bytes(gateway.fileBytes)} | ${bytes(raw.fileBytes)} | ${fixed(gateway.fileBytes / raw.fileBytes, 2)}× | | |`,
    `| gateway RSS at the start → peak during the export (peak − start; worst run) | ${mb(gateway.rssStartMb)} → ${mb(gateway.rssPeakMb)} (${plusMb(gateway.rssGrowthMb)}; worst ${plusMb(gateway.worstRssGrowthMb)}) | | | ≤ +${exportTargets.maximumRssGrowthMb} MB | ${memoryVerdict} |`,
    '',
    `Produced by \`${results.command}\` (bench/export.ts), after the HTTP workloads, against the same gateway process: one unrecorded raw pass to warm the cache, then raw, gateway, raw, gateway, medians. ` +
      `The ratio compares the gateway's bulk export of \`${figures.query}\` (JSONL, GZIP; timed from the bulkExportCreate request until bulkExport(id), polled every 100 ms, reads COMPLETED) ` +
      'with the raw ceiling: PostgreSQL\'s `COPY (SELECT json_build_object(…) …) TO STDOUT` of the same rows in the same order, through Node\'s gzip at the default level into a byte counter. ' +
      `RSS is the gateway process's VmRSS, sampled every 100 ms; the file of the first export was downloaded and gunzipped to ${figures.downloadedLines.toLocaleString('en')} lines, as many as the COPY's rows.`,
  ];
}

function analyticsRows(results: SuiteResults): string[] {
  const { gateway, rawSql, speedup } = results.analytics;
  const summary = gateway['summary, 90 days, with percentiles'];
  const series = gateway['daily series, 90 days, with percentiles'];
  const holds = (figures: { p99Ms: number }, times: number) => figures.p99Ms <= 20 && times >= 100;
  return [
    '| workload (90 days, with median and p90) | gateway median ms | gateway p99 ms | raw aggregate SQL median ms | raw ÷ gateway | target: ≥ 100×, p99 ≤ 20 ms, same numbers | |',
    '| --- | --: | --: | --: | --: | --- | --- |',
    `| summary | ${fixed(summary.medianMs)} | ${fixed(summary.p99Ms)} | ${fixed(rawSql['raw SQL summary'].medianMs, 0)} | ${fixed(speedup.summary, 0)}× | checked in the run | ${verdict(holds(summary, speedup.summary))} |`,
    `| daily series | ${fixed(series.medianMs)} | ${fixed(series.p99Ms)} | ${fixed(rawSql['raw SQL daily series'].medianMs, 0)} | ${fixed(speedup.dailySeries, 0)}× | checked in the run | ${verdict(holds(series, speedup.dailySeries))} |`,
  ];
}

function eventRows(results: SuiteResults): string[] {
  const { fanout, load, webhooks, ratios, settings } = results.events;
  const kb = (bytes: number) => fixed(bytes / 1024);
  const pair = (figures: Distribution) => `${fixed(figures.p50Ms)} / ${fixed(figures.p99Ms)}`;
  // Net of the mutation's own CPU, a small run's estimate can come out below zero: noise, not a figure.
  const positive = (value: number) => (value > 0 ? fixed(value) : '≈ 0 (noise)');
  const times = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${fixed(value, 2)}×`);
  // The targets are for 5k subscribers: judged on the load run when there is one.
  const judged = load ?? fanout;
  const judgedPhase = load ? judged.gateway.latency.rate! : judged.gateway.latency.burst!;
  const judgedRatios = load ? ratios.load! : ratios.fanout;
  const isFullSize = judged.gateway.subscriberCount >= 5000;
  const sizeNote = isFullSize ? '' : ` (${judged.gateway.subscriberCount} subscribers, not 5k)`;
  const rows = [
    '| figure | gateway | raw reference | gateway ÷ raw | target | |',
    '| --- | --: | --: | --: | --- | --- |',
  ];
  const paced = fanout.gateway.latency.paced!;
  const burst = fanout.gateway.latency.burst!;
  rows.push(
    `| event → ${fanout.gateway.subscriberCount} subscribers one at a time (paced), receive − response p50 / p99 ms | ${pair(paced.afterResponseMs)} | ${pair(fanout.raw.latency.paced!.afterResponseMs)} | ${times(ratios.fanout.latency.paced?.p99)} (p99) | | |`,
    `| same, back to back (burst), p50 / p99 ms; deliveries/s | ${pair(burst.afterResponseMs)}; ${fixed(burst.deliveriesPerSecond, 0)} | ${pair(fanout.raw.latency.burst!.afterResponseMs)}; ${fixed(fanout.raw.latency.burst!.deliveriesPerSecond, 0)} | ${times(ratios.fanout.latency.burst?.p99)} (p99) | | |`,
    `| server CPU per delivery (burst, ${fanout.gateway.subscriberCount}), µs | ${positive(burst.serverCpuUsPerDelivery)} | ${positive(fanout.raw.latency.burst!.serverCpuUsPerDelivery)} | ${times(ratios.fanout.latency.burst?.cpuPerDelivery)} | | |`,
    `| server CPU per delivery with an EventFilter (burst, ${fanout.gateway.subscriberCount}; channels and customerIds, all met), µs; ÷ unfiltered | ${positive(results.events.fanoutFiltered.latency.burst!.serverCpuUsPerDelivery)} | | ${times(ratios.filteredCpuPerDelivery)} (÷ unfiltered) | | |`,
    `| heap per idle subscription (${fanout.gateway.subscriberCount}), KB | ${kb(fanout.gateway.memory.perSubscriberBytes.total)} | ${kb(fanout.raw.memory.perSubscriberBytes.total)} | ${times(ratios.fanout.heapPerSubscription)} | | |`,
  );
  if (load) {
    const rate = load.gateway.latency.rate!;
    const rawRate = load.raw.latency.rate!;
    rows.push(
      `| event → ${load.gateway.subscriberCount} subscribers at ${settings.loadRatePerSecond} events/s (open loop), receive − sent p50 / p99 ms; deliveries/s | ${pair(rate.afterSentMs)}; ${fixed(rate.deliveriesPerSecond, 0)} | ${pair(rawRate.afterSentMs)}; ${fixed(rawRate.deliveriesPerSecond, 0)} | ${times(ratios.load!.latency.rate?.p99)} (p99) | 5k subscribers at 25k deliveries/s: p99 ≤ 100 ms | ${verdict(isFullSize && rate.afterSentMs.p99Ms <= 100)}${sizeNote} |`,
      `| server CPU per delivery (${load.gateway.subscriberCount} at ${settings.loadRatePerSecond} events/s), µs | ${positive(rate.serverCpuUsPerDelivery)} | ${positive(rawRate.serverCpuUsPerDelivery)} | ${times(ratios.load!.latency.rate?.cpuPerDelivery)} | ≤ 10 µs | ${verdict(isFullSize && rate.serverCpuUsPerDelivery <= 10)}${sizeNote} |`,
      `| heap per idle subscription (${load.gateway.subscriberCount}), KB | ${kb(load.gateway.memory.perSubscriberBytes.total)} | ${kb(load.raw.memory.perSubscriberBytes.total)} | ${times(ratios.load!.heapPerSubscription)} | ≤ 10 KB | ${verdict(isFullSize && load.gateway.memory.perSubscriberBytes.total <= 10 * 1024)}${sizeNote} |`,
    );
  } else {
    rows.push(`| 5k subscribers at ${settings.loadRatePerSecond} events/s | not run | | | 5k subscribers at 25k deliveries/s: p99 ≤ 100 ms; ≤ 10 µs CPU per delivery; ≤ 10 KB heap per idle subscription | ${verdict(false)} (not run) |`);
  }
  const { gateway, raw } = webhooks.backlog;
  const backlogRow = (label: string, scenario: 'instant' | 'slow', target: string) =>
    `| webhooks, backlog of ${settings.webhookEventCount} events, to ${label}, deliveries/s | ${fixed(gateway[scenario]?.deliveriesPerSecond, 0)} | ${fixed(raw[scenario]?.deliveriesPerSecond, 0)} | ${times(ratios.webhooks[scenario])} | ${target} |`;
  rows.push(
    `${backlogRow('two endpoints answering at once', 'instant', '≥ 0.7× a raw dispatcher')} ${verdict((ratios.webhooks.instant ?? 0) >= 0.7)} |`,
    `${backlogRow(`one endpoint answering after ${settings.slowReceiverDelayMs} ms`, 'slow', '')} |`,
    `| the same two endpoints with one payload selection (\`${benchPayloadSelection.query}\`), deliveries/s (÷ the envelope) | ${fixed(gateway.selection?.deliveriesPerSecond, 0)} (${times(ratios.selectionToEnvelope ?? null)}) | | | selections rendered once per event: close to the envelope's rate | |`,
    `| the first of the two, its neighbour replaced by one answering 500 and one hanging: its events/s (÷ next to a healthy neighbour) | ${fixed(gateway.isolation?.eventsPerSecond, 0)} (${times(ratios.isolation.gateway)}) | ${fixed(raw.isolation?.eventsPerSecond, 0)} (${times(ratios.isolation.raw)}) | ${times(ratios.webhooks.isolation)} | a failing endpoint does not slow the others (≥ 0.8×) | ${verdict((ratios.isolation.gateway ?? 0) >= 0.8)} |`,
    `| webhooks while the events are written (live), events/s | ${fixed(webhooks.live.eventsPerSecond, 0)} (written at ${fixed(webhooks.live.writeEventsPerSecond, 0)}/s) | | | keep up with the event rate | ${verdict(webhooks.live.lastDeliveryAfterLastWriteMs <= 1000)} |`,
  );
  return rows;
}

function eventNotes(results: SuiteResults): string[] {
  const { settings } = results.events;
  return [
    'Latency is each delivery\'s arrival minus the time the creating mutation\'s response arrived; server CPU per delivery is the serving process\'s CPU over the phase (less the mutation\'s own, for the gateway) over the deliveries. ' +
      'The raw fan-out reference (bench/references/raw-ws-fanout.ts) is a plain `ws` server speaking enough graphql-transport-ws for the same graphql-ws clients, learning of events as the gateway does (LISTEN, then the events table by sequence) and writing each event serialised once; no authentication or GraphQL. ' +
      `The raw webhook dispatcher (bench/references/raw-webhook-dispatcher.ts) keeps endpoints, deliveries and attempts as rows in tables of its own over the same events, one statement per step for a whole pass, POSTs signed with \`standardwebhooks\` over keep-alive agents, ${settings.rawDispatcher.maxInFlight} in flight and ${settings.rawDispatcher.maxInFlightPerEndpoint} per endpoint. ` +
      'Every healthy endpoint must receive every event exactly once, correctly signed, or the run fails. ' +
      'The subscribers run in their own processes on the same machine: a server that pushes faster than they read (the raw reference in a burst) measures their queue, so server CPU per delivery is the figure that does not depend on them.',
  ];
}

/** The run as Markdown: the machine, the command, then one table per kind of workload. */
export function formatSuiteMarkdown(results: SuiteResults): string {
  const { environment, dataSet, load } = results;
  return [
    '# Benchmarks',
    '',
    `Measured ${results.measuredAt} with \`${results.command}\` on ${environment.cpuCount} × ${environment.cpu}, Node ${environment.node}, PostgreSQL ${environment.postgres} ` +
      `(${environment.database === 'embedded' ? 'embedded, started by the suite, pg_stat_statements preloaded' : 'from DATABASE_URL'}); the whole run took ${fixed(results.durationSeconds / 60)} min.`,
    '',
    `Data set (bench/fixture.ts, deterministic, loaded in ${fixed(dataSet.loadSeconds)} s): ${Object.entries(dataSet).filter(([name]) => name !== 'loadSeconds').map(([name, count]) => `${count.toLocaleString('en')} ${name}`).join(', ')}.`,
    '',
    'Each server runs in its own process on loopback; the load generator (autocannon) in the suite\'s. Absolute figures depend on the machine and on whatever else it is',
    'doing; ratios to the raw reference measured in the same run carry over. Closed loop: ' +
      `${load.connections} connections, ${load.seconds} s, ${load.rounds} rounds taken in turns (A B C A B C …) after a ${load.warmUpSeconds} s warm-up each, medians. ` +
      `Open loop: a fixed rate of half the slowest contender's throughput for ${load.openLoopSeconds} s. SQL statements per request: pg_stat_statements over ${load.statementSampleCount} sequential requests ` +
      '(transaction control included; the gateway\'s background jobs may add a few hundredths).',
    '',
    '## Reads and writes over HTTP',
    '',
    ...httpRows(results),
    '',
    'The raw reference (bench/references/raw-http-server.ts) is `node:http` + `pg` with the statements the gateway needs and no authentication, GraphQL or ORM. ' +
      'PostGraphile 5 (bench/postgraphile) serves the same tables with the Amber preset in production mode, without authentication; its page names the workspace in a condition, so it reads the same index as the gateway.',
    '',
    '## Instances',
    '',
    ...instanceRows(results),
    '',
    '## Cost analysis and budgets',
    '',
    ...costRows(results),
    '',
    '## Client tokens',
    '',
    ...tokenRows(results),
    '',
    ...exportSection(results),
    '',
    '## Analytics over the data set',
    '',
    ...analyticsRows(results),
    '',
    '## Event stream',
    '',
    ...eventRows(results),
    '',
    ...eventNotes(results),
    '',
  ].join('\n');
}

export async function writeBenchmarksMarkdown(filePath: string, results: SuiteResults): Promise<void> {
  await writeFile(filePath, formatSuiteMarkdown(results));
}

/** The HTTP part as a plain table for the terminal. */
export function formatSuiteTable(results: SuiteResults): string {
  return formatSuiteMarkdown(results).split('\n').filter((line) => line.startsWith('|') || line.startsWith('#')).join('\n');
}
