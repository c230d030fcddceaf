import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Cost, ListSize } from '../../policies/cost/cost-directives';
import { analyticsQuestionWeight } from './analytics-cost';
import type { RequestContext } from '../../policies/request-context';
import { analyticsLimits } from './analytics-limits';
import { AnalyticsFilterInput, AnalyticsGroupBy, AnalyticsInterval, AnalyticsRangeInput } from './analytics.inputs';
import type { AnalyticsService } from './analytics.service';
import { Analytics, AnalyticsMetrics, ConversationSeries } from './analytics.types';
import { selectsAnyField } from './requested-fields';

const percentileFields = new Set(['medianSeconds', 'p90Seconds']);

@Resolver(() => Analytics)
export class AnalyticsResolver {
  constructor(private readonly service: AnalyticsService) {}

  @Query(() => Analytics, { description: 'Support figures of the key’s workspace; definitions in docs/analytics.md.' })
  @RequiresScopes(['analytics:read'])
  analytics(): Analytics {
    return new Analytics();
  }

  @FieldResolver(() => AnalyticsMetrics, { description: `Every figure over one range. Costs ${analyticsQuestionWeight} points.` })
  @Cost(analyticsQuestionWeight)
  summary(
    @Arg('range', () => AnalyticsRangeInput) range: AnalyticsRangeInput,
    @Arg('filter', () => AnalyticsFilterInput, { nullable: true }) filter: AnalyticsFilterInput | null,
    @Ctx() { em, principal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<AnalyticsMetrics> {
    return this.service.summary(em, principal.workspaceId, range, filter ?? null, selectsAnyField(info, percentileFields));
  }

  @FieldResolver(() => ConversationSeries, {
    description: `The same figures per time bucket, and per group when grouped: the top groupLimit groups by activity, the rest summed in one "other" group. At most ${analyticsLimits.maxSeriesBuckets} buckets. Costs ${analyticsQuestionWeight} points plus one per point (buckets × groups).`,
  })
  @Cost(analyticsQuestionWeight)
  @ListSize({ assumedSize: analyticsLimits.maxSeriesBuckets * (analyticsLimits.maxGroups + 1), sizedFields: ['points'] })
  conversationSeries(
    @Arg('range', () => AnalyticsRangeInput) range: AnalyticsRangeInput,
    @Arg('interval', () => AnalyticsInterval) interval: AnalyticsInterval,
    @Arg('timeZone', () => String, { defaultValue: 'UTC', description: 'IANA name; buckets follow its wall clock.' }) timeZone: string,
    @Arg('groupBy', () => AnalyticsGroupBy, { nullable: true }) groupBy: AnalyticsGroupBy | null,
    @Arg('groupLimit', () => Int, { defaultValue: analyticsLimits.defaultGroups }) groupLimit: number,
    @Arg('filter', () => AnalyticsFilterInput, { nullable: true }) filter: AnalyticsFilterInput | null,
    @Ctx() { em, principal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConversationSeries> {
    return this.service.conversationSeries(em, principal.workspaceId, {
      range, interval, timeZone, groupBy: groupBy ?? null, groupLimit, filter: filter ?? null, wantsPercentiles: selectsAnyField(info, percentileFields),
    });
  }
}
