import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { startGateway } from '../support/start-gateway';

describe('LOGS: structured logs carry request and key ids, never a secret', () => {
  it('LOGS-01 creating, using, rotating and failing with keys leaves no secret in any log line', async () => {
    const logLines: string[] = [];
    const gateway = await startGateway({ logLines });
    try {
      const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read', 'keys:write'] });
      await postGraphQL(gateway.graphqlUrl, '{ viewer { apiKey { id } } }', {}, { secret: key.secret });
      const rotated = await postGraphQL(gateway.graphqlUrl, `mutation R($id: ID!) { apiKeyRotate(input: { id: $id }) { secret } }`, { id: key.id }, { secret: gateway.adminSecret });
      const wrongSecret = key.secret.slice(0, -4) + 'AAAA';
      await postGraphQL(gateway.graphqlUrl, '{ viewer { apiKey { id } } }', {}, { secret: wrongSecret });
      await postGraphQL(gateway.graphqlUrl, '{ nope }', {}, { secret: key.secret });

      const secrets = [gateway.adminSecret, key.secret, rotated.body.data!.apiKeyRotate.secret, wrongSecret];
      const everything = logLines.join('\n');
      expect(logLines.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(secret.split('_').at(-1));
      }
    } finally {
      await gateway.stop();
    }
  });
});
