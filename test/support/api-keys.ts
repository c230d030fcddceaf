import { postGraphQL } from './graphql-client';

export const apiKeyCreateMutation = /* GraphQL */ `
  mutation CreateKey($input: ApiKeyCreateInput!) {
    apiKeyCreate(input: $input) { secret apiKey { id name scopes status allowedCidrs rateLimit { requests windowSeconds } expiresAt } }
  }
`;

export interface CreatedKey {
  readonly id: string;
  readonly secret: string;
}

/** Creates a key through the public API with the given admin secret; fails the test on any error. */
export async function createApiKey(graphqlUrl: string, adminSecret: string, input: Record<string, unknown>): Promise<CreatedKey> {
  const response = await postGraphQL(graphqlUrl, apiKeyCreateMutation, { input: { name: 'test key', ...input } }, { secret: adminSecret });
  if (response.body.errors) throw new Error(`apiKeyCreate failed: ${JSON.stringify(response.body.errors)}`);
  const { apiKey, secret } = response.body.data!.apiKeyCreate;
  return { id: apiKey.id, secret };
}
