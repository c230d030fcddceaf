import { Client } from 'pg';
import { idempotencyRetentionJob } from '../../src/policies/idempotency/idempotency-retention';
import { runOnce } from '../../src/platform/jobs/periodic-job';
import { createLogger } from '../../src/platform/observability/logger';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { lockTable } from '../support/lock-table';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id subject createdAt } } }
`;
const upsertMutation = /* GraphQL */ `
  mutation Upsert($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } wasCreated } }
`;

describe('IDEM: idempotent mutations, scoped to the API key and the mutation', () => {
  let gateway: TestGateway;
  let database: Client;
  beforeAll(async () => {
    gateway = await startGateway();
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  const create = (secret: string, input: Record<string, unknown>) => postGraphQL(gateway.graphqlUrl, createMutation, { input: { channel: 'API', ...input } }, { secret });
  const count = async (sql: string, params: unknown[] = []) => Number((await database.query(sql, params)).rows[0].count);

  it('IDEM-01 a retry returns the first payload, marked replayed, with no second effect or event', async () => {
    const input = { subject: 'Retry me', idempotencyKey: 'idem-01' };
    const first = await create(gateway.adminSecret, input);
    const retry = await create(gateway.adminSecret, input);
    expect(retry.body.data).toEqual(first.body.data);
    expect((first.body as any).extensions?.idempotency).toBeUndefined();
    expect((retry.body as any).extensions.idempotency).toEqual({ replayed: true, operations: ['conversationCreate'] });
    expect(await count(`select count(*) from conversations where subject = 'Retry me'`)).toBe(1);
    expect(await count(`select count(*) from events where type = 'conversation.created' and data->'conversation'->>'subject' = 'Retry me'`)).toBe(1);
  });

  it('IDEM-02 the same key from another API key, or for another mutation, acts independently', async () => {
    const other = await createWorkspaceKey(gateway, 'default', ['conversations:write', 'customers:write']);
    await create(gateway.adminSecret, { subject: 'Shared key', idempotencyKey: 'idem-02' });
    const fromOther = await create(other.secret, { subject: 'Shared key', idempotencyKey: 'idem-02' });
    expect((fromOther.body as any).extensions?.idempotency).toBeUndefined();
    expect(await count(`select count(*) from conversations where subject = 'Shared key'`)).toBe(2);
    const upsert = await postGraphQL(gateway.graphqlUrl, upsertMutation, { input: { email: 'idem02@example.com', idempotencyKey: 'idem-02' } }, { secret: gateway.adminSecret });
    expect(upsert.body.data!.customerUpsert.wasCreated).toBe(true);
  });

  it('IDEM-03 a refused request records nothing, so the same key works once the input is fixed', async () => {
    const refused = await create(gateway.adminSecret, { subject: '', idempotencyKey: 'idem-03' });
    expect(refused.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const fixed = await create(gateway.adminSecret, { subject: 'Fixed', idempotencyKey: 'idem-03' });
    expect(fixed.body.data!.conversationCreate.conversation.subject).toBe('Fixed');
    expect((fixed.body as any).extensions?.idempotency).toBeUndefined();
  });

  it('IDEM-04 a key of more than 255 characters is BAD_USER_INPUT naming input.idempotencyKey', async () => {
    const response = await create(gateway.adminSecret, { subject: 'Long key', idempotencyKey: 'k'.repeat(256) });
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.idempotencyKey' }] });
    expect(await count(`select count(*) from conversations where subject = 'Long key'`)).toBe(0);
  });

  it('IDEM-05 records are kept 24 hours: an expired key acts anew, and the retention job deletes expired records', async () => {
    const input = { subject: 'Expiring', idempotencyKey: 'idem-05' };
    await create(gateway.adminSecret, input);
    const expiresInHours = Number((await database.query(`select extract(epoch from expires_at - created_at) / 3600 as hours from idempotency_records where idempotency_key = 'idem-05'`)).rows[0].hours);
    expect(expiresInHours).toBe(24);
    await database.query(`update idempotency_records set expires_at = now() - interval '1 second' where idempotency_key = 'idem-05'`);
    const again = await create(gateway.adminSecret, input);
    expect((again.body as any).extensions?.idempotency).toBeUndefined();
    expect(await count(`select count(*) from conversations where subject = 'Expiring'`)).toBe(2);

    await database.query(`update idempotency_records set expires_at = now() - interval '1 second' where idempotency_key in ('idem-05', 'idem-01')`);
    const before = await count('select count(*) from idempotency_records');
    await runOnce(gateway.app.orm, idempotencyRetentionJob, createLogger('silent'));
    expect(await count(`select count(*) from idempotency_records where expires_at <= now()`)).toBe(0);
    expect(await count('select count(*) from idempotency_records')).toBe(before - 2);
  });

  it('IDEM-06 a duplicate that waits longer than IDEMPOTENCY_WAIT for the first gets IDEMPOTENCY_REQUEST_IN_PROGRESS, and replays once the first is done', async () => {
    const impatient = await startGateway({ env: { IDEMPOTENCY_WAIT: '300ms' } });
    const input = { subject: 'Slow', channel: 'API', idempotencyKey: 'idem-06' };
    const send = () => postGraphQL(impatient.graphqlUrl, createMutation, { input }, { secret: impatient.adminSecret });
    // Given a first request that holds its key while its insert waits on a lock, as a slow mutation would
    const writes = await lockTable(impatient.databaseUrl, 'conversations', 'share');
    try {
      const first = send();
      await writes.waitUntilBlocked(1);

      // When a duplicate arrives, then it waits 300 ms and gives up with a retryable code
      const duplicate = await send();
      expect(duplicate.body.data!.conversationCreate).toBeNull();
      expect(duplicate.body.errors![0].extensions.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');

      // And once the first is done, a retry replays it
      await writes.release();
      const created = (await first).body.data!.conversationCreate.conversation;
      const retry = await send();
      expect(retry.body.data!.conversationCreate.conversation).toEqual(created);
      expect((retry.body as any).extensions.idempotency.replayed).toBe(true);
    } finally {
      await writes.release();
      await impatient.stop();
    }
  });
});
