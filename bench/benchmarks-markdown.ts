import { writeFile } from 'node:fs/promises';
import type { HttpWorkloadResult, LoadSettings } from './http-measure';

/** What one suite run measured (bench/results/suite.json). The analytics and event parts are their scripts' own JSON. */
export interface SuiteResults {
  readonly measuredAt: string;
  readonly command: string;
  readonly isQuick: boolean;
  readonly environment: { readonly node: string; readonly cpu: string; readonly cpuCount: number; readonly postgres: string; readonly database: string };
  readonly dataSet: Record<string, number>;
  readonly load: LoadSettings;
  readonly http: readonly HttpWorkloadResult[];
  readonly analytics: any;
  readonly events: any;
  readonly durationSeconds: number;
}

const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
const verdict = (holds: boolean) => (holds ? 'met' : '**not met**');

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
  const { latency, memory, webhooks, settings } = results.events;
  const kb = (bytes: number) => fixed(bytes / 1024);
  return [
    '| figure | measured | target | |',
    '| --- | --: | --- | --- |',
    `| event → ${settings.subscriberCount} graphql-ws subscribers, p50 / p99 ms (paced) | ${fixed(latency.paced.afterResponseMs.p50Ms)} / ${fixed(latency.paced.afterResponseMs.p99Ms)} | 5k subscribers at 25k deliveries/s: p99 ≤ 100 ms | ${verdict(false)} (5k not run yet) |`,
    `| same, burst, p50 / p99 ms; deliveries/s | ${fixed(latency.burst.afterResponseMs.p50Ms)} / ${fixed(latency.burst.afterResponseMs.p99Ms)}; ${fixed(latency.burst.eventsPerSecond * settings.subscriberCount, 0)} | | |`,
    `| gateway CPU per delivery, µs | ${fixed(latency.burst.gatewayCpuUsPerDelivery)} | ≤ 10 µs | ${verdict(latency.burst.gatewayCpuUsPerDelivery <= 10)} |`,
    `| heap per idle subscription, KB | ${kb(memory.perSubscriberBytes.total)} | ≤ 10 KB | ${verdict(memory.perSubscriberBytes.total <= 10 * 1024)} |`,
    `| webhooks to a local receiver answering at once, events/s (backlog / live) | ${fixed(webhooks.backlog.eventsPerSecond, 0)} / ${fixed(webhooks.live.eventsPerSecond, 0)} | ≥ 0.7× a raw dispatcher | ${verdict(false)} (raw dispatcher not built yet) |`,
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
    '## Analytics over the data set',
    '',
    ...analyticsRows(results),
    '',
    '## Event stream',
    '',
    ...eventRows(results),
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
