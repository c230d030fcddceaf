import type { LatencySummary } from './latency';

export interface ContenderResult extends LatencySummary {
  readonly sqlStatementsPerRequest: number;
  readonly responseBytes: number;
}

/** What `npm run bench` writes to bench/results/latest.json. */
export interface BenchResults {
  readonly benchmark: string;
  readonly measuredAt: string;
  readonly environment: { readonly node: string; readonly cpu: string; readonly cpuCount: number; readonly postgres: string };
  /** Rows per table, as `gateway seed --demo` reported them. */
  readonly dataSet: Record<string, number>;
  readonly settings: { readonly pageSize: number; readonly warmUpCount: number; readonly requestCount: number; readonly isSequential: true };
  readonly gateway: ContenderResult;
  readonly rawSql: ContenderResult;
  /** Gateway figure divided by raw-SQL figure, both from this run. */
  readonly gatewayOverRaw: { readonly medianLatency: number; readonly p95Latency: number; readonly requestsPerSecond: number };
  readonly cursorWalk: { readonly pageCount: number; readonly rowCount: number; readonly totalMs: number; readonly msPerPage: number; readonly sqlStatements: number };
  readonly durationsMs: { readonly seed: number; readonly total: number };
}

export function formatTable(results: BenchResults): string {
  const { gateway, rawSql, gatewayOverRaw: ratio, cursorWalk: walk, settings, dataSet, environment } = results;
  const row = (label: string, cells: string[]) => `${label.padEnd(16)}${cells.map((value) => value.padStart(12)).join('')}`;
  const ms = (value: number) => value.toFixed(2);
  const contender = (label: string, figures: ContenderResult) =>
    row(label, [ms(figures.medianMs), ms(figures.p95Ms), figures.requestsPerSecond.toFixed(0), String(figures.sqlStatementsPerRequest), String(figures.responseBytes)]);
  return [
    `${results.benchmark}: ${dataSet.conversations} conversations, ${dataSet.messages} messages`,
    `${settings.requestCount} sequential requests each after ${settings.warmUpCount} warm-up, taking turns; loopback; Node ${environment.node}, PostgreSQL ${environment.postgres}, ${environment.cpuCount} × ${environment.cpu}`,
    '',
    row('', ['median ms', 'p95 ms', 'req/s', 'SQL/req', 'bytes']),
    contender('gateway', gateway),
    contender('raw SQL (pg)', rawSql),
    row('gateway / raw', [`${ratio.medianLatency.toFixed(2)}x`, `${ratio.p95Latency.toFixed(2)}x`, `${ratio.requestsPerSecond.toFixed(2)}x`]),
    '',
    `cursor walk (first: ${settings.pageSize} until done): ${walk.pageCount} pages, ${walk.rowCount} rows in ${walk.totalMs.toFixed(0)} ms ` +
      `(${ms(walk.msPerPage)} ms/page), ${walk.sqlStatements} SQL statements`,
  ].join('\n');
}
