import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Cost } from '../../policies/cost/cost-directives';
import { analyticsQuestionWeight } from '../analytics/analytics-cost';
import type { RequestContext } from '../../policies/request-context';
import { AnalyticsInterval, AnalyticsRangeInput } from '../analytics/analytics.inputs';
import { Analytics } from '../analytics/analytics.types';
import { ApiKeyType } from '../api-keys/api-key.type';
import type { UsageService } from './usage.service';
import { ApiUsage } from './usage.types';

const rangeArgument = () => Arg('range', () => AnalyticsRangeInput);
const intervalArgument = () => Arg('interval', () => AnalyticsInterval, { defaultValue: AnalyticsInterval.DAY });
const timeZoneArgument = () => Arg('timeZone', () => String, { defaultValue: 'UTC', description: 'IANA name; buckets follow its wall clock.' });

@Resolver(() => Analytics)
export class AnalyticsPerformanceResolver {
  constructor(private readonly service: UsageService) {}

  @FieldResolver(() => ApiUsage, { description: `The gateway’s own figures for this workspace: requests, errors by code, latency, by operation name. Costs ${analyticsQuestionWeight} points.` })
  @Cost(analyticsQuestionWeight)
  performance(
    @rangeArgument() range: AnalyticsRangeInput,
    @intervalArgument() interval: AnalyticsInterval,
    @timeZoneArgument() timeZone: string,
    @Ctx() { em, principal }: RequestContext,
  ): Promise<ApiUsage> {
    return this.service.usage(em, { workspaceId: principal.workspaceId }, { range, interval, timeZone });
  }
}

@Resolver(() => ApiKeyType)
export class ApiKeyUsageResolver {
  constructor(private readonly service: UsageService) {}

  @FieldResolver(() => ApiUsage, { description: `This key’s requests: how many, errors, rate-limited ones, cost spent, latency. Costs ${analyticsQuestionWeight} points.` })
  @RequiresScopes(['keys:read'])
  @Cost(analyticsQuestionWeight)
  usage(
    @Root() apiKey: ApiKeyType,
    @rangeArgument() range: AnalyticsRangeInput,
    @intervalArgument() interval: AnalyticsInterval,
    @timeZoneArgument() timeZone: string,
    @Ctx() { em, principal }: RequestContext,
  ): Promise<ApiUsage> {
    return this.service.usage(em, { workspaceId: principal.workspaceId, apiKeyId: apiKey.id }, { range, interval, timeZone });
  }
}
