import { createClient, type Client } from 'graphql-sse';
import type { Client as WsClient } from 'graphql-ws';
import { createApiKey } from '../support/api-keys';
import { collectSubscription } from '../support/connect-ws-client';
import { postGraphQL, type GraphQLErrorBody } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const eventsSubscription = /* GraphQL */ `
  subscription Events($types: [String!], $after: String) { events(types: $types, after: $after) { id type sequence occurredAt data } }
`;
const createMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }
`;
const revokeMutation = /* GraphQL */ `mutation Revoke($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }`;
const eventsQuery = /* GraphQL */ `query Log($after: String) { events(first: 100, after: $after) { nodes { id type sequence occurredAt data } } }`;
const badSecret = 'sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43);

/** The first error of a JSON refusal. */
const refusalOf = async (response: Response) => ((await response.json()) as { errors: GraphQLErrorBody[] }).errors[0];

describe('SSE: graphql-sse subscriptions on /graphql/stream pass the same gates as WebSocket', () => {
  let gateway: TestGateway;
  let streamUrl: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    gateway = await startGateway();
    streamUrl = `${gateway.url}/graphql/stream`;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.dispose();
  });
  afterAll(() => gateway.stop());

  /** graphql-sse's own client in distinct connections mode; it reports a refusal instead of retrying. */
  const connect = (secret: string) => {
    const client = createClient({ url: streamUrl, headers: { authorization: `Bearer ${secret}` }, retryAttempts: 0 });
    clients.push(client);
    return client;
  };
  /** collectSubscription only calls `subscribe(payload, sink)`, which graphql-sse's client shares with graphql-ws's. */
  const subscribe = (client: Client, query: string, variables: Record<string, unknown> = {}) => collectSubscription(client as unknown as WsClient, query, variables);
  /** One raw request, as a dashboard without graphql-sse's client would send it. */
  const openStream = (query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) =>
    fetch(streamUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers }, body: JSON.stringify({ query, variables }) });
  const createConversation = async (subject: string) =>
    (await postGraphQL(gateway.graphqlUrl, createMutation, { subject }, { secret: gateway.adminSecret })).body.data!.conversationCreate.conversation.id as string;
  /** A stream is live once an event created after subscribing arrives; markers are sent until one does (bounded). */
  const waitUntilLive = async (subscription: ReturnType<typeof subscribe>, marker: string) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      await createConversation(`${marker} ${attempt}`);
      const results = await subscription.waitFor(subscription.results.length + 1, 200).catch(() => subscription.results);
      if (results.some((result) => String((result.data as any)?.events?.data?.conversation?.subject).startsWith(marker))) return;
    }
    throw new Error(`stream never went live (${marker})`);
  };

  it('SSE-01 a subscriber receives a created conversation’s event live, identical to the log entry', async () => {
    const subscription = subscribe(connect(gateway.adminSecret), eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(subscription, 'SSE-01 warm-up');
    const seenBefore = subscription.results.length;

    const id = await createConversation('SSE-01 live');

    const live = (await subscription.waitFor(seenBefore + 1))[seenBefore].data!.events;
    expect(live).toMatchObject({ type: 'conversation.created', data: { conversation: { id, subject: 'SSE-01 live' } } });
    const log = await postGraphQL(gateway.graphqlUrl, eventsQuery, {}, { secret: gateway.adminSecret });
    expect(log.body.data!.events.nodes.find((event: { id: string }) => event.id === live.id)).toEqual(live);
  });

  it('SSE-02 resubscribing with after replays exactly the missed events in order, then live ones', async () => {
    const first = subscribe(connect(gateway.adminSecret), eventsSubscription);
    await waitUntilLive(first, 'SSE-02 before');
    const lastSeen = first.results.at(-1)!.data!.events;
    first.unsubscribe();
    const missedIds: string[] = [];
    for (let index = 0; index < 50; index++) missedIds.push(await createConversation(`SSE-02 missed ${index}`));

    const resumed = subscribe(connect(gateway.adminSecret), eventsSubscription, { after: lastSeen.id });

    const replayed = (await resumed.waitFor(50)).slice(0, 50).map((result) => result.data!.events);
    expect(replayed.map((event) => event.data.conversation.id)).toEqual(missedIds);
    expect(replayed.map((event) => event.sequence)).toEqual(replayed.map((_, index) => lastSeen.sequence + 1 + index));
    const liveId = await createConversation('SSE-02 live');
    const afterLive = await resumed.waitFor(51);
    expect(afterLive[50].data!.events.data.conversation.id).toBe(liveId);
    expect(afterLive).toHaveLength(51);
  });

  it.each([
    ['no Authorization header', {}],
    ['a malformed Authorization header', { authorization: 'Basic abc' }],
    ['an unknown key', { authorization: `Bearer ${badSecret}` }],
  ])('SSE-03 a request with %s is refused with 401 JSON before any stream opens', async (_case, headers: Record<string, string>) => {
    const response = await openStream(eventsSubscription, headers);

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await refusalOf(response)).extensions).toEqual({ code: 'UNAUTHENTICATED', requestId: response.headers.get('x-request-id') });
  });

  it('SSE-04 a key used from outside its IP allowlist is refused with 403', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read'], allowedCidrs: ['10.0.0.0/8'] });

    const response = await openStream(eventsSubscription, { authorization: `Bearer ${key.secret}` });

    expect(response.status).toBe(403);
    expect((await refusalOf(response)).extensions).toMatchObject({ code: 'FORBIDDEN', requestId: expect.any(String) });
  });

  it('SSE-05 each stream spends one request of the key’s rate limit; over it, 429 with Retry-After', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    const allowed = await openStream(eventsSubscription, { authorization: `Bearer ${key.secret}` });
    expect(allowed.status).toBe(200);
    await allowed.body!.cancel();

    const refused = await openStream(eventsSubscription, { authorization: `Bearer ${key.secret}` });

    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refusalOf(refused)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  });

  it('SSE-06 a key without events:read gets FORBIDDEN in the stream, then the stream completes', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] });

    const subscription = subscribe(connect(reader.secret), eventsSubscription);

    const [result] = await subscription.waitFor(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['events:read']], requestId: expect.any(String) });
    await subscription.waitFor(2);
    expect(subscription.isDone).toBe(true);
  });

  it.each([
    ['mutation', 'mutation { conversationCreate(input: { subject: "SSE-07 side door", channel: API }) { conversation { id } } }'],
    ['query', '{ events(first: 1) { nodes { id } } }'],
  ])('SSE-07 a %s is refused with 400 and runs nothing: it belongs on /graphql', async (_kind, query) => {
    const response = await openStream(query, { authorization: `Bearer ${gateway.adminSecret}` });

    expect(response.status).toBe(400);
    expect(await refusalOf(response)).toMatchObject({ message: expect.stringContaining('/graphql'), extensions: { code: 'BAD_USER_INPUT', requestId: response.headers.get('x-request-id') } });
    const log = await postGraphQL(gateway.graphqlUrl, eventsQuery, {}, { secret: gateway.adminSecret });
    expect(JSON.stringify(log.body.data)).not.toContain('SSE-07 side door');
  });

  it('SSE-08 a GET with Accept: text/event-stream opens a stream carrying X-Request-Id; without that Accept, 406', async () => {
    const search = new URLSearchParams({ query: eventsSubscription, variables: JSON.stringify({ types: ['conversation.created'] }) });
    const headers = { authorization: `Bearer ${gateway.adminSecret}`, 'x-request-id': 'sse-08-request' };

    const stream = await fetch(`${streamUrl}?${search}`, { headers: { ...headers, accept: 'text/event-stream' } });
    const refused = await fetch(`${streamUrl}?${search}`, { headers: { ...headers, accept: 'application/json' } });

    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('x-request-id')).toBe('sse-08-request');
    await stream.body!.cancel();
    expect(refused.status).toBe(406);
    expect((await refusalOf(refused)).extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: 'sse-08-request' });
  });

  it.each([
    ['a body that is not JSON', '{"query": '],
    ['no query', '{"variables": {}}'],
  ])('SSE-09 a request with %s is refused with 400 in the gateway’s error shape', async (_case, body) => {
    const response = await fetch(streamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${gateway.adminSecret}` },
      body,
    });

    expect(response.status).toBe(400);
    expect((await refusalOf(response)).extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: response.headers.get('x-request-id') });
  });

  it('SSE-10 revoking a key ends its open streams within seconds with UNAUTHENTICATED, then complete', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'conversations:read'] });
    const subscription = subscribe(connect(key.secret), eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(subscription, 'SSE-10 warm-up');
    const seenBefore = subscription.results.length;

    await postGraphQL(gateway.graphqlUrl, revokeMutation, { id: key.id }, { secret: gateway.adminSecret });

    const farewell = (await subscription.waitFor(seenBefore + 1))[seenBefore];
    expect(farewell.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) });
    await subscription.waitFor(seenBefore + 2);
    expect(subscription.isDone).toBe(true);
  });

  it('SSE-11 shutting the gateway down ends open streams at once instead of waiting out the drain grace', async () => {
    const stopping = await startGateway({ env: { SHUTDOWN_GRACE: '20s' } });
    const response = await fetch(`${stopping.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${stopping.adminSecret}` },
      body: JSON.stringify({ query: eventsSubscription }),
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toBe(':\n\n');

    const startedAtMs = Date.now();
    await stopping.stop();

    expect(Date.now() - startedAtMs).toBeLessThan(5_000);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value;
    // No `complete`: to graphql-sse's client the stream was lost, so it reconnects.
    expect(rest).not.toContain('event: complete');
  });
});
