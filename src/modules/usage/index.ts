export { UsageRecorder, type UsageSample } from './usage-recorder';
export { UsageService } from './usage.service';
export { AnalyticsPerformanceResolver, ApiKeyUsageResolver } from './usage.resolver';
