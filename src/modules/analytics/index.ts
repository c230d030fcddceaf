export { AnalyticsResolver } from './analytics.resolver';
export { AnalyticsService, type AnalyticsAnswer } from './analytics.service';
export { analyticsListSizers } from './analytics-cost';
