import { Client } from 'pg';
import { reportUsageSpikes } from '../../src/modules/usage/usage-spikes';
import { createApiKey } from '../support/api-keys';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const settings = { factor: 10, minRequests: 300 };
const now = new Date('2026-12-07T12:00:30.000Z');

describe('SPIKE: api_key.usage_spike when a key’s traffic jumps far above its normal level', () => {
  let gateway: TestGateway;
  let database: Client;
  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h' } }));
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  /** A key two days old with `baselinePerMinute` requests every minute of the day before, then `recentPerMinute` in the last 5 minutes. */
  async function keyWithTraffic(secret: string, baselinePerMinute: number, recentPerMinute: number, workspaceSlug = 'default') {
    const key = workspaceSlug === 'default'
      ? await createApiKey(gateway.graphqlUrl, secret, { scopes: ['conversations:read'] })
      : await createWorkspaceKey(gateway, workspaceSlug, ['conversations:read']);
    await database.query(`update api_keys set created_at = $2::timestamptz - interval '2 days' where id = $1`, [key.id, now]);
    await database.query(
      `insert into api_usage_minutes (workspace_id, api_key_id, minute, operation, outcome, requests, cost, duration_ms_sum, latency_buckets)
       select k.workspace_id, k.id, date_trunc('minute', $2::timestamptz) - (m || ' minutes')::interval, 'Probe', 'ok',
              case when m <= 5 then $4::int else $3::int end, 1, 1, '{}'::int[]
       from api_keys k, generate_series(1, 24 * 60 + 5) m where k.id = $1 and (m <= 5 or $3::int > 0)`,
      [key.id, now, baselinePerMinute, recentPerMinute],
    );
    return key;
  }
  const spikesOf = async (keyId: string) => (await database.query(`select workspace_id, data from events where type = 'api_key.usage_spike' and data #>> '{apiKey,id}' = $1`, [keyId])).rows;

  it('SPIKE-01 a key at 20 times its daily average is reported once, with its figures; steady, small and young keys are not', async () => {
    const spiking = await keyWithTraffic(gateway.adminSecret, 10, 200);
    const steady = await keyWithTraffic(gateway.adminSecret, 100, 150);
    const small = await keyWithTraffic(gateway.adminSecret, 1, 40);
    const young = await keyWithTraffic(gateway.adminSecret, 0, 500);
    await database.query(`update api_keys set created_at = $2 where id = $1`, [young.id, now]);

    await reportUsageSpikes(gateway.app.orm, settings, now);
    await reportUsageSpikes(gateway.app.orm, settings, new Date(now.getTime() + 60_000));

    const [spike] = await spikesOf(spiking.id);
    expect(await spikesOf(spiking.id)).toHaveLength(1);
    expect(spike.data).toEqual({
      apiKey: { id: spiking.id, name: 'test key' },
      window: { from: '2026-12-07T11:55:00.000Z', to: '2026-12-07T12:00:00.000Z' },
      requestCount: 1000,
      baselineRequestCount: 50,
      factor: 10,
    });
    for (const quiet of [steady, small, young]) expect(await spikesOf(quiet.id)).toEqual([]);
  });

  it('SPIKE-02 the event stays in the key’s own workspace, and a spike an hour later is reported again', async () => {
    const theirs = await keyWithTraffic(gateway.adminSecret, 10, 200, 'spike-other');
    await reportUsageSpikes(gateway.app.orm, settings, now);
    const [{ id: theirWorkspace }] = (await database.query(`select id from workspaces where slug = 'spike-other'`)).rows;
    expect((await spikesOf(theirs.id)).map((row) => row.workspace_id)).toEqual([theirWorkspace]);

    await database.query(`update api_key_usage_alerts set alerted_at = alerted_at - interval '61 minutes' where api_key_id = $1`, [theirs.id]);
    await reportUsageSpikes(gateway.app.orm, settings, now);
    expect(await spikesOf(theirs.id)).toHaveLength(2);
  });
});
