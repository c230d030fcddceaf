import type { EntityManager } from '@mikro-orm/postgresql';
import type { AnalyticsFilterInput } from './analytics.inputs';
import { AnalyticsGroupBy } from './analytics.inputs';
import { SqlParameters } from '../../platform/database/sql-parameters';

/** What one analytics question asks of the raw rows; validated and normalised beforehand. */
export interface AnalyticsQuestion {
  readonly workspaceId: string;
  readonly from: Date;
  readonly to: Date;
  readonly filter: AnalyticsFilterInput | null | undefined;
  /** Null for one bucket covering the whole range (a summary). */
  readonly bucketing: { readonly unit: string; readonly timeZone: string } | null;
  readonly groupBy: AnalyticsGroupBy | null;
  readonly groupLimit: number;
}

/** Per bucket and group: the sums and means every figure but the percentiles derives from. */
export interface AggregateRow {
  /** Null for activity before the range, which only the backlog uses. */
  readonly bucket: Date | null;
  readonly group_key: string | null;
  readonly group_rank: number;
  readonly is_other: boolean;
  readonly created: number;
  readonly resolved: number;
  readonly reopened: number;
  readonly escalated: number;
  readonly backlog_delta: number;
  readonly messages_in: number;
  readonly messages_out: number;
  readonly frt_count: number;
  readonly frt_mean: number | null;
  readonly resolution_count: number;
  readonly resolution_mean: number | null;
  readonly csat_count: number;
  readonly csat_mean: number | null;
  readonly nps_count: number;
  readonly nps_promoters: number;
  readonly nps_detractors: number;
  readonly sla_first_response_achieved: number;
  readonly sla_first_response_breached: number;
  readonly sla_next_response_achieved: number;
  readonly sla_next_response_breached: number;
  readonly sla_resolution_achieved: number;
  readonly sla_resolution_breached: number;
  readonly frt_business_count: number;
  readonly frt_business_mean: number | null;
  readonly resolution_business_count: number;
  readonly resolution_business_mean: number | null;
}

/**
 * The filters on one conversation column, each named after the rollup dimension holding that
 * column's values (`analytics_dimensions` in the rollups migration): the raw query filters the
 * column, the rollup query picks the dimension's rows.
 */
export const dimensionFilters: readonly { readonly name: keyof AnalyticsFilterInput; readonly dimension: string }[] = [
  { name: 'channels', dimension: 'channel' },
  { name: 'priorities', dimension: 'priority' },
  { name: 'inboxes', dimension: 'inbox' },
  { name: 'teamIds', dimension: 'team_id' },
  { name: 'assigneeIds', dimension: 'assignee_id' },
  { name: 'tags', dimension: 'tag' },
];

/** A group's column: AnalyticsGroupBy's values are the dimension names, and so the column names but for tags. */
const groupColumnOf = (groupBy: AnalyticsGroupBy) => (groupBy === AnalyticsGroupBy.TAG ? 'tag.value' : `c.${groupBy}`);

function filterClauses(filter: AnalyticsFilterInput | null | undefined, sql: SqlParameters): string {
  const clauses: string[] = [];
  for (const { name, dimension } of dimensionFilters) {
    const values = filter?.[name];
    if (!values?.length) continue;
    clauses.push(dimension === 'tag' ? `c.tags && array${sql.bindList(values)}` : `c.${dimension} in ${sql.bindList(values)}`);
  }
  if (filter?.customerTags?.length) clauses.push(`exists (select 1 from customers cu where cu.id = c.customer_id and cu.tags && array${sql.bindList(filter.customerTags)})`);
  return clauses.map((clause) => ` and ${clause}`).join('');
}

/** Runs an aggregate statement; the driver may hand timestamps over as text. */
export async function executeAggregate(em: EntityManager, statement: string, sql: SqlParameters): Promise<AggregateRow[]> {
  const rows = await em.getConnection().execute<(Omit<AggregateRow, 'bucket'> & { bucket: string | Date | null })[]>(statement, sql.values);
  return rows.map((row) => ({ ...row, bucket: row.bucket === null ? null : new Date(row.bucket) }));
}

export const hasConversationFilter = (filter: AnalyticsFilterInput | null | undefined) => Object.values(filter ?? {}).some((values) => Array.isArray(values) && values.length > 0);

/** How groups are ranked: by activity in the range, or in an order already decided (by the figures' own query). */
type GroupRanking = { readonly by: 'activity' } | { readonly by: 'given'; readonly keys: readonly (string | null)[] };

/** The question's conversations with the value they are grouped by (one row per tag when grouped by tag). */
function conversationsCte(question: AnalyticsQuestion, sql: SqlParameters, materialized: boolean): string {
  const groupColumn = question.groupBy ? groupColumnOf(question.groupBy) : 'null::text';
  const tagJoin = question.groupBy === AnalyticsGroupBy.TAG ? 'left join lateral unnest(c.tags) as tag(value) on true' : '';
  return `conv as ${materialized ? '' : 'not materialized '}(
      select c.id, c.created_at, c.first_response_at, ${groupColumn} as group_key
      from conversations c ${tagJoin}
      where c.workspace_id = ${sql.bind(question.workspaceId)}${filterClauses(question.filter, sql)}
    )`;
}

/** Group keys with their rank, from the occurrences `occ` (ranked by activity in the range) or as given. */
function rankedCte(ranking: GroupRanking, from: Date, sql: SqlParameters): string {
  return ranking.by === 'activity'
    ? `ranked as (
      select group_key, row_number() over (order by coalesce(sum(activity) filter (where at >= ${sql.bind(from)}), 0) desc, group_key nulls last) as group_rank
      from occ group by group_key
    )`
    : `ranked as (
      select case when e.value = 'null'::jsonb then null else e.value #>> '{}' end as group_key, e.rank as group_rank
      from jsonb_array_elements(${sql.bind(JSON.stringify(ranking.keys))}::jsonb) with ordinality as e(value, rank)
    )`;
}

/** The bucket an occurrence at `column` falls in: the range's start for a summary. */
function bucketOf(question: AnalyticsQuestion, column: string, sql: SqlParameters): string {
  return question.bucketing ? `date_trunc(${sql.bind(question.bucketing.unit)}, ${column}, ${sql.bind(question.bucketing.timeZone)})` : `${sql.bind(question.from)}::timestamptz`;
}

/** Every figure but the percentiles from the raw rows: the activity's, then the SLA figures in the groups the activity ranked. */
export async function aggregateOccurrences(em: EntityManager, question: AnalyticsQuestion): Promise<AggregateRow[]> {
  const activity = await aggregateActivity(em, question);
  // The SLA figures, apart: few rows, grouped by the ranking the activity decided. In the same statement, their columns made
  // the planner sort the two million occurrences on disk (a third slower over 200,000 conversations).
  const keys = [...new Set(activity.filter((row) => !row.is_other).sort((a, b) => a.group_rank - b.group_rank).map((row) => row.group_key))];
  return mergeCells(activity, await aggregateSla(em, question, question.groupBy ? keys : [null]));
}

/**
 * The activity's figures in one statement: each countable occurrence (a creation, a status change,
 * a first response, a message, a feedback) becomes one row carrying its conversation's group, then
 * rows are bucketed by their own timestamp and aggregated. Status changes before the range come
 * along (bucket null) because the open backlog is their running sum.
 */
async function aggregateActivity(em: EntityManager, question: AnalyticsQuestion): Promise<AggregateRow[]> {
  const { workspaceId, from, to } = question;
  const sql = new SqlParameters();
  const limit = question.groupLimit;
  const inRange = (column: string) => `${column} >= ${sql.bind(from)} and ${column} < ${sql.bind(to)}`;
  // Feedback left without a conversation (on the customer) counts only when no conversation filter applies.
  const orphanFeedback = hasConversationFilter(question.filter) ? 'false' : 'f.conversation_id is null';
  // Placeholders bind in text order, so each fragment is built where it appears.
  const statement = `
    with ${conversationsCte(question, sql, true)},
    occ as (
      select c.first_response_at as at, c.group_key, 1 as activity, 0 as created, 0 as resolved, 0 as reopened, 0 as escalated, 0 as backlog,
             0 as messages_in, 0 as messages_out, extract(epoch from c.first_response_at - c.created_at)::float8 as frt, null::float8 as resolution,
             null::int as rating, null::int as nps
      from conv c where ${inRange('c.first_response_at')}
      union all
      select s.changed_at, c.group_key, 1, 0,
             (s.to_status = 'resolved')::int, (s.from_status = 'resolved')::int, (s.to_status = 'escalated')::int,
             case when s.to_status = 'resolved' then -1 when s.from_status = 'resolved' then 1 else 0 end,
             0, 0, null, case when s.to_status = 'resolved' then extract(epoch from s.changed_at - c.created_at)::float8 end, null, null
      from conversation_status_changes s join conv c on c.id = s.conversation_id
      where s.workspace_id = ${sql.bind(workspaceId)} and s.from_status is not null and s.changed_at < ${sql.bind(to)}
      union all
      select c.created_at, c.group_key, 1, 1, 0, 0, 0, 0, 0, 0, null, null, null, null
      from conv c where ${inRange('c.created_at')}
      union all
      -- Creation opens a conversation: +1 to the backlog, wherever it falls before the range end.
      select c.created_at, c.group_key, 0, 0, 0, 0, 0, 1, 0, 0, null, null, null, null
      from conv c where c.created_at < ${sql.bind(to)}
      union all
      select m.created_at, c.group_key, 1, 0, 0, 0, 0, 0, (m.author_type = 'customer')::int, (m.author_type in ('agent', 'bot'))::int, null, null, null, null
      from messages m join conv c on c.id = m.conversation_id
      where m.workspace_id = ${sql.bind(workspaceId)} and ${inRange('m.created_at')}
      union all
      select f.created_at, c.group_key, 1, 0, 0, 0, 0, 0, 0, 0, null, null, f.rating, f.nps_score
      from satisfaction_feedback f left join conv c on c.id = f.conversation_id
      where f.workspace_id = ${sql.bind(workspaceId)} and ${inRange('f.created_at')} and (c.id is not null or ${orphanFeedback})
    ),
    ${rankedCte({ by: 'activity' }, from, sql)},
    placed as (
      select o.*, case when o.at < ${sql.bind(from)} then null else ${bucketOf(question, 'o.at', sql)} end as bucket,
             coalesce(case when r.group_rank <= ${sql.bind(limit)} then r.group_rank end, ${sql.bind(limit)} + 1)::int as group_rank
      from occ o left join ranked r on r.group_key is not distinct from o.group_key
    )
    select bucket, group_rank, group_rank > ${sql.bind(limit)} as is_other, case when group_rank > ${sql.bind(limit)} then null else min(group_key) end as group_key,
      sum(created)::int as created, sum(resolved)::int as resolved, sum(reopened)::int as reopened, sum(escalated)::int as escalated,
      sum(backlog)::int as backlog_delta, sum(messages_in)::int as messages_in, sum(messages_out)::int as messages_out,
      count(frt)::int as frt_count, avg(frt) as frt_mean, count(resolution)::int as resolution_count, avg(resolution) as resolution_mean,
      count(rating)::int as csat_count, avg(rating)::float8 as csat_mean,
      count(nps)::int as nps_count, (count(*) filter (where nps >= 9))::int as nps_promoters, (count(*) filter (where nps <= 6))::int as nps_detractors
    from placed
    group by bucket, group_rank
    order by bucket nulls first, group_rank`;
  return executeAggregate(em, statement, sql);
}

/** The SLA figures of aggregateOccurrences, per bucket and group, the groups ranked as `keys` (the others as the other group). */
async function aggregateSla(em: EntityManager, question: AnalyticsQuestion, keys: readonly (string | null)[]): Promise<AggregateRow[]> {
  const sql = new SqlParameters();
  const inRange = (column: string) => `${column} >= ${sql.bind(question.from)} and ${column} < ${sql.bind(question.to)}`;
  const statement = `
    with ${conversationsCte(question, sql, false)},
    sla_occ as (
      select o.settled_at as at, c.group_key, o.target as sla_target, o.achieved as sla_achieved, null::text as business_metric, null::bigint as business_ms
      from sla_outcomes o join conv c on c.id = o.conversation_id
      where o.workspace_id = ${sql.bind(question.workspaceId)} and ${inRange('o.settled_at')}
      union all
      select d.at, c.group_key, null, null, d.metric, d.business_ms
      from sla_business_durations d join conv c on c.id = d.conversation_id
      where d.workspace_id = ${sql.bind(question.workspaceId)} and ${inRange('d.at')}
    ),
    ${rankedCte({ by: 'given', keys }, question.from, sql)}
    select ${bucketOf(question, 'o.at', sql)} as bucket, coalesce(r.group_rank, ${sql.bind(question.groupLimit)} + 1)::int as group_rank,
      r.group_rank is null as is_other, min(case when r.group_rank is null then null else o.group_key end) as group_key,
      ${slaFigureColumns.map(([name, aggregate]) => `${aggregate} as ${name}`).join(', ')}
    from sla_occ o left join ranked r on r.group_key is not distinct from o.group_key
    group by 1, 2, 3`;
  return executeAggregate(em, statement, sql);
}

/** One row per bucket and group, ordered as the activity rows: the SLA figures of each cell joined to its other figures. */
function mergeCells(activity: readonly AggregateRow[], sla: readonly AggregateRow[]): AggregateRow[] {
  const keyOf = (row: AggregateRow) => `${row.bucket?.getTime() ?? 'before'}/${row.group_rank}`;
  const slaOf = new Map(sla.map((row) => [keyOf(row), row]));
  const empty = Object.fromEntries(slaFigureColumns.map(([name, , value]) => [name, value === 'null' ? null : 0]));
  const cells = activity.map((row) => {
    const cell = slaOf.get(keyOf(row));
    slaOf.delete(keyOf(row));
    return { ...row, ...empty, ...(cell ? Object.fromEntries(slaFigureColumns.map(([name]) => [name, cell[name as keyof AggregateRow]])) : {}) } as AggregateRow;
  });
  // A cell with SLA figures and no other activity.
  const emptyFigures = Object.fromEntries(figureColumns.map(([name, , value]) => [name, value === 'null' ? null : 0]));
  const bucketOrder = (row: AggregateRow) => row.bucket?.getTime() ?? -Infinity;
  return [...cells, ...[...slaOf.values()].map((row) => ({ ...emptyFigures, ...row }) as AggregateRow)].sort((a, b) => bucketOrder(a) - bucketOrder(b) || a.group_rank - b.group_rank);
}

/** Each figure of a bucket and group: its column, its aggregate over the placed occurrences, and its value with none. */
const figureColumns: readonly (readonly [string, string, string])[] = [
  ['created', 'sum(created)::int', '0'], ['resolved', 'sum(resolved)::int', '0'], ['reopened', 'sum(reopened)::int', '0'], ['escalated', 'sum(escalated)::int', '0'],
  ['backlog_delta', 'sum(backlog)::int', '0'], ['messages_in', 'sum(messages_in)::int', '0'], ['messages_out', 'sum(messages_out)::int', '0'],
  ['frt_count', 'count(frt)::int', '0'], ['frt_mean', 'avg(frt)', 'null'], ['resolution_count', 'count(resolution)::int', '0'], ['resolution_mean', 'avg(resolution)', 'null'],
  ['csat_count', 'count(rating)::int', '0'], ['csat_mean', 'avg(rating)::float8', 'null'],
  ['nps_count', 'count(nps)::int', '0'], ['nps_promoters', '(count(*) filter (where nps >= 9))::int', '0'], ['nps_detractors', '(count(*) filter (where nps <= 6))::int', '0'],
];

/** SLA targets as sla_outcomes names them, with the column stem of their counters. */
const slaTargets = [['firstResponse', 'first_response'], ['nextResponse', 'next_response'], ['resolution', 'resolution']] as const;

/** The SLA figures, as figureColumns, over the placed outcomes and business durations. */
const slaFigureColumns: readonly (readonly [string, string, string])[] = [
  ...slaTargets.flatMap(([target, column]) => [
    [`sla_${column}_achieved`, `(count(*) filter (where sla_target = '${target}' and sla_achieved))::int`, '0'] as const,
    [`sla_${column}_breached`, `(count(*) filter (where sla_target = '${target}' and not sla_achieved))::int`, '0'] as const,
  ]),
  ['frt_business_count', `(count(*) filter (where business_metric = 'first_response'))::int`, '0'],
  ['frt_business_mean', `(avg(business_ms) filter (where business_metric = 'first_response'))::float8 / 1000`, 'null'],
  ['resolution_business_count', `(count(*) filter (where business_metric = 'resolution'))::int`, '0'],
  ['resolution_business_mean', `(avg(business_ms) filter (where business_metric = 'resolution'))::float8 / 1000`, 'null'],
];

/** The histogram metrics: durations in calendar time, and in the business hours of the conversation's SLA policy. */
export type DurationMetric = 'first_response' | 'resolution' | 'first_response_business' | 'resolution_business';

/** Durations counted per bucket, group, metric and bin (duration-histogram.ts). */
export interface DurationBinRow {
  readonly bucket: Date;
  readonly group_key: string | null;
  readonly is_other: boolean;
  readonly metric: DurationMetric;
  readonly bin: number;
  readonly count: number;
}

/**
 * The first responses and resolutions (in calendar and in business time) within `intervals` (parts of the range the daily histograms
 * do not cover), binned as the histograms bin them, per bucket and group; groups outside `keys`
 * count as the other group.
 */
export async function durationBinsFromRaw(em: EntityManager, question: AnalyticsQuestion, intervals: readonly (readonly [Date, Date])[], keys: readonly (string | null)[]): Promise<DurationBinRow[]> {
  if (intervals.length === 0) return [];
  const sql = new SqlParameters();
  const within = (column: string) => `(${intervals.map(([start, end]) => `${column} >= ${sql.bind(start)} and ${column} < ${sql.bind(end)}`).join(' or ')})`;
  // Inlined, each part reads conversations through its own index.
  const statement = `
    with ${conversationsCte(question, sql, false)},
    occ as (
      select c.first_response_at as at, c.group_key, 'first_response' as metric, analytics_duration_bin(extract(epoch from c.first_response_at - c.created_at)::float8) as bin
      from conv c where ${within('c.first_response_at')}
      union all
      select s.changed_at, c.group_key, 'resolution', analytics_duration_bin(extract(epoch from s.changed_at - c.created_at)::float8)
      from conversation_status_changes s join conv c on c.id = s.conversation_id
      where s.workspace_id = ${sql.bind(question.workspaceId)} and s.from_status is not null and s.to_status = 'resolved' and ${within('s.changed_at')}
      union all
      select d.at, c.group_key, d.metric || '_business', analytics_duration_bin(d.business_ms / 1000.0::float8)
      from sla_business_durations d join conv c on c.id = d.conversation_id
      where d.workspace_id = ${sql.bind(question.workspaceId)} and ${within('d.at')}
    ),
    ${rankedCte({ by: 'given', keys }, question.from, sql)}
    select ${bucketOf(question, 'o.at', sql)} as bucket, r.group_rank is null as is_other, case when r.group_rank is null then null else o.group_key end as group_key,
           o.metric, o.bin, count(*)::int as count
    from occ o left join ranked r on r.group_key is not distinct from o.group_key
    group by 1, 2, 3, 4, 5`;
  const rows = await em.getConnection().execute<(Omit<DurationBinRow, 'bucket'> & { bucket: string | Date })[]>(statement, sql.values);
  return rows.map((row) => ({ ...row, bucket: new Date(row.bucket) }));
}
