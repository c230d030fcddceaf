import type { EntityManager } from '@mikro-orm/postgresql';
import { enumerateBuckets } from '../analytics/analytics-buckets';
import type { AnalyticsInterval, AnalyticsRangeInput } from '../analytics/analytics.inputs';
import { checkAnalyticsArguments } from '../analytics/analytics-limits';
import { queryUsage } from './usage-query';
import type { ApiUsage } from './usage.types';

export interface UsageRequest {
  readonly range: AnalyticsRangeInput;
  readonly interval: AnalyticsInterval;
  readonly timeZone: string;
}

/** The gateway's own request figures, for a workspace or one of its keys. */
export class UsageService {
  async usage(em: EntityManager, scope: { workspaceId: string; apiKeyId?: string }, request: UsageRequest): Promise<ApiUsage> {
    checkAnalyticsArguments(request);
    const { range, interval, timeZone } = request;
    const buckets = await enumerateBuckets(em, range.from, range.to, interval, timeZone);
    return queryUsage(em, { ...scope, from: range.from, to: range.to, interval, timeZone, buckets });
  }
}
