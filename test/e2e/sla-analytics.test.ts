import { Client } from 'pg';
import { SlaService } from '../../src/modules/sla';
import type { SlaCheckResult } from '../../src/modules/sla/sla-check';
import { analyticsWindow, writeRandomSupportHistory } from '../support/analytics-data';
import { expectSameFigures, loadRawHistory, oracleMetrics, type OracleFilter } from '../support/analytics-oracle';
import { seriesQuery, summaryQuery } from '../support/analytics-queries';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const calendarMutation = /* GraphQL */ `
  mutation Calendar($input: BusinessCalendarCreateInput!) { businessCalendarCreate(input: $input) { businessCalendar { id } } }
`;
const policyMutation = /* GraphQL */ `
  mutation Policy($input: SlaPolicyCreateInput!) { slaPolicyCreate(input: $input) { slaPolicy { id } } }
`;

/** Check runs on a controlled clock: mid-window, the night of the spring DST change, and after everything in the window has settled. */
const checkClocks = ['2026-03-15T12:00:00Z', '2026-03-29T01:30:00Z', '2026-04-20T00:00:00Z'].map((at) => new Date(at));
const lastCheck = checkClocks.at(-1)!;
const seeds = [41, 43];

interface Workspace {
  readonly id: string;
  readonly secret: string;
}

const summaryRanges: { from: string; to: string; filter?: OracleFilter }[] = [
  { from: analyticsWindow.from.toISOString(), to: '2026-04-25T00:00:00Z' },
  { from: '2026-03-20T00:00:00Z', to: '2026-04-02T00:00:00Z', filter: { priorities: ['high', 'urgent'] } },
  { from: '2026-03-05T00:30:00Z', to: '2026-04-10T00:00:00Z', filter: { channels: ['email'] } },
  { from: '2026-03-01T07:30:00Z', to: '2026-03-31T22:00:00Z', filter: { customerTags: ['vip'], tags: ['refund', 'bug'] } },
];
const seriesCases: { interval: string; timeZone: string; from: string; to: string; groupBy?: string; filter?: OracleFilter }[] = [
  { interval: 'DAY', timeZone: 'Europe/Berlin', from: '2026-03-20T00:00:00Z', to: '2026-04-10T00:00:00Z', groupBy: 'priority' },
  { interval: 'WEEK', timeZone: 'UTC', from: '2026-02-23T00:00:00Z', to: '2026-04-20T00:00:00Z', groupBy: 'assignee_id' },
  { interval: 'DAY', timeZone: 'UTC', from: '2026-03-01T00:00:00Z', to: '2026-04-10T00:00:00Z', groupBy: 'tag' },
  { interval: 'WEEK', timeZone: 'Asia/Kolkata', from: '2026-02-25T00:00:00Z', to: '2026-04-12T00:00:00Z', groupBy: 'channel', filter: { priorities: ['high', 'normal'] } },
  { interval: 'WEEK', timeZone: 'UTC', from: '2026-02-23T00:00:00Z', to: '2026-04-20T00:00:00Z', groupBy: 'status' },
];
const groupByNames: Record<string, string> = { channel: 'CHANNEL', priority: 'PRIORITY', status: 'STATUS', assignee_id: 'ASSIGNEE', tag: 'TAG' };
const enumGroups = ['channel', 'priority', 'status'];
const toFilterInput = (filter: OracleFilter | undefined) =>
  filter && { ...filter, channels: filter.channels?.map((value) => value.toUpperCase()), priorities: filter.priorities?.map((value) => value.toUpperCase()) };

describe('SLA analytics: achievement rates and business-hours times, recorded by the check and grouped like every figure', () => {
  let gateway: TestGateway;
  let database: Client;
  const workspaces = new Map<number, Workspace>();
  const checks: SlaCheckResult[] = [];

  const ask = async (secret: string, query: string, variables: Record<string, unknown>) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret });
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!;
  };

  /** Every figure of every summary range and series point equals the oracle's over the workspace's raw rows as they are now. */
  const expectFiguresOfOracle = async (seed: number) => {
    const { id, secret } = workspaces.get(seed)!;
    const history = await loadRawHistory(gateway.databaseUrl, id, lastCheck);
    for (const { from, to, filter } of summaryRanges) {
      const { analytics } = await ask(secret, summaryQuery, { range: { from, to }, filter: toFilterInput(filter) });
      expectSameFigures(analytics.summary, oracleMetrics(history, { from: new Date(from), to: new Date(to), filter }), `summary ${from}..${to}`);
    }
    for (const { interval, timeZone, from, to, groupBy, filter } of seriesCases) {
      const { analytics } = await ask(secret, seriesQuery, { range: { from, to }, interval, timeZone, groupBy: groupBy && groupByNames[groupBy], groupLimit: 50, filter: toFilterInput(filter) });
      for (const point of analytics.conversationSeries.points) {
        const key = groupBy && point.group !== null && enumGroups.includes(groupBy) ? point.group.toLowerCase() : point.group;
        const expected = oracleMetrics(history, { from: new Date(point.start), to: new Date(point.end), filter, group: groupBy ? { by: groupBy, key } : undefined });
        expectSameFigures(point.metrics, expected, `${interval} ${timeZone} ${groupBy} ${point.start} ${point.group}`);
      }
    }
    return history;
  };

  beforeAll(async () => {
    gateway = await startGateway({ env: { MAX_QUERY_COST: '100000', SLA_CHECK_INTERVAL: '1h' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    for (const seed of seeds) {
      const slug = `sla-analytics-${seed}`;
      const { secret } = await createWorkspaceKey(gateway, slug, ['analytics:read', 'conversations:read', 'conversations:write']);
      const { id } = (await database.query('select id from workspaces where slug = $1', [slug])).rows[0];
      const calendar = (await ask(secret, calendarMutation, {
        input: { name: 'Berlin office', timeZone: 'Europe/Berlin', weeklyHours: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })), holidays: ['2026-04-03', '2026-04-06'] },
      })).businessCalendarCreate.businessCalendar.id;
      await ask(secret, policyMutation, {
        input: { name: 'High and urgent, business hours', conditions: { priorities: ['HIGH', 'URGENT'] }, businessCalendarId: calendar,
          targets: [{ priority: 'HIGH', firstResponseMinutes: 600, nextResponseMinutes: 1440, resolutionMinutes: 2400 }, { priority: 'URGENT', firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 960 }] },
      });
      await ask(secret, policyMutation, {
        input: { name: 'Email, around the clock, paused while waiting on the customer', conditions: { channels: ['EMAIL'] }, pauseWhilePending: true,
          targets: [{ priority: 'NORMAL', firstResponseMinutes: 1440, nextResponseMinutes: 2880, resolutionMinutes: 4320 }, { priority: 'LOW', firstResponseMinutes: 2880, nextResponseMinutes: null, resolutionMinutes: null }] },
      });
      // As if the policies had been set up before the history began.
      await database.query(`update sla_policies set created_at = '2026-02-01' where workspace_id = $1`, [id]);
      await writeRandomSupportHistory(gateway.databaseUrl, id, seed, 250);
      workspaces.set(seed, { id, secret });
    }
    for (const at of [...checkClocks, lastCheck]) checks.push(await new SlaService().check(gateway.app.orm, at));
  }, 180_000);
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  it.each(seeds)('SLA-04 seed %i: achievement per target and business-hours first response and resolution equal a plain computation, by rollups and raw rows, grouped and filtered', async (seed) => {
    const history = await expectFiguresOfOracle(seed);
    const { analytics } = await ask(workspaces.get(seed)!.secret, summaryQuery, { range: { from: analyticsWindow.from.toISOString(), to: '2026-04-25T00:00:00Z' } });
    // The data exercise every kind of figure: both outcomes of each target, and business time shorter than calendar time.
    for (const target of ['firstResponse', 'nextResponse', 'resolution']) {
      expect({ target, achieved: analytics.summary.sla[target].achieved > 5, breached: analytics.summary.sla[target].breached > 5 }).toEqual({ target, achieved: true, breached: true });
    }
    expect(analytics.summary.firstResponseBusinessTime.count).toBeGreaterThan(50);
    expect(analytics.summary.firstResponseBusinessTime.meanSeconds).toBeLessThan(analytics.summary.firstResponseTime.meanSeconds);
    expect(history.sla.policies).toHaveLength(2);
  });

  it('SLA-05 each check records only what settled since the one before: the runs add up, and a repeated run records nothing', async () => {
    const recorded = Number((await database.query('select (select count(*) from sla_outcomes) + (select count(*) from sla_business_durations) as count')).rows[0].count);
    const [first, second, third, repeated] = checks.map((result) => result.settled);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(0);
    expect(first + second + third).toBe(recorded);
    expect(repeated).toBe(0);
  });

  it('SLA-06 a conversation reassigned, retagged, moved to another status or deleted after its outcomes were recorded takes them along; the rollups equal a rebuild, and a rebuild leaves other workspaces alone', async () => {
    const [seed, otherSeed] = seeds;
    const { id } = workspaces.get(seed)!;
    const settled = (await database.query(`select distinct conversation_id from sla_outcomes where workspace_id = $1 order by conversation_id limit 12`, [id])).rows.map((row) => row.conversation_id);
    const agents = (await database.query(`select id from agents where workspace_id = $1 order by id`, [id])).rows.map((row) => row.id);
    for (const [index, conversation] of settled.slice(0, 10).entries()) {
      await database.query(`update conversations set assignee_id = $2, tags = $3 where id = $1`, [conversation, agents[index % agents.length], index % 2 ? ['moved'] : []]);
    }
    // Status moves stamped after the last check, so the outcomes recorded stand as they are (an open one waits on the customer, a resolved one reopens).
    const byStatus = async (status: string) => (await database.query(`select c.id from conversations c where c.workspace_id = $1 and c.status = $2 and exists (select 1 from sla_outcomes o where o.conversation_id = c.id) order by c.id limit 3`, [id, status])).rows.map((row) => row.id);
    await database.query(`update conversations set status = 'pending', last_activity_at = '2026-05-01' where id = any($1)`, [await byStatus('open')]);
    await database.query(`update conversations set status = 'open', resolved_at = null, last_activity_at = '2026-05-01' where id = any($1)`, [await byStatus('resolved')]);
    await database.query(`delete from conversations where id = any($1)`, [settled.slice(10)]);
    await expectFiguresOfOracle(seed);

    const snapshot = async (workspaceId = id) => ({
      rollups: (await database.query(`select dimension, value, hour, sla_first_response_achieved, sla_first_response_breached, sla_next_response_achieved, sla_next_response_breached,
          sla_resolution_achieved, sla_resolution_breached, frt_business_count, frt_business_sum_ms, resolution_business_count, resolution_business_sum_ms
        from analytics_hourly where workspace_id = $1 and (sla_first_response_achieved, sla_first_response_breached, sla_next_response_achieved, sla_next_response_breached,
          sla_resolution_achieved, sla_resolution_breached, frt_business_count, frt_business_sum_ms, resolution_business_count, resolution_business_sum_ms)
          is distinct from (0, 0, 0, 0, 0, 0, 0, 0, 0, 0) order by 1, 2, 3`, [workspaceId])).rows,
      histograms: (await database.query(`select dimension, value, day::text, metric, array_lower(counts, 1) + position::int - 1 as bin, count
        from analytics_daily_durations, unnest(counts) with ordinality as u(count, position)
        where workspace_id = $1 and metric like '%_business' and coalesce(count, 0) <> 0 order by 1, 2, 3, 4, 5`, [workspaceId])).rows,
    });
    const [incremental, other] = [await snapshot(), await snapshot(workspaces.get(otherSeed)!.id)];
    await database.query('select analytics_rebuild($1)', [id]);
    expect(incremental.rollups.length).toBeGreaterThan(500);
    expect(incremental.histograms.length).toBeGreaterThan(500);
    expect(incremental).toEqual(await snapshot());
    expect(other.rollups.length).toBeGreaterThan(500);
    expect(await snapshot(workspaces.get(otherSeed)!.id)).toEqual(other);
  });

  it('SLA-10 a business-hours duration of seconds is binned to its milliseconds on every path: a 2.5 s bot reply reads 2.5 s within 1%, from raw rows and from histograms', async () => {
    const { id, secret } = workspaces.get(seeds[0])!;
    // Tuesday 11:00 in Berlin, inside office hours; the bot answers 2.5 seconds later.
    await database.query(`insert into conversations (id, workspace_id, subject, status, priority, channel, tags, created_at, updated_at, last_activity_at, first_response_at)
      values ('conv_sla10_short', $1, 'Short', 'open', 'high', 'web_chat', '{short}', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', '2026-03-10T10:00:02.5Z', '2026-03-10T10:00:02.5Z')`, [id]);
    await database.query(`insert into messages (id, workspace_id, conversation_id, author_type, body, created_at) values ('msg_sla10_bot', $1, 'conv_sla10_short', 'bot', 'Hi!', '2026-03-10T10:00:02.5Z')`, [id]);
    await new SlaService().check(gateway.app.orm, lastCheck);
    const medianOver = async (from: string) =>
      (await ask(secret, summaryQuery, { range: { from, to: '2026-03-11T00:00:00Z' }, filter: { tags: ['short'] } })).analytics.summary.firstResponseBusinessTime;

    for (const from of ['2026-03-10T09:30:00Z', '2026-03-10T00:00:00Z']) {
      const stats = await medianOver(from);
      expect({ from, count: stats.count, mean: stats.meanSeconds, medianWithin1Percent: Math.abs(stats.medianSeconds - 2.5) <= 0.025 }).toEqual({ from, count: 1, mean: 2.5, medianWithin1Percent: true });
    }
  });
});
