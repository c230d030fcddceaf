import type { EntityManager } from '@mikro-orm/postgresql';
import { SqlParameters } from '../../platform/database/sql-parameters';
import { dimensionFilters, executeAggregate, type AggregateRow, type AnalyticsQuestion } from './analytics-query';

/** Which rollup rows answer a question: one dimension, optionally some of its values, grouped by value or summed. */
export interface RollupPlan {
  readonly dimension: string;
  readonly values: readonly string[] | null;
  readonly isGrouped: boolean;
}

const hourMs = 3_600_000;
const slaOutcomeColumns = ['first_response', 'next_response', 'resolution'].flatMap((target) => [`sla_${target}_achieved`, `sla_${target}_breached`]);

/**
 * The rollups answer exactly when every boundary falls on a whole UTC hour (so each hourly row
 * lies in one bucket: true of every zone whose offset is whole hours) and the question needs at
 * most one dimension: grouped by it, or filtered on some of its values (a conversation has one
 * value of each, so summing them counts it once), or on one tag. Anything else is answered from
 * the raw rows.
 */
export function planRollup(question: AnalyticsQuestion, boundaries: readonly Date[]): RollupPlan | null {
  if (boundaries.some((boundary) => boundary.getTime() % hourMs !== 0)) return null;
  if (question.filter?.customerTags?.length) return null;
  const filters = dimensionFilters.filter(({ name }) => question.filter?.[name]?.length);
  const groupBy = question.groupBy;
  if (filters.length === 0) return { dimension: groupBy ?? 'all', values: null, isGrouped: groupBy !== null };
  if (filters.length > 1) return null;
  const [{ name, dimension }] = filters;
  const values = question.filter![name]!;
  if (dimension === 'tag') return groupBy === null && values.length === 1 ? { dimension, values, isGrouped: false } : null;
  if (groupBy === null) return { dimension, values, isGrouped: false };
  return (groupBy as string) === dimension ? { dimension, values, isGrouped: true } : null;
}

/** The figures of analytics-query's aggregateOccurrences, summed from the hourly rollups. */
export async function aggregateRollups(em: EntityManager, question: AnalyticsQuestion, plan: RollupPlan): Promise<AggregateRow[]> {
  const { from, to } = question;
  const sql = new SqlParameters();
  const limit = question.groupLimit;
  const statement = `
    with picked as (
      select h.*, ${plan.isGrouped ? `nullif(h.value, '')` : 'null::text'} as group_key
      from analytics_hourly h
      where h.workspace_id = ${sql.bind(question.workspaceId)} and h.dimension = ${sql.bind(plan.dimension)}
        ${plan.values ? `and h.value in ${sql.bindList(plan.values)}` : ''} and h.hour < ${sql.bind(to)}
    ),
    ranked as (
      select group_key, row_number() over (order by coalesce(sum(activity) filter (where hour >= ${sql.bind(from)}), 0) desc, group_key nulls last) as group_rank
      from picked group by group_key
      -- The groups the raw rows have: of conversations created before the end, or active in the range.
      having sum(created) <> 0 or coalesce(sum(activity) filter (where hour >= ${sql.bind(from)}), 0) <> 0
    ),
    placed as (
      select p.*, case when p.hour < ${sql.bind(from)} then null
                  else ${question.bucketing ? `date_trunc(${sql.bind(question.bucketing.unit)}, p.hour, ${sql.bind(question.bucketing.timeZone)})` : `${sql.bind(from)}::timestamptz`} end as bucket,
             coalesce(case when r.group_rank <= ${sql.bind(limit)} then r.group_rank end, ${sql.bind(limit)} + 1)::int as group_rank
      from picked p join ranked r on r.group_key is not distinct from p.group_key
    )
    select bucket, group_rank, group_rank > ${sql.bind(limit)} as is_other, case when group_rank > ${sql.bind(limit)} then null else min(group_key) end as group_key,
      sum(created)::int as created, sum(resolved)::int as resolved, sum(reopened)::int as reopened, sum(escalated)::int as escalated,
      sum(backlog)::int as backlog_delta, sum(messages_in)::int as messages_in, sum(messages_out)::int as messages_out,
      sum(frt_count)::int as frt_count, sum(frt_sum_ms)::float8 / nullif(sum(frt_count), 0) / 1000 as frt_mean,
      sum(resolution_count)::int as resolution_count, sum(resolution_sum_ms)::float8 / nullif(sum(resolution_count), 0) / 1000 as resolution_mean,
      sum(csat_count)::int as csat_count, sum(csat_sum)::float8 / nullif(sum(csat_count), 0) as csat_mean,
      sum(nps_count)::int as nps_count, sum(nps_promoters)::int as nps_promoters, sum(nps_detractors)::int as nps_detractors,
      ${slaOutcomeColumns.map((column) => `sum(${column})::int as ${column}`).join(', ')},
      sum(frt_business_count)::int as frt_business_count, sum(frt_business_sum_ms)::float8 / nullif(sum(frt_business_count), 0) / 1000 as frt_business_mean,
      sum(resolution_business_count)::int as resolution_business_count, sum(resolution_business_sum_ms)::float8 / nullif(sum(resolution_business_count), 0) / 1000 as resolution_business_mean
    from placed
    group by bucket, group_rank
    order by bucket nulls first, group_rank`;
  return executeAggregate(em, statement, sql);
}

