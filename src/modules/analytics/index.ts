export { AnalyticsResolver } from './analytics.resolver';
export { AnalyticsService } from './analytics.service';
