import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { loadConfig } from '../src/config/config';
import { toMetrics } from '../src/modules/analytics/analytics-metrics';
import { aggregateOccurrences, type AnalyticsQuestion } from '../src/modules/analytics/analytics-query';
import { durationRelativeError } from '../src/modules/analytics/duration-histogram';
import { SqlParameters } from '../src/platform/database/sql-parameters';
import type { CellPercentiles } from '../src/modules/analytics/analytics-percentiles';
import { AnalyticsInterval } from '../src/modules/analytics/analytics.inputs';
import { createLogger } from '../src/platform/observability/logger';
import { startGatewayApp, type GatewayApp } from '../src/server/gateway-app';
import { askGraphQL, createHttpClient } from './http-client';
import { summarize } from './latency';
import { benchCostBudget } from './cost-figures';

/**
 * `npm run bench:analytics`: analytics over a million conversations, through the gateway (rollups)
 * and as the raw aggregate SQL over the tables (the same statement the gateway falls back to),
 * checked to give the same numbers, timed in one run.
 *
 *   BENCH_ANALYTICS_DATABASE_URL, BENCH_ANALYTICS_DATA_DIR, BENCH_ANALYTICS_PEPPER: an already seeded database
 *     (seed --demo --conversations 1000000 takes about ten minutes here); otherwise a fresh one is seeded.
 *   BENCH_CONVERSATIONS: how many conversations to seed (default 1,000,000).
 */
const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '../dist/main.js');
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** BENCH_QUICK: a few samples each, to prove the run works and its answers agree (the suite's --quick). */
const isQuick = process.env.BENCH_QUICK === '1';
const gatewaySamples = isQuick ? 20 : 200;
const rawSamples = isQuick ? 1 : 2;
const slowWorkloadSecondsAtMost = isQuick ? 5 : 60;
const resultsPath = path.resolve(__dirname, 'results/analytics.json');

const metricsFields = `conversationsCreated conversationsResolved conversationsReopened escalations openBacklog resolutionRate
  firstResponseTime { count meanSeconds medianSeconds p90Seconds } resolutionTime { count meanSeconds medianSeconds p90Seconds }
  messagesIn messagesOut csat { responses meanRating } nps { responses promoters detractors score }`;
const countersOnly = metricsFields.replace(/ medianSeconds p90Seconds/g, '');
const summaryQuery = (fields: string) => `query Summary($range: AnalyticsRange!) { analytics { summary(range: $range) { ${fields} } } }`;
const seriesQuery = (fields: string) =>
  `query Series($range: AnalyticsRange!) { analytics { conversationSeries(range: $range, interval: DAY, timeZone: "UTC") { points { start metrics { ${fields} } } } } }`;

async function cli(args: string[], environment: Record<string, string>): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, ...environment, LOG_LEVEL: 'warn' }, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function seededDatabase(): Promise<Record<string, string>> {
  if (process.env.BENCH_ANALYTICS_DATABASE_URL) {
    return { DATABASE_URL: process.env.BENCH_ANALYTICS_DATABASE_URL, DATA_DIR: process.env.BENCH_ANALYTICS_DATA_DIR!, API_KEY_PEPPER: process.env.BENCH_ANALYTICS_PEPPER! };
  }
  const name = `gw_bench_analytics_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const environment = { DATABASE_URL: url.toString(), DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-analytics-')), API_KEY_PEPPER: randomBytes(24).toString('hex') };
  const startedAt = performance.now();
  await cli(['seed', '--demo', '--conversations', process.env.BENCH_CONVERSATIONS ?? '1000000', '--json'], environment);
  process.stdout.write(`seeded ${name} in ${((performance.now() - startedAt) / 1000).toFixed(0)} s (kept: pass BENCH_ANALYTICS_DATABASE_URL=${environment.DATABASE_URL} BENCH_ANALYTICS_DATA_DIR=${environment.DATA_DIR} BENCH_ANALYTICS_PEPPER=${environment.API_KEY_PEPPER} to reuse it)\n`);
  return environment;
}

const isPercentile = (at: string) => /\.(medianSeconds|p90Seconds)$/.test(at);

/** Integers equal, other numbers to 9 significant digits, percentiles within the histograms' stated error. */
function assertSameFigures(label: string, actual: unknown, expected: unknown, at = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = isPercentile(at) ? durationRelativeError * Math.abs(expected) + 0.001 : 1e-9 * Math.max(1, Math.abs(expected));
    if (Math.abs(actual - expected) > tolerance) throw new Error(`${label}${at}: gateway ${actual}, raw SQL ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    for (const key of Object.keys(actual as object)) assertSameFigures(label, (actual as any)[key], (expected as any)[key], `${at}.${key}`);
  } else if (actual !== expected) throw new Error(`${label}${at}: gateway ${JSON.stringify(actual)}, raw SQL ${JSON.stringify(expected)}`);
}

/** Exact nearest-rank percentiles of first response and resolution times, over the range or per UTC day. */
/** Exact percentiles of one bucket, from percentile_disc over the raw rows (no SLA policies in this workspace: no business durations). */
type ExactPercentiles = CellPercentiles & { readonly bucket: Date };

async function exactPercentiles(em: EntityManager, workspaceId: string, from: Date, to: Date, unit: 'day' | null): Promise<ExactPercentiles[]> {
  const sql = new SqlParameters();
  const bucket = (column: string) => (unit ? `date_trunc('day', ${column}, 'UTC')` : `${sql.bind(from)}::timestamptz`);
  const inRange = (column: string) => `${column} >= ${sql.bind(from)} and ${column} < ${sql.bind(to)}`;
  const statement = `
    with durations as (
      select ${bucket('first_response_at')} as bucket, 'frt' as metric, extract(epoch from first_response_at - created_at)::float8 as seconds
      from conversations where workspace_id = ${sql.bind(workspaceId)} and ${inRange('first_response_at')}
      union all
      select ${bucket('s.changed_at')}, 'resolution', extract(epoch from s.changed_at - c.created_at)::float8
      from conversation_status_changes s join conversations c on c.id = s.conversation_id
      where s.workspace_id = ${sql.bind(workspaceId)} and s.from_status is not null and s.to_status = 'resolved' and ${inRange('s.changed_at')}
    )
    select bucket, metric, percentile_disc(0.5) within group (order by seconds) as median, percentile_disc(0.9) within group (order by seconds) as p90
    from durations group by bucket, metric`;
  const rows = await em.getConnection().execute<{ bucket: string | Date; metric: string; median: number; p90: number }[]>(statement, sql.values);
  const cells = new Map<number, ExactPercentiles>();
  for (const row of rows) {
    const bucketAt = new Date(row.bucket);
    const none = { median: null, p90: null };
    const cell = cells.get(bucketAt.getTime()) ?? { bucket: bucketAt, first_response: none, resolution: none, first_response_business: none, resolution_business: none };
    cells.set(bucketAt.getTime(), { ...cell, [row.metric === 'frt' ? 'first_response' : 'resolution']: { median: row.median, p90: row.p90 } });
  }
  return [...cells.values()];
}

async function main(): Promise<void> {
  const environment = await seededDatabase();
  // Budgets a shared deployment needs would throttle a benchmark that asks back to back: lifted, for the key and its workspace.
  const key = await cli(['keys', 'create', '--name', `bench-analytics-${Date.now()}`, '--scopes', 'analytics:read', '--rate-limit', '1000000/hour', '--cost-budget', benchCostBudget, '--json'], environment);
  // No statement timeout either: a benchmark measures how long the slowest question takes; it must not fail on a busy machine.
  const config = loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', WORKSPACE_COST_BUDGET: benchCostBudget, STATEMENT_TIMEOUT: '0', ...environment });
  const gateway: GatewayApp = await startGatewayApp(config, environment.DATABASE_URL, createLogger('silent'));
  const client = createHttpClient(60_000);
  try {
    const em = gateway.orm.em.fork();
    const [{ workspace_id: workspaceId, conversations, last }] = await em.getConnection().execute(
      `select workspace_id, count(*)::int as conversations, max(created_at) as last from conversations group by workspace_id order by 2 desc limit 1`,
    );
    // The 90 whole UTC days ending after the last conversation.
    const to = new Date(Math.ceil(new Date(last).getTime() / 86_400_000) * 86_400_000);
    const from = new Date(to.getTime() - 90 * 86_400_000);
    const range = { from: from.toISOString(), to: to.toISOString() };
    const ask = (query: string) => askGraphQL(client, `${gateway.url}/graphql`, key.secret, query, { range });
    const askTimed = async (query: string): Promise<{ answer: Record<string, any>; ms: number }> => {
      const startedAt = performance.now();
      const answer = await ask(query);
      return { answer, ms: performance.now() - startedAt };
    };

    // Exactness at scale: the gateway's answers against the raw statement's, every figure.
    const question: AnalyticsQuestion = { workspaceId, from, to, filter: null, bucketing: null, groupBy: null, groupLimit: 1 };
    // What an analyst would write: the figures' statement, and exact percentiles by percentile_disc.
    const rawSummary = async () => {
      const rows = await aggregateOccurrences(em, question);
      const [percentiles] = await exactPercentiles(em, workspaceId, from, to, null);
      return toMetrics(rows.find((row) => row.bucket !== null), rows.find((row) => row.bucket === null)?.backlog_delta ?? 0, percentiles);
    };
    const rawSeries = async () => ({
      rows: await aggregateOccurrences(em, { ...question, bucketing: { unit: AnalyticsInterval.DAY, timeZone: 'UTC' }, groupLimit: 50 }),
      percentiles: await exactPercentiles(em, workspaceId, from, to, 'day'),
    });
    assertSameFigures('summary', (await ask(summaryQuery(metricsFields))).analytics.summary, await rawSummary());
    const series = (await ask(seriesQuery(metricsFields))).analytics.conversationSeries.points;
    const { rows: rawDays, percentiles: rawDailyPercentiles } = await rawSeries();
    const rawCreated = rawDays.filter((row) => row.bucket !== null).reduce((sum, row) => sum + row.created, 0);
    const created = series.reduce((sum: number, point: { metrics: { conversationsCreated: number } }) => sum + point.metrics.conversationsCreated, 0);
    if (series.length !== 90 || created !== rawCreated) throw new Error(`series: ${series.length} days, ${created} created; raw SQL ${rawCreated}`);
    for (const row of rawDays.filter((day) => day.bucket !== null)) {
      const point = series.find((candidate: { start: string }) => Date.parse(candidate.start) === row.bucket!.getTime());
      assertSameFigures(`series ${row.bucket!.toISOString()}`, point.metrics.conversationsCreated, row.created);
      const exact = rawDailyPercentiles.find((day) => day.bucket.getTime() === row.bucket!.getTime());
      assertSameFigures(`series ${row.bucket!.toISOString()}`, point.metrics.firstResponseTime.medianSeconds, exact?.first_response.median ?? null, '.medianSeconds');
      assertSameFigures(`series ${row.bucket!.toISOString()}`, point.metrics.resolutionTime.p90Seconds, exact?.resolution.p90 ?? null, '.p90Seconds');
    }

    const workloads = {
      'summary, 90 days, counters and means': summaryQuery(countersOnly),
      'summary, 90 days, with percentiles': summaryQuery(metricsFields),
      'daily series, 90 days, counters and means': seriesQuery(countersOnly),
      'daily series, 90 days, with percentiles': seriesQuery(metricsFields),
    };
    const timings: Record<string, ReturnType<typeof summarize> & { p99Ms: number }> = {};
    for (const [name, query] of Object.entries(workloads)) {
      for (let warmUp = 0; warmUp < 3; warmUp++) await askTimed(query);
      // 200 samples, or as many as a minute allows (at least 10) for the slow workloads.
      const samples: number[] = [];
      const startedAt = performance.now();
      while (samples.length < gatewaySamples && (samples.length < 10 || performance.now() - startedAt < slowWorkloadSecondsAtMost * 1000)) samples.push((await askTimed(query)).ms);
      const sorted = [...samples].sort((a, b) => a - b);
      timings[name] = { ...summarize(samples), p99Ms: sorted[Math.ceil(0.99 * sorted.length) - 1] };
    }
    const rawTimings: Record<string, ReturnType<typeof summarize>> = {};
    for (const [name, compute] of Object.entries({ 'raw SQL summary': rawSummary, 'raw SQL daily series': rawSeries })) {
      const samples: number[] = [];
      for (let index = 0; index < rawSamples; index++) {
        const startedAt = performance.now();
        await compute();
        samples.push(performance.now() - startedAt);
      }
      rawTimings[name] = summarize(samples);
    }

    const [{ server_version: postgres }] = await em.getConnection().execute('show server_version');
    const results = {
      benchmark: 'analytics over the seeded data set: gateway (rollups) vs the raw aggregate SQL, same numbers',
      measuredAt: new Date().toISOString(),
      environment: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, postgres },
      dataSet: { conversations, range },
      settings: { gatewaySamples, gatewaySamplesAtLeast: 10, gatewaySecondsAtMost: slowWorkloadSecondsAtMost, rawSamples, sequential: true },
      gateway: timings,
      rawSql: rawTimings,
      speedup: {
        summary: rawTimings['raw SQL summary'].medianMs / timings['summary, 90 days, with percentiles'].medianMs,
        summaryCountersOnly: rawTimings['raw SQL summary'].medianMs / timings['summary, 90 days, counters and means'].medianMs,
        dailySeries: rawTimings['raw SQL daily series'].medianMs / timings['daily series, 90 days, with percentiles'].medianMs,
        dailySeriesCountersOnly: rawTimings['raw SQL daily series'].medianMs / timings['daily series, 90 days, counters and means'].medianMs,
      },
    };
    await mkdir(path.dirname(resultsPath), { recursive: true });
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    const line = (name: string, figures: { medianMs: number; p95Ms: number; p99Ms?: number; requestCount: number }) =>
      `${name.padEnd(46)} ${figures.medianMs.toFixed(1).padStart(9)} ${figures.p95Ms.toFixed(1).padStart(9)} ${(figures.p99Ms?.toFixed(1) ?? '–').padStart(9)} ${String(figures.requestCount).padStart(9)}`;
    process.stdout.write(
      [
        `analytics over ${conversations} conversations, 90 days to ${range.to}; ${os.cpus().length} × ${results.environment.cpu}, PostgreSQL ${postgres}`,
        `${'ms'.padEnd(46)} ${'median'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)}   samples`,
        ...Object.entries(timings).map(([name, figures]) => line(`gateway: ${name}`, figures)),
        ...Object.entries(rawTimings).map(([name, figures]) => line(name, figures)),
        `raw SQL ÷ gateway (medians): summary ${results.speedup.summary.toFixed(0)}× (${results.speedup.summaryCountersOnly.toFixed(0)}× without percentiles), daily series ${results.speedup.dailySeries.toFixed(0)}× (${results.speedup.dailySeriesCountersOnly.toFixed(0)}× without percentiles)`,
        `every figure of the summary and each day's creations and median first response equal the raw SQL's; written to ${path.relative(process.cwd(), resultsPath)}`,
      ].join('\n') + '\n',
    );
  } finally {
    client.close();
    await gateway.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
