export { AnalyticsResolver } from './analytics.resolver';
export { AnalyticsService, type AnalyticsSource } from './analytics.service';
