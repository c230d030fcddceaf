import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/platform/observability/logger';
import { startGatewayApp, type GatewayApp } from '../src/server/gateway-app';
import { createBenchDatabase } from './bench-database';
import { createHttpClient, type HttpAnswer, type HttpClient } from './http-client';
import { sampleInTurns, summarize, type Contender } from './latency';
import { startRawSqlPeer, type RawSqlPeer } from './raw-sql-peer';
import { formatTable, type BenchResults } from './report';

/**
 * `npm run bench`: a page of 50 conversations with customer and last message, through the gateway
 * and through a hand-written `pg` handler (the raw-SQL ceiling), over a fresh database seeded with
 * `gateway seed --demo`. Loopback only; the two are compared as ratios measured in this one run.
 */
const pageSize = 50;
const warmUpCount = 50;
const requestCount = 200;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const resultsPath = path.resolve(__dirname, 'results/latest.json');

const nodeFields = 'id subject status customer { name email } lastMessage { body } tags';
const pageQuery = /* GraphQL */ `query ConversationsPage($first: Int!) { conversations(first: $first) { nodes { ${nodeFields} } } }`;
const walkQuery = /* GraphQL */ `
  query ConversationsWalk($first: Int!, $after: String) {
    conversations(first: $first, after: $after) { nodes { ${nodeFields} } pageInfo { hasNextPage endCursor } }
  }
`;

interface ConversationsPage {
  nodes: { id: string }[];
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
}

interface ConversationsAnswer {
  data?: { conversations: ConversationsPage };
  errors?: unknown[];
}

function parsePage(name: string, answer: HttpAnswer): ConversationsAnswer {
  const body = answer.status === 200 ? (JSON.parse(answer.body) as ConversationsAnswer) : undefined;
  if (!body?.data || body.errors) throw new Error(`${name} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  return body;
}

async function readStatementTotal(client: HttpClient, gatewayUrl: string): Promise<number> {
  const metrics = (await client.send(`${gatewayUrl}/metrics`)).body;
  return Number(/^gateway_sql_statements_total (\d+)$/m.exec(metrics)![1]);
}

/** Pages through every conversation with `after`; returns the page count and the ids met. */
async function walkAllConversations(askGateway: (query: string, variables: Record<string, unknown>) => Promise<HttpAnswer>) {
  const ids = new Set<string>();
  for (let pageCount = 1, after: string | null = null; ; pageCount++) {
    const page: ConversationsPage = parsePage('gateway', await askGateway(walkQuery, { first: pageSize, after })).data!.conversations;
    for (const node of page.nodes) ids.add(node.id);
    if (!page.pageInfo!.hasNextPage) return { pageCount, ids };
    after = page.pageInfo!.endCursor;
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const database = await createBenchDatabase(serverUrl);
  const seededAt = performance.now();
  const client = createHttpClient();
  let gateway: GatewayApp | undefined;
  let peer: RawSqlPeer | undefined;
  try {
    const config = loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...database.environment });
    gateway = await startGatewayApp(config, database.url, createLogger('silent'));
    peer = await startRawSqlPeer(database.url);
    const { url: gatewayUrl } = gateway;
    const askGateway = (query: string, variables: Record<string, unknown>) =>
      client.send(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${database.adminSecret}` },
        body: JSON.stringify({ query, variables }),
      });
    const gatewayContender: Contender = {
      name: 'gateway',
      send: () => askGateway(pageQuery, { first: pageSize }),
      check: (answer) => void parsePage('gateway', answer),
    };
    const rawContender: Contender = {
      name: 'raw',
      send: () => client.send(`${peer!.url}/conversations?first=${pageSize}`),
      check: (answer) => void parsePage('raw SQL peer', answer),
    };

    // Both must serve the very same JSON, or the ratio compares different work.
    const [gatewayFirst, rawFirst] = [await gatewayContender.send(), await rawContender.send()];
    const [gatewayPage, rawPage] = [JSON.stringify(parsePage('gateway', gatewayFirst)), JSON.stringify(parsePage('raw SQL peer', rawFirst))];
    if (gatewayPage !== rawPage) throw new Error(`The raw SQL peer does not serve the gateway's page:\n${gatewayPage.slice(0, 400)}\n${rawPage.slice(0, 400)}`);
    if (JSON.parse(gatewayPage).data.conversations.nodes.length !== pageSize) throw new Error(`Expected a full page of ${pageSize}`);

    // Warm-up also lets the key's lastUsedAt write (at most once a minute) land before statements are counted.
    await sampleInTurns([gatewayContender, rawContender], warmUpCount);
    const statementsBefore = await readStatementTotal(client, gatewayUrl);
    const samples = await sampleInTurns([gatewayContender, rawContender], requestCount);
    const statementsAfterSampling = await readStatementTotal(client, gatewayUrl);
    const walkStartedAt = performance.now();
    const walk = await walkAllConversations(askGateway);
    const walkMs = performance.now() - walkStartedAt;
    const walkStatements = (await readStatementTotal(client, gatewayUrl)) - statementsAfterSampling;
    if (walk.ids.size !== database.rowCounts.conversations) throw new Error(`The walk met ${walk.ids.size} conversations, not ${database.rowCounts.conversations}`);

    const gatewayResult = {
      ...summarize(samples.get('gateway')!),
      sqlStatementsPerRequest: (statementsAfterSampling - statementsBefore) / requestCount,
      responseBytes: Buffer.byteLength(gatewayFirst.body),
    };
    const rawResult = { ...summarize(samples.get('raw')!), sqlStatementsPerRequest: peer.statementsPerPage, responseBytes: Buffer.byteLength(rawFirst.body) };
    const results: BenchResults = {
      benchmark: 'page of 50 conversations with customer and last message',
      measuredAt: new Date().toISOString(),
      environment: { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cpuCount: os.cpus().length, postgres: await peer.serverVersion() },
      dataSet: database.rowCounts,
      settings: { pageSize, warmUpCount, requestCount, isSequential: true },
      gateway: gatewayResult,
      rawSql: rawResult,
      gatewayOverRaw: {
        medianLatency: gatewayResult.medianMs / rawResult.medianMs,
        p95Latency: gatewayResult.p95Ms / rawResult.p95Ms,
        requestsPerSecond: gatewayResult.requestsPerSecond / rawResult.requestsPerSecond,
      },
      cursorWalk: { pageCount: walk.pageCount, rowCount: walk.ids.size, totalMs: walkMs, msPerPage: walkMs / walk.pageCount, sqlStatements: walkStatements },
      durationsMs: { seed: seededAt - startedAt, total: performance.now() - startedAt },
    };
    await mkdir(path.dirname(resultsPath), { recursive: true });
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${formatTable(results)}\n\nwritten to ${path.relative(process.cwd(), resultsPath)}\n`);
  } finally {
    client.close();
    await peer?.close();
    await gateway?.close();
    await database.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
