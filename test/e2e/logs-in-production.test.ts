import { Client } from 'pg';
import { ormOptions } from '../../src/platform/database/orm';
import { createLogger } from '../../src/platform/observability/logger';
import { createApiKey } from '../support/api-keys';
import { postGraphQL, type GraphQLResponse } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const customerEmail = 'grace.hopper.logcheck@example.com';
const customerName = 'Grace Logcheck Hopper';
const renamedName = 'Amazing Logcheck Grace';
const messageBody = 'My card 4111-1111-1111-1111 was charged twice, logcheck body';
const noteBody = 'Internal logcheck note about a refund';

const customerUpsert = /* GraphQL */ `mutation Upsert($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }`;
const customerUpdate = /* GraphQL */ `mutation Rename($input: CustomerUpdateInput!) { customerUpdate(input: $input) { customer { id name } } }`;
const conversationCreate = /* GraphQL */ `mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id } } }`;
const noteCreate = /* GraphQL */ `mutation Note($input: ConversationNoteCreateInput!) { conversationNoteCreate(input: $input) { note { id } } }`;
const customersByEmail = /* GraphQL */ `query ByEmail($email: String!) { customers(first: 5, filter: { email: $email }) { nodes { id email name } } }`;
/** Every conversation of the page selects its (nullable) customer: with their table gone, one failing field per conversation. */
const pageWithCustomers = /* GraphQL */ `
  query Page { conversations(first: 20) { nodes { id subject customer { email name } messages(first: 5) { nodes { body } } notes(first: 5) { nodes { body } } } } }
`;
const sqlText = /\bselect\b[^"]*\bfrom\b|\binsert into\b|\bupdate\s+"?\w+"?\s+set\b|\bdelete from\b/i;

interface LogLine {
  readonly level: string;
  readonly requestId?: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

describe('LOGS: production logs hold one line per failed request and no values, personal data or SQL', () => {
  let gateway: TestGateway;
  const logLines: string[] = [];
  beforeAll(async () => {
    gateway = await startGateway({ env: { NODE_ENV: 'production' }, logLines });
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const alterDatabase = async (sql: string) => {
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    await database.query(sql);
    await database.end();
  };

  it('LOGS-02 failing requests (many failing fields, a NUL byte, database errors quoting values, an unknown field) log at most one line each, none with an email, a name, a body, a secret or SQL', async () => {
    // Given a customer with an email and a name, conversations with message bodies and notes, and a key's secret
    const customerId = (await asAdmin(customerUpsert, { input: { email: customerEmail, name: customerName } })).body.data!.customerUpsert.customer.id as string;
    for (let index = 0; index < 10; index++) {
      const input = { subject: `Double charge ${index}`, channel: 'EMAIL', customer: { id: customerId }, firstMessage: { body: messageBody } };
      const conversationId = (await asAdmin(conversationCreate, { input })).body.data!.conversationCreate.conversation.id as string;
      expect((await asAdmin(noteCreate, { input: { conversationId, body: noteBody } })).body.errors).toBeUndefined();
    }
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['customers:read'] });
    expect((await postGraphQL(gateway.graphqlUrl, customersByEmail, { email: customerEmail }, { secret: key.secret })).body.data!.customers.nodes).toHaveLength(1);
    // and a database that refuses changes to that customer with a message quoting the row, as constraint violations do
    await alterDatabase(`
      create function refuse_customer_update() returns trigger language plpgsql as $$
      begin raise exception 'customer % (%) refused', new.email, new.name; end $$;
      create trigger refuse_customer_update before update on customers for each row execute function refuse_customer_update();
    `);
    const linesBefore = logLines.length;

    // When failing requests arrive
    const failed: Record<string, GraphQLResponse> = {
      nulByte: await asAdmin(conversationCreate, { input: { subject: `${messageBody}\u0000`, channel: 'EMAIL', customer: { email: customerEmail } } }),
      databaseErrorQuotingValues: await asAdmin(customerUpdate, { input: { id: customerId, name: renamedName } }),
      unknownField: await asAdmin(`{ customers(first: 1, filter: { email: "${customerEmail}" }) { nodes { password } } }`),
      wrongSecret: await postGraphQL(gateway.graphqlUrl, '{ viewer { scopes } }', {}, { secret: `${key.secret.slice(0, -4)}AAAA` }),
    };
    // Each conversation's notes field then fails on its own (a page reads its customers in its own statement, so those would fail it whole).
    await alterDatabase('alter table conversation_notes rename to conversation_notes_gone');
    failed.manyFailingFields = await asAdmin(pageWithCustomers);
    const failedLines = logLines.slice(linesBefore).map((line) => JSON.parse(line) as LogLine);

    // Then each failed, with one log line carrying its request id and nothing else logged meanwhile
    expect(failed.manyFailingFields.body.errors!.length).toBeGreaterThanOrEqual(10);
    expect(failed.nulByte.status).toBe(400);
    expect(failed.databaseErrorQuotingValues.body.errors![0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(failed.unknownField.status).toBe(400);
    expect(failed.wrongSecret.status).toBe(401);
    const requestIds = Object.values(failed).map((response) => response.headers.get('x-request-id'));
    expect(failedLines.map((line) => line.requestId).sort()).toEqual([...requestIds].sort());
    // and the many failing fields are counted in their one line, with the first one's type and path
    const manyFieldsLine = failedLines.find((line) => line.requestId === failed.manyFailingFields.headers.get('x-request-id'))!;
    expect(manyFieldsLine).toMatchObject({ level: 'error', errorCount: failed.manyFailingFields.body.errors!.length, err: { type: expect.any(String), code: '42P01' } });
    expect(manyFieldsLine.errorPath).toMatch(/^conversations\.nodes\.\d+\.notes$/);

    // and no line of the whole run holds personal data, a message body, a secret or SQL
    const everything = logLines.join('\n');
    for (const value of [customerEmail, customerName, renamedName, messageBody, noteBody, key.secret, gateway.adminSecret]) {
      expect(everything).not.toContain(value);
    }
    expect(everything).not.toMatch(sqlText);
  });

  it('LOGS-03 a database driver warning keeps what happened, not the statement knex wrote into its detail', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) }, { isProduction: true });
    const driverOptions = ormOptions({ databaseUrl: gateway.databaseUrl, entities: [], connectTimeoutMs: 1_000, logger }).driverOptions as { log: { warn(message: string): void } };

    // What knex writes when it drops a connection whose last query failed: its message, rewritten to hold the statement
    driverOptions.log.warn(`Connection Error: error: update "customers" set "name" = '${customerName}' where "email" = '${customerEmail}' - invalid message format`);

    expect(lines.map((line) => JSON.parse(line).driver)).toEqual(['Connection Error']);
    expect(lines.join('\n')).not.toContain(customerEmail);
  });
});
