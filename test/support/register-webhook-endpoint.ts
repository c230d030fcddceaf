import { Client } from 'pg';
import { generateWebhookSecret } from '../../src/modules/webhooks/delivery/standard-webhooks';
import { newId } from '../../src/platform/ids';
import { SecretBox } from '../../src/platform/secret-box';
import { testPepper } from './start-gateway';

/**
 * An endpoint row as webhookEndpointCreate would write it (secret sealed, starting at the
 * workspace's current sequence), for tests of the delivery path itself.
 */
export async function registerWebhookEndpoint(databaseUrl: string, url: string, options: { workspaceSlug?: string; eventTypes?: string[] } = {}) {
  const secret = generateWebhookSecret();
  const id = newId('we');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into webhook_endpoints (id, workspace_id, url, event_types, secret_ciphertext, enqueued_through_sequence, created_by)
       select $1, w.id, $2, $3, $4, w.event_sequence, 'test' from workspaces w where w.slug = $5`,
      [id, url, options.eventTypes ?? null, new SecretBox(testPepper, 'webhook-secrets').seal(secret), options.workspaceSlug ?? 'default'],
    );
  } finally {
    await client.end();
  }
  return { id, secret };
}
