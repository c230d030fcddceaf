import { Client } from 'pg';
import { createServices } from '../../src/server/services';
import { createApiKey } from '../support/api-keys';
import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, testPepper, type TestGateway } from '../support/start-gateway';

const mintMutation = /* GraphQL */ `
  mutation Mint($input: ClientTokenCreateInput!) { clientTokenCreate(input: $input) { token expiresAt scopes } }
`;
const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id customer { id } } } }
`;
const messageMutation = /* GraphQL */ `
  mutation Message($id: ID!, $body: String!) { messageCreate(input: { conversationId: $id, body: $body }) { message { id } } }
`;
const eventsSubscription = /* GraphQL */ `
  subscription Live($filter: EventFilter) { events(filter: $filter) { id type data } }
`;

interface Fixture {
  /** Customer A's conversation in inbox "support", bound below. */
  readonly supportOfA: { id: string; customerId: string; messageId: string };
  /** Customer A's other conversation, in inbox "sales". */
  readonly salesOfA: { id: string; customerId: string; messageId: string };
  /** Customer B's conversation, in inbox "support". */
  readonly supportOfB: { id: string; customerId: string; messageId: string };
}

describe('TOKEN: client tokens for browsers', () => {
  let gateway: TestGateway;
  let database: Client;
  let fixture: Fixture;
  const sockets: WsConnection[] = [];

  const graphql = (query: string, variables: Record<string, unknown>, secret: string, headers?: Record<string, string>) =>
    postGraphQL(gateway.graphqlUrl, query, variables, { secret, headers });
  const mint = async (input: Record<string, unknown>, secret = gateway.adminSecret) => {
    const response = await graphql(mintMutation, { input }, secret);
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!.clientTokenCreate as { token: string; expiresAt: string; scopes: string[] };
  };
  const mintError = async (input: Record<string, unknown>, secret = gateway.adminSecret) => (await graphql(mintMutation, { input }, secret)).body.errors![0];
  const openConversation = async (email: string, inbox: string) => {
    const input = { subject: `${email} in ${inbox}`, channel: 'EMAIL', inbox, customer: { email }, firstMessage: { body: 'Hello' } };
    const { conversation } = (await graphql(createMutation, { input }, gateway.adminSecret)).body.data!.conversationCreate;
    const message = (await graphql(messageMutation, { id: conversation.id, body: 'Second' }, gateway.adminSecret)).body.data!.messageCreate.message;
    return { id: conversation.id as string, customerId: conversation.customer.id as string, messageId: message.id as string };
  };
  const connect = (secret: string) => {
    const connection = connectWsClient(gateway.url, secret);
    sockets.push(connection);
    return connection;
  };

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', CORS_ORIGINS: 'https://app.example.com,https://evil.example.com' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    fixture = {
      supportOfA: await openConversation('a@example.com', 'support'),
      salesOfA: await openConversation('a@example.com', 'sales'),
      supportOfB: await openConversation('b@example.com', 'support'),
    };
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  it('TOKEN-01 a minted token works as a bearer credential, for an hour by default', async () => {
    const before = Date.now();
    const { token, expiresAt, scopes } = await mint({ scopes: ['conversations:read'] });

    expect(token).toMatch(/^sgwct_/);
    expect(scopes).toEqual(['conversations:read']);
    expect(new Date(expiresAt).getTime() - before).toBeGreaterThan(3590_000);
    expect(new Date(expiresAt).getTime() - before).toBeLessThanOrEqual(3601_000);
    const listed = await graphql('{ conversations(first: 10) { nodes { id } } }', {}, token);
    expect(listed.body.data!.conversations.nodes).toHaveLength(3);
    const viewer = await graphql('{ viewer { scopes clientToken { id expiresAt isBound } } }', {}, token);
    expect(viewer.body.data!.viewer).toEqual({ scopes: ['conversations:read'], clientToken: { id: expect.stringMatching(/^ctk_/), expiresAt, isBound: false } });
    expect((await graphql('{ viewer { clientToken { id } } }', {}, gateway.adminSecret)).body.data!.viewer.clientToken).toBeNull();
  });

  it.each([['keys:read'], ['keys:write'], ['webhooks:read'], ['webhooks:write'], ['audit:read'], ['tokens:write'], ['admin']])(
    'TOKEN-02 a token can never hold %s',
    async (scope) => {
      const error = await mintError({ scopes: ['conversations:read', scope] });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.scopes.1' }] });
    },
  );

  it.each([['conversations:write'], ['customers:write'], ['analytics:read']])('TOKEN-03 a bound token cannot hold %s', async (scope) => {
    const error = await mintError({ scopes: [scope], conversationId: fixture.supportOfA.id });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.scopes.0' }] });
  });

  it('TOKEN-04 a token holds at most its key’s scopes, a key needs tokens:write, and lives 60 s to 24 h', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read', 'tokens:write'] });
    const beyond = await mintError({ scopes: ['customers:read'] }, reader.secret);
    expect(beyond.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const withoutTokensWrite = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] });
    expect((await mintError({ scopes: ['conversations:read'] }, withoutTokensWrite.secret)).extensions).toMatchObject({ code: 'FORBIDDEN' });
    for (const expiresInSeconds of [59, 86_401]) {
      const error = await mintError({ scopes: ['conversations:read'], expiresInSeconds });
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.expiresInSeconds' }] });
    }
    const longest = await mint({ scopes: ['conversations:read'], expiresInSeconds: 86_400 });
    expect(new Date(longest.expiresAt).getTime() - Date.now()).toBeGreaterThan(86_300_000);
  });

  it('TOKEN-05 a binding to another workspace’s conversation or customer is NOT_FOUND at minting', async () => {
    const other = await createWorkspaceKey(gateway, 'token-other', ['admin']);
    const theirs = (await graphql(createMutation, { input: { subject: 'Theirs', channel: 'EMAIL', customer: { email: 'c@example.com' } } }, other.secret)).body.data!.conversationCreate.conversation;

    const byConversation = await mintError({ scopes: ['conversations:read'], conversationId: theirs.id });
    const byCustomer = await mintError({ scopes: ['customers:read'], customerId: theirs.customer.id });

    expect(byConversation.extensions).toMatchObject({ code: 'NOT_FOUND', fieldErrors: [{ field: 'input.conversationId' }] });
    expect(byCustomer.extensions).toMatchObject({ code: 'NOT_FOUND', fieldErrors: [{ field: 'input.customerId' }] });
  });

  /** What a token bound one way must see of every read, and nothing more. */
  const bindings = () => [
    { name: 'a conversation', input: { conversationId: fixture.supportOfA.id }, conversations: [fixture.supportOfA], customers: [fixture.supportOfA.customerId] },
    { name: 'a customer', input: { customerId: fixture.supportOfA.customerId }, conversations: [fixture.supportOfA, fixture.salesOfA], customers: [fixture.supportOfA.customerId] },
    { name: 'an inbox filter', input: { filter: { inboxes: ['support'] } }, conversations: [fixture.supportOfA, fixture.supportOfB], customers: [fixture.supportOfA.customerId, fixture.supportOfB.customerId] },
  ];
  const allConversations = () => [fixture.supportOfA, fixture.salesOfA, fixture.supportOfB];
  const sorted = (ids: string[]) => [...ids].sort();

  it.each([0, 1, 2])('TOKEN-06 binding #%i: every list shows exactly what the token may see', async (index) => {
    const binding = bindings()[index];
    const { token } = await mint({ scopes: ['conversations:read', 'customers:read', 'events:read'], ...binding.input });
    const expectedConversations = sorted(binding.conversations.map((conversation) => conversation.id));

    const conversations = await graphql('{ conversations(first: 100) { totalCount nodes { id } } }', {}, token);
    const customers = await graphql('{ customers(first: 10) { totalCount nodes { id conversations(first: 10) { nodes { id } } } } }', {}, token);
    const events = await graphql('{ events(first: 100) { nodes { data } } }', {}, token);

    expect(sorted(conversations.body.data!.conversations.nodes.map((node: { id: string }) => node.id))).toEqual(expectedConversations);
    expect(conversations.body.data!.conversations.totalCount).toBe(expectedConversations.length);
    expect(sorted(customers.body.data!.customers.nodes.map((node: { id: string }) => node.id))).toEqual(sorted(binding.customers));
    const nested = customers.body.data!.customers.nodes.flatMap((node: { conversations: { nodes: { id: string }[] } }) => node.conversations.nodes.map((conversation) => conversation.id));
    expect(sorted(nested)).toEqual(expectedConversations);
    const eventConversations = new Set(events.body.data!.events.nodes.map((node: { data: any }) => node.data.conversation?.id ?? node.data.message?.conversationId).filter(Boolean));
    expect(events.body.data!.events.nodes.length).toBeGreaterThan(0);
    expect(sorted([...eventConversations] as string[])).toEqual(expectedConversations);
  });

  it.each([0, 1, 2])('TOKEN-07 binding #%i: every id outside the reach is NOT_FOUND, through every read by id', async (index) => {
    const binding = bindings()[index];
    const { token } = await mint({ scopes: ['conversations:read', 'customers:read', 'events:read'], ...binding.input });
    const outside = allConversations().filter((conversation) => !binding.conversations.includes(conversation));
    const inside = binding.conversations;
    const reads = (conversation: Fixture['supportOfA']) => [
      ['conversation', 'query($id: ID!) { conversation(id: $id) { id } }', conversation.id],
      ['node(conversation)', 'query($id: ID!) { node(id: $id) { id } }', conversation.id],
      ['node(message)', 'query($id: ID!) { node(id: $id) { id } }', conversation.messageId],
    ] as const;

    for (const conversation of outside) {
      for (const [what, query, id] of reads(conversation)) {
        const response = await graphql(query, { id }, token);
        expect([what, response.body.errors?.[0]?.extensions?.code]).toEqual([what, 'NOT_FOUND']);
      }
    }
    for (const conversation of inside) {
      for (const [what, query, id] of reads(conversation)) {
        const response = await graphql(query, { id }, token);
        expect([what, response.body.errors]).toEqual([what, undefined]);
      }
    }
    for (const customerId of new Set(allConversations().map((conversation) => conversation.customerId))) {
      const response = await graphql('query($id: ID!) { customer(id: $id) { id } node(id: $id) { id } }', { id: customerId }, token);
      const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
      expect(codes).toEqual(binding.customers.includes(customerId) ? [] : ['NOT_FOUND', 'NOT_FOUND']);
    }
  });

  it('TOKEN-08 a bound token’s live feed carries only events inside its reach, over WebSocket', async () => {
    const { token } = await mint({ scopes: ['events:read', 'conversations:read'], conversationId: fixture.supportOfA.id });
    const subscription = collectSubscription(connect(token).client, eventsSubscription, {});
    const marker = async () => graphql(messageMutation, { id: fixture.supportOfA.id, body: 'marker' }, gateway.adminSecret);
    for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
      await marker();
      await subscription.waitFor(1, 200).catch(() => undefined);
    }
    const seen = subscription.results.length;

    await graphql(messageMutation, { id: fixture.salesOfA.id, body: 'outside' }, gateway.adminSecret);
    await graphql(messageMutation, { id: fixture.supportOfB.id, body: 'outside' }, gateway.adminSecret);
    await marker();
    await subscription.waitFor(seen + 1);

    const conversationIds = subscription.results.map((result) => (result.data as any).events.data.message.conversationId);
    expect(new Set(conversationIds)).toEqual(new Set([fixture.supportOfA.id]));
  });

  it('TOKEN-08b conversationEvents on a conversation outside the reach fails NOT_FOUND at once; inside, it stays open', async () => {
    const { token } = await mint({ scopes: ['conversations:read'], conversationId: fixture.supportOfA.id });
    const client = connect(token).client;
    const oneConversation = 'subscription($id: ID!) { conversationEvents(conversationId: $id) { id } }';
    const outside = collectSubscription(client, oneConversation, { id: fixture.salesOfA.id });
    const inside = collectSubscription(client, oneConversation, { id: fixture.supportOfA.id });
    await outside.waitFor(1);
    const failure = outside.failure as any;
    const error = (Array.isArray(failure) ? failure[0] : failure?.errors?.[0]) ?? (outside.results[0] as any)?.errors?.[0];
    expect(error?.extensions?.code).toBe('NOT_FOUND');

    // Nothing tells when `inside` has started on the server, and an event before that is not
    // replayed without `after`: messages are written until one reaches it.
    await pollUntil(
      async () => {
        await graphql(messageMutation, { id: fixture.supportOfA.id, body: 'inside' }, gateway.adminSecret);
        return inside.results.length > 0;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'an event on the conversation inside the reach' },
    );
    expect(inside.failure).toBeUndefined();
    expect(inside.results[0]).toEqual({ data: { conversationEvents: { id: expect.any(String) } } });
  });

  it('TOKEN-09 an altered, forged or expired token is 401', async () => {
    const { token } = await mint({ scopes: ['conversations:read'] });
    const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const signer = createServices({ pepper: testPepper, defaultRateLimit: { requests: 600, windowSeconds: 60 } }).clientTokenSigner;
    const claims = JSON.parse(Buffer.from(token.slice('sgwct_'.length).split('.')[0], 'base64url').toString());
    const expired = signer.sign({ ...claims, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const forged = createServices({ pepper: 'another-pepper', defaultRateLimit: { requests: 600, windowSeconds: 60 } }).clientTokenSigner.sign(claims);

    for (const secret of [altered, expired, forged]) {
      const response = await graphql('{ conversations(first: 1) { nodes { id } } }', {}, secret);
      expect([response.status, response.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect((await graphql('{ conversations(first: 1) { nodes { id } } }', {}, signer.sign(claims))).status).toBe(200);
  });

  it('TOKEN-10 revoking the minting key ends its tokens: 401 over HTTP, open sockets closed 4403', async () => {
    const minter = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'tokens:write'] });
    const { token } = await mint({ scopes: ['events:read'] }, minter.secret);
    const connection = connect(token);
    const subscription = collectSubscription(connection.client, eventsSubscription, {});
    const ping = await graphql('{ events(first: 1) { nodes { id } } }', {}, token);
    expect(ping.status).toBe(200);

    await graphql('mutation($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }', { id: minter.id }, gateway.adminSecret);

    expect((await graphql('{ events(first: 1) { nodes { id } } }', {}, token)).status).toBe(401);
    expect(await connection.closed).toBe(4403);
    expect(subscription.results).toHaveLength(0);
  });

  it('TOKEN-10b the minting key’s expiry ends its tokens too: 401 over HTTP, open sockets closed 4403', async () => {
    const minter = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'tokens:write'] });
    const { token } = await mint({ scopes: ['events:read'] }, minter.secret);
    const connection = connect(token);
    collectSubscription(connection.client, eventsSubscription, {});
    expect((await graphql('{ events(first: 1) { nodes { id } } }', {}, token)).status).toBe(200);

    // As if its expiresAt had passed: the change notification drops the cached key everywhere.
    await database.query(`update api_keys set expires_at = now() - interval '1 second' where id = $1`, [minter.id]);

    expect(await connection.closed).toBe(4403);
    expect((await graphql('{ events(first: 1) { nodes { id } } }', {}, token)).status).toBe(401);
  });

  it('TOKEN-11 a token’s own expiry closes its open sockets with 4403', async () => {
    const { token } = await mint({ scopes: ['events:read'] });
    const signer = createServices({ pepper: testPepper, defaultRateLimit: { requests: 600, windowSeconds: 60 } }).clientTokenSigner;
    const claims = JSON.parse(Buffer.from(token.slice('sgwct_'.length).split('.')[0], 'base64url').toString());
    const shortLived = signer.sign({ ...claims, expiresAt: Math.floor(Date.now() / 1000) + 2 });
    const connection = connect(shortLived);
    collectSubscription(connection.client, eventsSubscription, {});

    expect(await connection.closed).toBe(4403);
  });

  it('TOKEN-12 allowedOrigins: another Origin is refused 403 over HTTP and WebSocket; no Origin (a server) passes', async () => {
    const { token } = await mint({ scopes: ['conversations:read', 'events:read'], allowedOrigins: ['https://app.example.com'] });
    const query = '{ conversations(first: 1) { nodes { id } } }';

    expect((await graphql(query, {}, token, { origin: 'https://app.example.com' })).status).toBe(200);
    expect((await graphql(query, {}, token, { origin: 'https://evil.example.com' })).status).toBe(403);
    expect((await graphql(query, {}, token)).status).toBe(200);
    // CORS_ORIGINS lets both pages open a socket: the token's own list refuses the other one.
    const socketFrom = (origin: string) => {
      const connection = connectWsClient(gateway.url, token, { origin });
      sockets.push(connection);
      return connection;
    };
    const fromOther = socketFrom('https://evil.example.com');
    const fromApp = socketFrom('https://app.example.com');
    const live = collectSubscription(fromApp.client, eventsSubscription, {});
    collectSubscription(fromOther.client, eventsSubscription, {});
    expect(await fromOther.closed).toBe(4403);
    await graphql(messageMutation, { id: fixture.supportOfA.id, body: 'origin check' }, gateway.adminSecret);
    await live.waitFor(1);
    expect(live.failure).toBeUndefined();
    const badOrigin = await mintError({ scopes: ['conversations:read'], allowedOrigins: ['https://app.example.com/path'] });
    expect(badOrigin.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.allowedOrigins.0' }] });
  });

  it('TOKEN-13 narrowing the key narrows its tokens at once', async () => {
    const minter = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read', 'customers:read', 'tokens:write'] });
    const { token } = await mint({ scopes: ['conversations:read', 'customers:read'] }, minter.secret);
    expect((await graphql('{ customers(first: 1) { nodes { id } } }', {}, token)).body.errors).toBeUndefined();

    await graphql('mutation($id: ID!) { apiKeyUpdate(input: { id: $id, scopes: ["conversations:read", "tokens:write"] }) { apiKey { id } } }', { id: minter.id }, gateway.adminSecret);

    const after = await graphql('{ customers(first: 1) { nodes { id } } }', {}, token);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('TOKEN-14 a token’s request limit is its own: a browser cannot spend its backend key’s', async () => {
    const minter = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read', 'tokens:write'], rateLimit: { requests: 3, windowSeconds: 3600 } });
    // Windows are whole clock hours: requests on both sides of a boundary would count in two of them.
    const untilNextHourMs = 3_600_000 - (Date.now() % 3_600_000);
    if (untilNextHourMs < 15_000) await new Promise((resolve) => setTimeout(resolve, untilNextHourMs + 100));
    const { token } = await mint({ scopes: ['conversations:read'] }, minter.secret);
    const query = '{ conversations(first: 1) { nodes { id } } }';

    const tokenStatuses = [];
    for (let index = 0; index < 4; index++) tokenStatuses.push((await graphql(query, {}, token)).status);
    const keyStatuses = [];
    for (let index = 0; index < 3; index++) keyStatuses.push((await graphql(query, {}, minter.secret)).status);

    expect(tokenStatuses).toEqual([200, 200, 200, 429]);
    expect(keyStatuses).toEqual([200, 200, 429]);
  });

  it('TOKEN-15 a token is stored nowhere: no row of any table holds its signature', async () => {
    const { token } = await mint({ scopes: ['conversations:read'] });
    await graphql('{ conversations(first: 1) { nodes { id } } }', {}, token);
    const signature = token.split('.').at(-1)!;
    const tables = (await database.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)).rows;

    const holding = [];
    for (const { table_name: table } of tables) {
      const { rows } = await database.query(`select count(*)::int as count from "${table}" t where t::text like $1`, [`%${signature}%`]);
      if (rows[0].count > 0) holding.push(table);
    }

    expect(tables.length).toBeGreaterThan(10);
    expect(holding).toEqual([]);
  });
});
