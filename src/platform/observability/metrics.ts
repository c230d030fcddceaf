import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus figures for `/metrics`; one registry per gateway so tests can run several. */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly graphqlRequests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (ok or an error code)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'GraphQL request latency in seconds by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly sqlStatements = new Counter({
    name: 'gateway_sql_statements_total',
    help: 'SQL statements sent to PostgreSQL',
    registers: [this.registry],
  });

  readonly analyticsAnswers = new Counter({
    name: 'gateway_analytics_answers_total',
    help: 'Analytics answers by part and the store that answered: figures from the hourly rollups or the raw rows; percentiles from the daily histograms, the raw rows, or both',
    labelNames: ['part', 'source'] as const,
    registers: [this.registry],
  });

  /** One label, from a fixed set: per-endpoint figures are WebhookEndpoint.stats, not series. */
  readonly webhookAttempts = new Counter({
    name: 'gateway_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (succeeded, client_error, server_error, redirect, timeout, connection_error, refused_address, payload_error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookAttemptDuration = new Histogram({
    name: 'gateway_webhook_attempt_duration_seconds',
    help: 'Webhook attempt latency in seconds, from sending to the end of the response or the failure, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly webhookDeliveriesFinished = new Counter({
    name: 'gateway_webhook_deliveries_finished_total',
    help: 'Webhook deliveries that reached a final status: succeeded, or failed once their attempts ran out',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly webhookPayloadRenders = new Counter({
    name: 'gateway_webhook_payload_renders_total',
    help: 'Executions of webhook payload selections: one per event and distinct selection, however many endpoints share it',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly seenOperations = new Set<string>();

  /** Open live connections by transport (websocket, sse), read when /metrics is scraped. */
  trackOpenConnections(transport: string, count: () => number): void {
    this.openConnections.set({ transport }, count());
    this.openConnectionCounts.set(transport, count);
  }

  private readonly openConnectionCounts = new Map<string, () => number>();

  private readonly openConnections = new Gauge({
    name: 'gateway_subscription_connections',
    help: 'Open subscription connections by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [transport, count] of this.openConnectionCounts) this.openConnections.set({ transport }, count());
    },
  });

  /** Duplicate idempotent requests waiting for the first with their key, read when /metrics is scraped. */
  trackIdempotencyWaits(count: () => number): void {
    this.idempotencyWaitCount = count;
  }

  private idempotencyWaitCount: () => number = () => 0;

  private readonly idempotencyWaits: Gauge = new Gauge({
    name: 'gateway_idempotency_waiting_requests',
    help: 'Duplicate idempotent requests waiting, without a database connection, for the first request with their key',
    registers: [this.registry],
    collect: () => this.idempotencyWaits.set(this.idempotencyWaitCount()),
  });

  recordGraphQLRequest(operationName: string | undefined, outcome: string, durationSeconds: number): void {
    const operation = this.operationLabel(operationName);
    this.graphqlRequests.inc({ operation, outcome });
    this.graphqlDuration.observe({ operation, outcome }, durationSeconds);
  }

  /** Operation names are client-chosen: bound their number so clients cannot grow label memory (or usage rows). */
  operationLabel(operationName: string | undefined): string {
    const name = (operationName ?? 'anonymous').slice(0, 64);
    if (this.seenOperations.has(name)) return name;
    if (this.seenOperations.size >= maxOperationLabels) return 'other';
    this.seenOperations.add(name);
    return name;
  }
}

const maxOperationLabels = 500;
