import { performance } from 'node:perf_hooks';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createSuiteDatabase } from '../suite-database';
import { parse, execute } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { createServices } from '../../src/server/services';
import { createResolverContainer } from '../../src/server/resolver-container';
import { buildGatewaySchema } from '../../src/server/schema';
import { connectOrm } from '../../src/platform/database/orm';
import { entities } from '../../src/server/entities';
import { createRequestContext } from '../../src/server/request-context-factory';
import { createLogger } from '../../src/platform/observability/logger';
import { IdempotencyFlights } from '../../src/policies/idempotency/idempotency-flights';
import { effectiveScopes } from '../../src/policies/auth/scopes';

async function main() {
  const db = await createSuiteDatabase(process.env.DATABASE_URL, { customers: 2000, conversations: 50_000, messages: 5000 });
  try {
    const client = new Client({ connectionString: db.url }); await client.connect();
    let bytes = 0;
    const counter = new Writable({ write(chunk, _e, cb) { bytes += chunk.length; cb(); } });
    let t = performance.now();
    const sql = `copy (select json_build_object('id', c.id, 'subject', c.subject, 'status', c.status, 'createdAt', c.created_at, 'customer', json_build_object('email', cu.email)) from conversations c left join customers cu on cu.id = c.customer_id where c.workspace_id = '${db.workspaceId}' order by c.created_at desc, c.id desc) to stdout`;
    await pipeline(client.query(copyTo(sql)), createGzip(), counter);
    const rawMs = performance.now() - t;
    console.log('raw copy+gzip', rawMs.toFixed(0), 'ms', bytes, 'bytes gz', (50000 / rawMs * 1000).toFixed(0), 'rows/s');
    await client.end();
    const orm = await connectOrm({ databaseUrl: db.url, entities, connectTimeoutMs: 5000, poolSize: 5, statementTimeoutMs: 0, logger: createLogger('silent') as any, onStatement: () => {} } as any);
    const services = createServices({ pepper: db.environment.API_KEY_PEPPER, defaultRateLimit: { limit: 1e9, windowMs: 1000 } as any });
    const schema = await buildGatewaySchema(createResolverContainer(services, { idempotencyWaitMs: 1000, idempotencyFlights: new IdempotencyFlights() }));
    const doc = parse(`query($after: String) { conversations(first: 1000, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) { pageInfo { hasNextPage endCursor } edges { node { id subject status createdAt customer { email } } } } }`);
    const principal: any = { apiKeyId: 'k', credentialId: 'k', apiKeyName: 'x', workspaceId: db.workspaceId, workspaceSlug: 'default', grantedScopes: ['admin'], effectiveScopes: effectiveScopes(['admin']), clientIp: '127.0.0.1' };
    const compiled: any = compileQuery(schema, doc);
    if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
    for (let round = 0; round < 4; round++) {
      t = performance.now();
      let after: string | null = null; let rows = 0; let out = 0;
      const gz = createGzip(); gz.on('data', (c) => (out += c.length));
      for (;;) {
        const ctx = createRequestContext({ orm, logger: createLogger('silent') as any, fieldRateLimiter: {} as any }, principal, 'r');
        const result: any = round >= 2 ? await compiled.query(undefined, ctx, { after }) : await execute({ schema, document: doc, contextValue: ctx, variableValues: { after } });
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        const conn = result.data.conversations;
        let text = '';
        for (const edge of conn.edges) { text += JSON.stringify(edge.node) + '\n'; rows++; }
        gz.write(text);
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      await new Promise((r) => gz.end(r));
      const ms = performance.now() - t;
      console.log('graphql pages of 100', ms.toFixed(0), 'ms', rows, 'rows', (rows / ms * 1000).toFixed(0), 'rows/s', 'ratio', (rawMs / ms).toFixed(2));
    }
    await orm.close(true);
  } finally { await db.drop(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
