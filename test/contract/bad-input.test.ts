import { Client as PgClient } from 'pg';
import { collectSubscription, connectWsClient } from '../support/connect-ws-client';
import { postGraphQL, postRaw, type GraphQLResponse } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { formatGraphQLError, isDatabaseUnavailable } from '../../src/platform/errors';

const conversationCreate = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id subject metadata } } }
`;
const conversationById = /* GraphQL */ `query ById($id: ID!) { conversation(id: $id) { id } }`;
const conversationCount = /* GraphQL */ `{ conversations(first: 1) { totalCount } }`;
const conversationEvents = /* GraphQL */ `subscription Live($id: ID!) { conversationEvents(conversationId: $id) { id type } }`;

const validInput = { subject: 'Parcel arrived damaged', channel: 'EMAIL', customer: { email: 'ada@example.com' } };

describe('INPUT: bad input is a 4xx with a code and a path, never a 5xx, never retryable, never stored', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const postBody = (body: string, headers: Record<string, string> = {}) =>
    postRaw(gateway.graphqlUrl, body, { authorization: `Bearer ${gateway.adminSecret}`, 'content-type': 'application/json', ...headers });
  const storedConversations = async () => (await asAdmin(conversationCount)).body.data!.conversations.totalCount as number;

  /** The single error of a request refused before execution, checked for what every such refusal shares. */
  const refusalOf = (response: GraphQLResponse) => {
    expect(response.status).toBe(400);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors!;
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.isRetryable).toBeUndefined();
    return error;
  };

  it.each([
    ['a subject sent as a variable', 'input.subject', conversationCreate, { input: { ...validInput, subject: 'Parcel\u0000arrived' } }],
    ['an idempotency key', 'input.idempotencyKey', conversationCreate, { input: { ...validInput, idempotencyKey: 'retry-\u0000-1' } }],
    ['a nested customer email', 'input.customer.email', conversationCreate, { input: { ...validInput, customer: { email: 'ada\u0000@example.com' } } }],
    ['a JSON metadata value', 'input.metadata.crm.note', conversationCreate, { input: { ...validInput, metadata: { crm: { note: 'a\u0000b' } } } }],
    ['an id', 'id', conversationById, { id: 'conv_\u0000' }],
    ['filter text written inline in the document', 'filter.text', '{ conversations(first: 5, filter: { text: "refund\\u0000" }) { nodes { id } } }', {}],
  ])('INPUT-01 a NUL byte in %s is refused with 400 BAD_USER_INPUT naming %s, and nothing is stored', async (_what, field, query, variables) => {
    const before = await storedConversations();

    const error = refusalOf(await asAdmin(query, variables));

    expect(error.extensions.fieldErrors).toEqual([{ field, message: expect.stringMatching(/NUL/) }]);
    expect(await storedConversations()).toBe(before);
  });

  it('INPUT-02 a lone surrogate, in a string or a JSON value, is BAD_USER_INPUT with its path, not U+FFFD in the database', async () => {
    const before = await storedConversations();
    // JSON.stringify escapes a lone surrogate as \ud800, which JSON.parse on the server turns back into one.
    const body = JSON.stringify({ query: conversationCreate, variables: { input: { ...validInput, subject: 'Broken \ud800 pair', metadata: { tags: ['ok', '\udfff'] } } } });
    expect(body).toContain('\\ud800');

    const error = refusalOf(await postBody(body));

    expect(error.extensions.fieldErrors).toEqual([
      { field: 'input.subject', message: expect.stringMatching(/surrogate/) },
      { field: 'input.metadata.tags.1', message: expect.stringMatching(/surrogate/) },
    ]);
    expect(await storedConversations()).toBe(before);
  });

  it('INPUT-03 a NUL byte in a JSON key names the object that holds the key', async () => {
    const error = refusalOf(await asAdmin(conversationCreate, { input: { ...validInput, metadata: { 'crm\u0000id': 7 } } }));

    expect(error.extensions.fieldErrors).toEqual([{ field: 'input.metadata', message: expect.stringMatching(/key.*NUL/) }]);
  });

  it('INPUT-04 variables nested 5,000 deep are a 400 with a code, not a stack overflow', async () => {
    const before = await storedConversations();
    const deepObject = '{"level":'.repeat(5000) + '1' + '}'.repeat(5000);
    const deepList = '['.repeat(5000) + '"x"' + ']'.repeat(5000);
    const asMetadata = `{"query":${JSON.stringify(conversationCreate)},"variables":{"input":${JSON.stringify(validInput).slice(0, -1)},"metadata":${deepObject}}}}`;
    const asId = `{"query":${JSON.stringify(conversationById)},"variables":{"id":${deepList}}}`;

    const metadataError = refusalOf(await postBody(asMetadata));
    const idResponse = await postBody(asId);

    expect(metadataError.extensions.fieldErrors).toEqual([{ field: `input.metadata${'.level'.repeat(31)}`, message: 'Nested more than 32 levels deep' }]);
    expect(idResponse.status).toBe(400);
    expect(idResponse.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await storedConversations()).toBe(before);
  });

  it('INPUT-05 a NUL byte in a subscription argument over graphql-ws refuses that subscription with its path and keeps the socket open', async () => {
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    try {
      const refused = collectSubscription(connection.client, conversationEvents, { id: 'conv_\u0000' });
      await refused.waitFor(1);
      const errors = refused.failure as { extensions: Record<string, unknown> }[];
      expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'conversationId', message: expect.stringMatching(/NUL/) }] });

      const accepted = collectSubscription(connection.client, `subscription { events(types: ["conversation.created"]) { id } }`);
      await asAdmin(conversationCreate, { input: validInput });
      expect((await accepted.waitFor(1))[0].data).toBeDefined();
    } finally {
      await connection.dispose();
    }
  });

  it('INPUT-06 a NUL byte in a subscription argument over SSE is a 400 JSON refusal with its path', async () => {
    const response = await fetch(`${gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminSecret}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: conversationEvents, variables: { id: 'conv_\u0000' } }),
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'conversationId', message: expect.stringMatching(/NUL/) }] });
  });

  it.each([
    ['/graphql', { accept: 'application/json' }],
    ['/graphql/stream', { accept: 'text/event-stream' }],
  ])('INPUT-07 a body declared in a charset other than UTF-8 on %s is 415 with a code', async (path, headers) => {
    const before = await storedConversations();
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminSecret}`, 'content-type': 'application/json; charset=latin1', ...headers },
      body: Buffer.from(JSON.stringify({ query: conversationCreate, variables: { input: { ...validInput, subject: 'Café' } } }), 'latin1'),
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await storedConversations()).toBe(before);
  });

  it.each([['/graphql'], ['/graphql/stream']])('INPUT-08 bytes that are not UTF-8 on %s are 400 with a code, never stored as U+FFFD', async (path) => {
    const before = await storedConversations();
    const json = JSON.stringify({ query: conversationCreate, variables: { input: { ...validInput, subject: 'Caf#' } } });
    const latin1Bytes = Buffer.from(json, 'utf8');
    latin1Bytes[latin1Bytes.indexOf('#')] = 0xe9; // "é" in latin1: a lone continuation-less lead byte in UTF-8

    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminSecret}`, 'content-type': 'application/json', accept: path === '/graphql' ? 'application/json' : 'text/event-stream' },
      body: latin1Bytes,
    });

    expect(response.status).toBe(400);
    const error = ((await response.json()) as any).errors[0];
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/UTF-8/);
    expect(await storedConversations()).toBe(before);
  });

  it('INPUT-09 a value PostgreSQL itself refuses (SQLSTATE class 22, or 08P01 for an inlined NUL) is BAD_USER_INPUT and never retryable', async () => {
    const database = new PgClient({ connectionString: gateway.databaseUrl });
    await database.connect();
    const refusals: unknown[] = [];
    try {
      for (const [sql, values] of [['select $1::text', ['a\u0000b']], ['select $1::jsonb', ['{"a":"\\u0000"}']], ['select $1::int', ['seven']]] as const) {
        refusals.push(await database.query(sql, [...values]).catch((error: unknown) => error));
      }
    } finally {
      await database.end();
    }
    const connection = gateway.app.orm.em.fork().getConnection();
    refusals.push(await connection.execute("select 'a\u0000b' as inlined").catch((error: unknown) => error));
    // MikroORM inlines bound values into the statement text too: the same protocol violation.
    refusals.push(await connection.execute('select ?::text as bound', ['a\u0000b']).catch((error: unknown) => error));

    expect(refusals.map((error) => (error as { code?: string }).code)).toEqual(['22021', '22P05', '22P02', '08P01', '08P01']);
    for (const error of refusals) {
      const formatted = formatGraphQLError({ message: String(error) }, error);
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', fieldErrors: [] });
      expect(formatted.message).not.toMatch(/select|\u0000|seven/);
    }
  });
});
