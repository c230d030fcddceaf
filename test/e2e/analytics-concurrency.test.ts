import { Client } from 'pg';
import { createRandom } from '../../src/cli/demo-data/random';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const tags = ['refund', 'bug', 'urgent', 'onboarding', 'billing', 'vip', 'churn', 'feature'];
const createMutation = `mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id } } }`;
const batchMutation = `mutation Batch($input: ConversationsBatchUpdateInput!) { conversationsBatchUpdate(input: $input) { appliedCount failedCount } }`;

describe('ANL-CONCURRENT: the rollup triggers under concurrent writers of one workspace', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  it('ANL-09 concurrent creations and idempotent batch updates touching the same rollup rows in different orders all succeed, and the rollups stay exact', async () => {
    const random = createRandom(5);
    const ids = await Promise.all(
      Array.from({ length: 24 }, async (_, index) => {
        const response = await postGraphQL(gateway.graphqlUrl, createMutation, { input: { subject: `concurrent ${index}`, channel: 'EMAIL', tags: random.sample(tags, 3) } }, { secret: gateway.adminSecret });
        expect(response.body.errors).toBeUndefined();
        return response.body.data!.conversationCreate.conversation.id as string;
      }),
    );
    // Each batch runs in one transaction (it has an idempotency key) and walks the conversations in its own order.
    const batches = Array.from({ length: 8 }, (_, batch) => ({
      idempotencyKey: `concurrent-batch-${batch}`,
      operations: [
        // Each batch resolves a conversation of its own, so duration histograms move with the retagging too.
        { id: ids[batch], status: 'RESOLVED' },
        ...random.sample(ids, 12).map((id) => ({ id, tagsAdd: random.sample(tags, 2), tagsRemove: random.sample(tags, 1), priority: random.pick(['LOW', 'HIGH', 'URGENT']) })),
      ],
    }));
    const results = await Promise.all(batches.map((input) => postGraphQL(gateway.graphqlUrl, batchMutation, { input }, { secret: gateway.adminSecret })));
    for (const result of results) {
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data!.conversationsBatchUpdate.failedCount).toBe(0);
    }

    const client = new Client({ connectionString: gateway.databaseUrl });
    await client.connect();
    try {
      const snapshot = async () =>
        (await client.query(`select dimension, value, hour, activity, created, backlog from analytics_hourly where activity <> 0 order by dimension, value, hour`)).rows;
      const histograms = async () =>
        (await client.query(`select dimension, value, metric, array_lower(counts, 1) + position::int - 1 as bin, count
           from analytics_daily_durations, unnest(counts) with ordinality as u(count, position) where coalesce(count, 0) <> 0 order by 1, 2, 3, 4`)).rows;
      const incremental = await snapshot();
      const incrementalHistograms = await histograms();
      await client.query(`select analytics_rebuild(id) from workspaces where slug = 'default'`);
      expect(incremental).toEqual(await snapshot());
      const resolutionsCounted = incrementalHistograms.filter((row) => row.dimension === 'all').reduce((sum, row) => sum + (row.metric === 'resolution' ? row.count : 0), 0);
      expect(resolutionsCounted).toBe(8);
      expect(incrementalHistograms).toEqual(await histograms());
    } finally {
      await client.end();
    }
  });
});
