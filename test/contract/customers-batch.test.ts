import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const batchMutation = /* GraphQL */ `
  mutation Batch($input: CustomersBatchUpsertInput!) {
    customersBatchUpsert(input: $input) {
      appliedCount failedCount
      results { index wasCreated customer { id email name } error { code fieldErrors { field } } }
    }
  }
`;

describe('CUSBATCH: customersBatchUpsert loads a CRM 100 customers a call', () => {
  let gateway: TestGateway;
  let database: Client;
  const batch = (input: Record<string, unknown>) => postGraphQL(gateway.graphqlUrl, batchMutation, { input }, { secret: gateway.adminSecret });
  const eventCount = async (type: string) => Number((await database.query('select count(*) from events where type = $1', [type])).rows[0].count);

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  it('CUSBATCH-01 each operation is applied or refused on its own, refusals pointing at their operation, one event per change', async () => {
    const [createdBefore, updatedBefore] = [await eventCount('customer.created'), await eventCount('customer.updated')];
    await batch({ operations: [{ email: 'known@example.com', name: 'Known' }] });

    const response = await batch({
      operations: [
        { email: 'new@example.com', name: 'New', externalId: { system: 'crm', externalId: 'c-1' } },
        { email: 'not an email' },
        { email: 'KNOWN@example.com', name: 'Known, renamed' },
        {},
      ],
    });

    const payload = response.body.data!.customersBatchUpsert;
    expect(payload).toMatchObject({ appliedCount: 2, failedCount: 2 });
    expect(payload.results.map((result: any) => [result.index, result.wasCreated, result.customer?.email ?? null, result.error?.code ?? null])).toEqual([
      [0, true, 'new@example.com', null],
      [1, null, null, 'BAD_USER_INPUT'],
      [2, false, 'KNOWN@example.com', null],
      [3, null, null, 'BAD_USER_INPUT'],
    ]);
    expect(payload.results[1].error.fieldErrors.map((error: { field: string }) => error.field)).toEqual(['input.operations.1.email']);
    expect(payload.results[3].error.fieldErrors.every((error: { field: string }) => error.field.startsWith('input.operations.3'))).toBe(true);
    expect(await eventCount('customer.created')).toBe(createdBefore + 2);
    expect(await eventCount('customer.updated')).toBe(updatedBefore + 1);
  });

  it('CUSBATCH-02 1 to 100 operations, priced 10 points each', async () => {
    const tooMany = await batch({ operations: Array.from({ length: 101 }, (_, index) => ({ email: `many${index}@example.com` })) });
    const none = await batch({ operations: [] });
    const hundred = await batch({ operations: Array.from({ length: 100 }, (_, index) => ({ email: `hundred${index}@example.com` })) });

    expect(tooMany.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.operations' }] });
    expect(none.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(hundred.body.data!.customersBatchUpsert.appliedCount).toBe(100);
    expect(hundred.body.extensions!.cost.requestedQueryCost).toBeGreaterThanOrEqual(1000);
  });

  it('CUSBATCH-03 a retry with the same idempotency key replays the first result and changes nothing', async () => {
    const input = { idempotencyKey: 'crm-load-7', operations: [{ email: 'replayed@example.com', name: 'Once' }] };
    const first = await batch(input);
    const createdAfterFirst = await eventCount('customer.created');

    const again = await batch(input);

    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.extensions!.idempotency).toMatchObject({ replayed: true });
    expect(await eventCount('customer.created')).toBe(createdAfterFirst);
  });
});
