/** Every analytics figure, as the oracle (analytics-oracle.ts) computes them. */
const metricsFields = /* GraphQL */ `
  conversationsCreated conversationsResolved conversationsReopened escalations openBacklog resolutionRate
  firstResponseTime { count meanSeconds medianSeconds p90Seconds } resolutionTime { count meanSeconds medianSeconds p90Seconds }
  messagesIn messagesOut csat { responses meanRating } nps { responses promoters detractors score }
  firstResponseBusinessTime { count meanSeconds medianSeconds p90Seconds } resolutionBusinessTime { count meanSeconds medianSeconds p90Seconds }
  sla { achieved breached achievementRate firstResponse { achieved breached achievementRate } nextResponse { achieved breached achievementRate } resolution { achieved breached achievementRate } }
`;
export const summaryQuery = /* GraphQL */ `
  query Summary($range: AnalyticsRange!, $filter: AnalyticsFilter) { analytics { summary(range: $range, filter: $filter) { ${metricsFields} } } }
`;
export const seriesQuery = /* GraphQL */ `
  query Series($range: AnalyticsRange!, $interval: AnalyticsInterval!, $timeZone: String!, $groupBy: AnalyticsGroupBy, $groupLimit: Int, $filter: AnalyticsFilter) {
    analytics {
      conversationSeries(range: $range, interval: $interval, timeZone: $timeZone, groupBy: $groupBy, groupLimit: $groupLimit, filter: $filter) {
        groups { key isOther }
        points { start end group isOther metrics { ${metricsFields} } }
      }
    }
  }
`;
