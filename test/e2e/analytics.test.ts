import { Client } from 'pg';
import { analyticsWindow, writeRandomSupportHistory } from '../support/analytics-data';
import { expectSameFigures, loadRawHistory, oracleMetrics, type OracleFilter, type RawHistory } from '../support/analytics-oracle';
import { binSeconds, durationRelativeError } from '../../src/modules/analytics/duration-histogram';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { seriesQuery, summaryQuery } from '../support/analytics-queries';
import { startGateway, type TestGateway } from '../support/start-gateway';

const seeds = [11, 23, 37];
const conversationsPerSeed = 250;
const enumGroups = ['channel', 'status', 'priority'];
const groupByNames: Record<string, string> = { channel: 'CHANNEL', status: 'STATUS', priority: 'PRIORITY', assignee_id: 'ASSIGNEE', team_id: 'TEAM', tag: 'TAG', inbox: 'INBOX' };

/** The oracle's filter as GraphQL input: enum values by name. */
const toFilterInput = (filter: OracleFilter | undefined) =>
  filter && { ...filter, channels: filter.channels?.map((value) => value.toUpperCase()), priorities: filter.priorities?.map((value) => value.toUpperCase()) };

interface Workspace {
  readonly id: string;
  readonly secret: string;
  readonly history: RawHistory;
}

async function workspaceIdOf(databaseUrl: string, slug: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('select id from workspaces where slug = $1', [slug])).rows[0].id;
  } finally {
    await client.end();
  }
}

describe('ANL: analytics figures equal a plain computation over the raw rows', () => {
  let gateway: TestGateway;
  const workspaces = new Map<number, Workspace>();
  beforeAll(async () => {
    // Hourly series grouped over several days compute more points than one operation may ask by default.
    gateway = await startGateway({ env: { MAX_QUERY_COST: '100000' } });
    for (const seed of seeds) {
      const { secret } = await createWorkspaceKey(gateway, `analytics-${seed}`, ['analytics:read']);
      const workspaceId = await workspaceIdOf(gateway.databaseUrl, `analytics-${seed}`);
      await writeRandomSupportHistory(gateway.databaseUrl, workspaceId, seed, conversationsPerSeed);
      workspaces.set(seed, { id: workspaceId, secret, history: await loadRawHistory(gateway.databaseUrl, workspaceId) });
    }
  }, 120_000);
  afterAll(() => gateway.stop());

  const ask = async (secret: string, query: string, variables: Record<string, unknown>) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret });
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!.analytics;
  };

  /** Which store answered each part, from the gateway's own count on /metrics: "figures from …, percentiles from …". */
  const answeredFrom = async (ask: () => Promise<unknown>): Promise<string> => {
    const counts = async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const pattern = /gateway_analytics_answers_total\{part="(\w+)",source="(\w+)"\} (\d+)/g;
      return new Map([...text.matchAll(pattern)].map(([, part, source, count]) => [`${part} from ${source}`, Number(count)]));
    };
    const before = await counts();
    await ask();
    const after = await counts();
    return [...after].filter(([answer, count]) => count > (before.get(answer) ?? 0)).map(([answer, count]) => `${count - (before.get(answer) ?? 0)} ${answer}`).sort().join(', ');
  };
  const expectedAnswer = (source: string, percentiles: string) => `1 figures from ${source}, 1 percentiles from ${percentiles}`;

  // Hour-aligned boundaries and one dimension come from the rollups; the rest from the raw rows.
  // Percentiles come from the daily histograms for whole UTC days when the rollups answer, from the raw rows for the rest.
  const summaryCases: { name: string; from: string; to: string; filter?: OracleFilter; source: string; percentiles: string }[] = [
    { name: 'the whole window', from: analyticsWindow.from.toISOString(), to: analyticsWindow.to.toISOString(), source: 'rollup', percentiles: 'histograms' },
    { name: 'a middle range, two channels', from: '2026-03-20T00:00:00Z', to: '2026-04-02T00:00:00Z', filter: { channels: ['email', 'web_chat'] }, source: 'rollup', percentiles: 'histograms' },
    { name: 'one tag', from: '2026-03-20T05:00:00Z', to: '2026-04-02T00:00:00Z', filter: { tags: ['refund'] }, source: 'rollup', percentiles: 'histograms_and_raw' },
    { name: 'customer tags and priorities', from: '2026-03-01T07:30:00Z', to: '2026-03-31T22:00:00Z', filter: { customerTags: ['vip', 'trial'], priorities: ['high', 'urgent'] }, source: 'raw', percentiles: 'raw' },
    { name: 'conversation tags and an inbox', from: '2026-03-05T00:00:00Z', to: '2026-04-10T00:00:00Z', filter: { tags: ['bug'], inboxes: ['support'] }, source: 'raw', percentiles: 'raw' },
    { name: 'a range starting mid-hour', from: '2026-03-05T00:30:00Z', to: '2026-04-10T00:00:00Z', source: 'raw', percentiles: 'raw' },
  ];

  it.each(seeds)('ANL-01 seed %i: summaries over several ranges and filters', async (seed) => {
    const { secret, history } = workspaces.get(seed)!;
    for (const { name, from, to, filter, source, percentiles } of summaryCases) {
      let summary: unknown;
      const answered = await answeredFrom(async () => ({ summary } = await ask(secret, summaryQuery, { range: { from, to }, filter: toFilterInput(filter) })));
      expect({ name, answered }).toEqual({ name, answered: expectedAnswer(source, percentiles) });
      expectSameFigures(summary, oracleMetrics(history, { from: new Date(from), to: new Date(to), filter }));
    }
  });

  // A local day in a zone other than UTC holds no whole UTC day, so its percentiles come from the raw rows.
  const seriesCases: { interval: string; timeZone: string; from: string; to: string; groupBy?: string; filter?: OracleFilter; source: string; percentiles: string }[] = [
    { interval: 'DAY', timeZone: 'Europe/Berlin', from: '2026-03-01T00:00:00Z', to: '2026-04-10T00:00:00Z', source: 'rollup', percentiles: 'raw' },
    { interval: 'DAY', timeZone: 'UTC', from: '2026-03-01T00:00:00Z', to: '2026-04-10T00:00:00Z', groupBy: 'tag', source: 'rollup', percentiles: 'histograms' },
    { interval: 'HOUR', timeZone: 'America/New_York', from: '2026-03-07T12:00:00Z', to: '2026-03-10T12:00:00Z', groupBy: 'channel', source: 'rollup', percentiles: 'raw' },
    { interval: 'WEEK', timeZone: 'Asia/Kolkata', from: '2026-02-25T00:00:00Z', to: '2026-04-12T00:00:00Z', groupBy: 'assignee_id', filter: { priorities: ['normal', 'high'] }, source: 'raw', percentiles: 'raw' },
    { interval: 'MONTH', timeZone: 'Australia/Sydney', from: '2026-02-25T00:00:00Z', to: '2026-04-12T00:00:00Z', groupBy: 'tag', source: 'rollup', percentiles: 'histograms_and_raw' },
    { interval: 'DAY', timeZone: 'America/New_York', from: '2026-03-25T00:00:00Z', to: '2026-04-05T00:00:00Z', groupBy: 'status', filter: { channels: ['phone', 'api', 'email'] }, source: 'raw', percentiles: 'raw' },
    { interval: 'DAY', timeZone: 'America/New_York', from: '2026-03-25T00:00:00Z', to: '2026-04-05T00:00:00Z', groupBy: 'channel', filter: { channels: ['phone', 'api', 'email'] }, source: 'rollup', percentiles: 'raw' },
    { interval: 'WEEK', timeZone: 'UTC', from: '2026-03-02T00:00:00Z', to: '2026-04-06T00:00:00Z', groupBy: 'team_id', source: 'rollup', percentiles: 'histograms' },
    { interval: 'DAY', timeZone: 'Asia/Kathmandu', from: '2026-03-10T00:00:00Z', to: '2026-03-20T00:00:00Z', groupBy: 'inbox', filter: { tags: ['refund', 'billing'] }, source: 'raw', percentiles: 'raw' },
    { interval: 'DAY', timeZone: 'Asia/Kathmandu', from: '2026-03-10T00:00:00Z', to: '2026-03-20T00:00:00Z', groupBy: 'priority', source: 'raw', percentiles: 'raw' },
  ];

  it.each(seeds)('ANL-02 seed %i: series by hour, day, week and month in zones with DST and odd offsets, grouped and filtered', async (seed) => {
    const { secret, history } = workspaces.get(seed)!;
    for (const { interval, timeZone, from, to, groupBy, filter, source, percentiles } of seriesCases) {
      const context = `${interval} ${timeZone} ${groupBy ?? 'ungrouped'}`;
      let series: any;
      const answered = await answeredFrom(async () => {
        ({ conversationSeries: series } = await ask(secret, seriesQuery, {
          range: { from, to }, interval, timeZone, groupBy: groupBy && groupByNames[groupBy], groupLimit: 50, filter: toFilterInput(filter),
        }));
      });
      expect({ context, answered }).toEqual({ context, answered: expectedAnswer(source, percentiles) });
      expect({ context, other: series.groups.filter((group: { isOther: boolean }) => group.isOther) }).toEqual({ context, other: [] });
      // Buckets tile the range: each starts where the previous ended.
      const starts = [...new Set(series.points.map((point: { start: string }) => point.start))] as string[];
      expect(starts[0]).toBe(new Date(from).toISOString());
      for (const point of series.points) {
        const key = groupBy && point.group !== null && enumGroups.includes(groupBy) ? point.group.toLowerCase() : point.group;
        const expected = oracleMetrics(history, { from: new Date(point.start), to: new Date(point.end), filter, group: groupBy ? { by: groupBy, key } : undefined });
        try {
          expectSameFigures(point.metrics, expected);
        } catch (error) {
          throw new Error(`${context}, bucket ${point.start}, group ${point.group}: ${(error as Error).message}`);
        }
      }
      expect(series.points.at(-1).end).toBe(new Date(to).toISOString());
    }
  });

  it('ANL-03 buckets follow the zone’s wall clock: DST days last 23 and 25 hours, DST nights have 23 and 25 hours', async () => {
    const { secret } = workspaces.get(seeds[0])!;
    const days = (await ask(secret, seriesQuery, { range: { from: '2026-03-28T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00' }, interval: 'DAY', timeZone: 'Europe/Berlin' })).conversationSeries;
    expect(days.points.map((point: { start: string; end: string }) => [point.start, (Date.parse(point.end) - Date.parse(point.start)) / 3_600_000])).toEqual([
      ['2026-03-27T23:00:00.000Z', 24],
      ['2026-03-28T23:00:00.000Z', 23],
      ['2026-03-29T22:00:00.000Z', 24],
    ]);
    const autumn = (await ask(secret, seriesQuery, { range: { from: '2026-10-25T00:00:00+02:00', to: '2026-10-26T00:00:00+01:00' }, interval: 'DAY', timeZone: 'Europe/Berlin' })).conversationSeries;
    expect(autumn.points.map((point: { start: string; end: string }) => (Date.parse(point.end) - Date.parse(point.start)) / 3_600_000)).toEqual([25]);
    const hours = (await ask(secret, seriesQuery, { range: { from: '2026-03-08T00:00:00-05:00', to: '2026-03-09T00:00:00-04:00' }, interval: 'HOUR', timeZone: 'America/New_York' })).conversationSeries;
    expect(hours.points).toHaveLength(23);
    const india = (await ask(secret, seriesQuery, { range: { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z' }, interval: 'DAY', timeZone: 'Asia/Kolkata' })).conversationSeries;
    expect(india.points.map((point: { start: string }) => point.start)).toEqual(['2026-03-10T00:00:00.000Z', '2026-03-10T18:30:00.000Z']);
  });

  it('ANL-04 bad input is BAD_USER_INPUT naming the field and the limit', async () => {
    const { secret } = workspaces.get(seeds[0])!;
    const refusal = async (query: string, variables: Record<string, unknown>) => {
      const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret });
      expect(response.body.errors).toHaveLength(1);
      return response.body.errors![0].extensions;
    };
    const backwards = await refusal(summaryQuery, { range: { from: '2026-03-10T00:00:00Z', to: '2026-03-01T00:00:00Z' } });
    expect(backwards).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'range.to', message: 'Must be after range.from' }] });
    const tooManyBuckets = await refusal(seriesQuery, { range: { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, interval: 'HOUR', timeZone: 'UTC' });
    expect(tooManyBuckets).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'interval', message: expect.stringContaining('At most 1500 buckets') }] });
    const unknownZone = await refusal(seriesQuery, { range: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }, interval: 'DAY', timeZone: 'Mars/Olympus_Mons' });
    expect(unknownZone).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'timeZone', message: expect.stringContaining('Unknown time zone') }] });
    const groups = await refusal(seriesQuery, { range: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }, interval: 'DAY', timeZone: 'UTC', groupBy: 'TAG', groupLimit: 0 });
    expect(groups).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'groupLimit', message: 'Must be 1 to 50' }] });
    const tooLong = await refusal(summaryQuery, { range: { from: '2000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    expect(tooLong).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'range.to', message: 'A range spans at most 3660 days' }] });
  });

  it('ANL-05 grouping by a tag with thousands of values answers the top groups and one other group holding the rest', async () => {
    const { secret } = await createWorkspaceKey(gateway, 'analytics-tags', ['analytics:read']);
    const workspaceId = await workspaceIdOf(gateway.databaseUrl, 'analytics-tags');
    const client = new Client({ connectionString: gateway.databaseUrl });
    await client.connect();
    // 3,000 conversations, each with its own tag, and a few tags shared by many so the top is clear.
    await client.query(
      `insert into conversations (id, workspace_id, subject, status, priority, channel, tags, created_at, updated_at, last_activity_at)
       select 'conv_tag_' || n, $1, 'tagged', 'open', 'normal', 'email',
              array['unique-' || n] || case when n % 3 = 0 then array['popular-' || (n % 12)] else '{}' end,
              t, t, t
       from generate_series(1, 3000) n, lateral (select timestamptz '2026-03-01' + n * interval '7 minutes' as t) at`,
      [workspaceId],
    );
    await client.end();
    const { conversationSeries: series } = await ask(secret, seriesQuery, {
      range: { from: '2026-03-01T00:00:00Z', to: '2026-03-20T00:00:00Z' }, interval: 'WEEK', timeZone: 'UTC', groupBy: 'TAG', groupLimit: 4,
    });
    expect(series.groups).toEqual([
      { key: 'popular-0', isOther: false },
      { key: 'popular-3', isOther: false },
      { key: 'popular-6', isOther: false },
      { key: 'popular-9', isOther: false },
      { key: null, isOther: true },
    ]);
    const created = (group: string | null, isOther: boolean) =>
      series.points.filter((point: { group: string | null; isOther: boolean }) => point.group === group && point.isOther === isOther).reduce((sum: number, point: { metrics: { conversationsCreated: number } }) => sum + point.metrics.conversationsCreated, 0);
    // All 3,000 fall in the range. Each counts in its unique tag's group (all in other), a third also in a popular one.
    const inTopGroups = ['popular-0', 'popular-3', 'popular-6', 'popular-9'].map((tag) => created(tag, false));
    expect(inTopGroups).toEqual([250, 250, 250, 250]);
    expect(created(null, true) + inTopGroups.reduce((sum, count) => sum + count, 0)).toBe(3000 + 1000);
  });

  it('ANL-06 a workspace sees only its own figures, and a key without analytics:read none', async () => {
    const { secret: emptySecret } = await createWorkspaceKey(gateway, 'analytics-empty', ['analytics:read']);
    const { summary } = await ask(emptySecret, summaryQuery, { range: { from: analyticsWindow.from.toISOString(), to: analyticsWindow.to.toISOString() } });
    expect(summary).toMatchObject({ conversationsCreated: 0, conversationsResolved: 0, openBacklog: 0, messagesIn: 0, csat: { responses: 0 }, nps: { responses: 0, score: null } });
    const { secret: noScope } = await createWorkspaceKey(gateway, `analytics-${seeds[0]}`, ['conversations:read']);
    const response = await postGraphQL(gateway.graphqlUrl, summaryQuery, { range: { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' } }, { secret: noScope });
    expect(response.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it.each(seeds)('ANL-07 seed %i: rollups and duration histograms kept by the triggers, change after change, equal a rebuild from the raw rows', async (seed) => {
    const client = new Client({ connectionString: gateway.databaseUrl });
    await client.connect();
    try {
      const snapshot = async () =>
        (await client.query(`select * from analytics_hourly where workspace_id = $1 and (activity, created, resolved, reopened, escalated, backlog, messages_in, messages_out,
           frt_count, frt_sum_ms, resolution_count, resolution_sum_ms, csat_count, csat_sum, nps_count, nps_promoters, nps_detractors)
           is distinct from (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) order by dimension, value, hour`, [workspaces.get(seed)!.id])).rows;
      // Each histogram count as (dimension, value, day, metric, bin): arrays may differ in bounds and in zeros kept.
      const histograms = async () =>
        (await client.query(`select dimension, value, day::text, metric, array_lower(counts, 1) + position::int - 1 as bin, count
           from analytics_daily_durations, unnest(counts) with ordinality as u(count, position)
           where workspace_id = $1 and coalesce(count, 0) <> 0 order by 1, 2, 3, 4, 5`, [workspaces.get(seed)!.id])).rows;
      const incremental = await snapshot();
      const incrementalHistograms = await histograms();
      await client.query('select analytics_rebuild($1)', [workspaces.get(seed)!.id]);
      expect(incremental.length).toBeGreaterThan(1000);
      expect(incrementalHistograms.length).toBeGreaterThan(1000);
      expect(incremental).toEqual(await snapshot());
      expect(incrementalHistograms).toEqual(await histograms());
    } finally {
      await client.end();
    }
  });

  it('ANL-10 every duration reads back from its histogram bin within 1% (1 ms below a millisecond), and bins keep the order of durations', async () => {
    const durations = [0, 0.0004, 0.001, 0.0011, 0.5, 1, 1.5, 59.999, 60, 61, 3_599, 86_400, 86_401.7, 2_592_000, 31_536_000, 315_360_000];
    for (let step = 0; step < 200; step++) durations.push(10 ** (-3 + step * 0.06) * (1 + (step % 7) / 100));
    const client = new Client({ connectionString: gateway.databaseUrl });
    await client.connect();
    const { rows } = await client.query(`select seconds, analytics_duration_bin(seconds) as bin from unnest($1::float8[]) as seconds order by seconds`, [durations]).finally(() => client.end());
    let previousBin = -1;
    for (const { seconds, bin } of rows as { seconds: number; bin: number }[]) {
      expect({ seconds, error: Math.abs(binSeconds(bin) - seconds) <= durationRelativeError * seconds * (1 + 1e-9) + (seconds <= 0.001 ? 0.001 : 0) }).toEqual({ seconds, error: true });
      expect(bin).toBeGreaterThanOrEqual(previousBin);
      previousBin = bin;
    }
  });

  it('ANL-08 analytics questions are priced in the key’s cost budget: past it, 429 before anything runs, no field nulled, other keys unaffected', async () => {
    const workspace = `analytics-${seeds[1]}`;
    const { secret } = await createWorkspaceKey(gateway, workspace, ['analytics:read', 'conversations:read'], { maximumAvailable: 60, restoreRate: 1 });
    const neighbour = await createWorkspaceKey(gateway, workspace, ['analytics:read', 'conversations:read']);
    const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };
    // A summary is 11 points (analytics 1, the question 10): five fit in 60, a sixth does not (with a point a second back).
    for (let question = 0; question < 5; question++) await ask(secret, summaryQuery, { range });
    const refused = await postGraphQL(gateway.graphqlUrl, `query Both($range: AnalyticsRange!) { viewer { scopes } analytics { summary(range: $range) { conversationsCreated } } }`, { range }, { secret });

    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'apiKey', retryAfterSeconds: Number(refused.headers.get('retry-after')) });
    expect(await ask(neighbour.secret, summaryQuery, { range })).toHaveProperty('summary');
  });
});
