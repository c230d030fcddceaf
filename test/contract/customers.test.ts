import { createApiKey } from '../support/api-keys';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';

const customerFields = 'id name email phone locale tags customAttributes externalIds { system externalId } createdAt updatedAt';
const upsertMutation = /* GraphQL */ `
  mutation Upsert($input: CustomerUpsertInput!) { customerUpsert(input: $input) { wasCreated customer { ${customerFields} } } }
`;
const updateMutation = /* GraphQL */ `
  mutation Update($input: CustomerUpdateInput!) { customerUpdate(input: $input) { customer { ${customerFields} } } }
`;
const noteCreateMutation = /* GraphQL */ `
  mutation Note($input: CustomerNoteCreateInput!) { customerNoteCreate(input: $input) { note { id customerId author body createdAt } customer { id } } }
`;
const customerQuery = /* GraphQL */ `
  query Customer($id: ID!, $notesAfter: String) {
    customer(id: $id) { id notes(first: 2, after: $notesAfter) { nodes { body } pageInfo { endCursor } } }
  }
`;
const customersQuery = /* GraphQL */ `
  query Customers($filter: CustomerFilter, $orderBy: CustomerOrder, $first: Int, $after: String, $last: Int, $before: String) {
    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('CUS: customers, the CRM sync primitive', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  /** Waits until the clock is past `timestamp`, so the next write sorts strictly after it whatever the clock's resolution. */
  const passTime = (timestamp: string) => pollUntil(async () => Date.now() > Date.parse(timestamp), { timeoutMs: 1000, intervalMs: 1, description: `the clock to pass ${timestamp}` });
  const upsert = async (input: Record<string, unknown>) => {
    const { body } = await asAdmin(upsertMutation, { input });
    if (body.data?.customerUpsert) await passTime(body.data.customerUpsert.customer.updatedAt);
    return body;
  };
  const createNote = async (customerId: string, body: string, idempotencyKey?: string) => {
    const response = await asAdmin(noteCreateMutation, { input: { customerId, body, idempotencyKey } });
    if (response.body.data?.customerNoteCreate) await passTime(response.body.data.customerNoteCreate.note.createdAt);
    return response.body;
  };
  const listIds = async (variables: Record<string, unknown>): Promise<string[]> => (await asAdmin(customersQuery, { first: 100, ...variables })).body.data!.customers.nodes.map((node: { id: string }) => node.id);
  const countRows = async (sql: string, params: unknown[] = []): Promise<number> => {
    const [row] = await gateway.app.orm.em.fork().execute<{ count: string }[]>(sql, params);
    return Number(row.count);
  };
  const countWrites = async () => ({
    customers: await countRows('select count(*) from customers'),
    events: await countRows('select count(*) from events'),
    idempotencyRecords: await countRows('select count(*) from idempotency_records'),
  });
  const eventsOf = (type: string, customerId: string) => countRows(`select count(*) from events where type = ? and data->'customer'->>'id' = ?`, [type, customerId]);

  it('CUS-01 upserting one external id twice returns the same customer; the second call updates it', async () => {
    const first = await upsert({ externalId: { system: 'salesforce', externalId: '003-A' }, name: 'Ada', email: 'ada@example.com' });
    const second = await upsert({ externalId: { system: 'salesforce', externalId: '003-A' }, name: 'Ada Lovelace', phone: '+14155550123' });
    expect(first.data!.customerUpsert.wasCreated).toBe(true);
    expect(second.data!.customerUpsert).toMatchObject({
      wasCreated: false,
      customer: { id: first.data!.customerUpsert.customer.id, name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550123', externalIds: [{ system: 'salesforce', externalId: '003-A' }] },
    });
    const id = first.data!.customerUpsert.customer.id;
    expect([await eventsOf('customer.created', id), await eventsOf('customer.updated', id)]).toEqual([1, 1]);
  });

  it('CUS-02 upsert by email matches case-insensitively and links the external id to that customer', async () => {
    const created = await upsert({ email: 'Grace.Hopper@Example.com', locale: 'en-us' });
    const matched = await upsert({ email: 'grace.hopper@example.COM', externalId: { system: 'hubspot', externalId: '42' } });
    expect(created.data!.customerUpsert.customer.locale).toBe('en-US');
    expect(matched.data!.customerUpsert).toMatchObject({ wasCreated: false, customer: { id: created.data!.customerUpsert.customer.id, externalIds: [{ system: 'hubspot', externalId: '42' }] } });
    const byExternalId = await upsert({ externalId: { system: 'hubspot', externalId: '42' } });
    expect(byExternalId.data!.customerUpsert.customer.id).toBe(created.data!.customerUpsert.customer.id);
  });

  it('CUS-03 ten concurrent upserts of one new external id end with one customer', async () => {
    const externalId = { system: 'salesforce', externalId: 'concurrent-1' };
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => upsert({ externalId, email: 'race@example.com', tags: [`t${index}`] })));
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const ids = new Set(results.map((result) => result.data!.customerUpsert.customer.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.data!.customerUpsert.wasCreated)).toHaveLength(1);
    expect(await listIds({ filter: { externalId } })).toEqual([...ids]);
    expect(await eventsOf('customer.created', [...ids][0])).toBe(1);
  });

  it('CUS-04 a retry with the same idempotency key replays the first payload with no second effect or event', async () => {
    const input = { email: 'retry@example.com', name: 'Retry', idempotencyKey: 'cus-04' };
    const first = await asAdmin(upsertMutation, { input });
    const retry = await asAdmin(upsertMutation, { input });
    expect(retry.body.data).toEqual(first.body.data);
    const extensionsOf = (body: object) => (body as { extensions?: { idempotency?: { replayed: boolean } } }).extensions;
    expect(extensionsOf(first.body)?.idempotency).toBeUndefined();
    expect(extensionsOf(retry.body)?.idempotency?.replayed).toBe(true);
    expect(await eventsOf('customer.created', first.body.data!.customerUpsert.customer.id)).toBe(1);
  });

  it('CUS-05 the same idempotency key with another input is IDEMPOTENCY_KEY_REUSED', async () => {
    await upsert({ email: 'reuse@example.com', idempotencyKey: 'cus-05' });
    const reused = await upsert({ email: 'reuse@example.com', name: 'Changed', idempotencyKey: 'cus-05' });
    expect(reused.errors![0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await listIds({ filter: { email: 'reuse@example.com', text: 'changed' } })).toEqual([]);
  });

  it('CUS-06 invalid email, phone, tags and oversized attributes are BAD_USER_INPUT with exact paths, and nothing is written', async () => {
    const before = await countWrites();
    const invalid = await upsert({
      email: 'not-an-email',
      phone: '555-0123',
      tags: ['ok', '#bad', ...Array.from({ length: 20 }, (_, index) => `tag${index}`)],
      customAttributes: { blob: 'x'.repeat(17 * 1024) },
      idempotencyKey: 'cus-06',
    });
    expect(invalid.data!.customerUpsert).toBeNull();
    expect(invalid.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect((invalid.errors![0].extensions.fieldErrors as { field: string }[]).map((error) => error.field)).toEqual([
      'input.email',
      'input.phone',
      'input.tags',
      'input.tags.1',
      'input.customAttributes',
    ]);
    const neither = await upsert({ name: 'Nobody' });
    expect(neither.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.externalId' }] });
    expect(await countWrites()).toEqual(before);
    const retried = await upsert({ email: 'valid@example.com', idempotencyKey: 'cus-06' });
    expect(retried.data!.customerUpsert.wasCreated).toBe(true);
  });

  it('CUS-07 a customer of another workspace is NOT_FOUND exactly like one that does not exist', async () => {
    const foreign = await createWorkspaceKey(gateway, 'other-customers', ['admin']);
    const foreignUpsert = await postGraphQL(gateway.graphqlUrl, upsertMutation, { input: { email: 'foreign@example.com' } }, { secret: foreign.secret });
    const foreignId = foreignUpsert.body.data!.customerUpsert.customer.id;
    const nonexistent = await asAdmin(customerQuery, { id: 'cus_doesnotexist0000000' });
    for (const response of [
      await asAdmin(customerQuery, { id: foreignId }),
      await asAdmin(updateMutation, { input: { id: foreignId, name: 'Hijacked' } }),
      await asAdmin(noteCreateMutation, { input: { customerId: foreignId, body: 'Hello' } }),
    ]) {
      expect(response.body.errors![0].extensions.code).toBe('NOT_FOUND');
      expect(response.body.errors![0].message).toBe(nonexistent.body.errors![0].message);
    }
    expect(await listIds({ filter: { email: 'foreign@example.com' } })).toEqual([]);
  });

  it('CUS-08 filters select by email, external id, tags, creation and update time, and full text', async () => {
    const tag = 'cus-08';
    const alan = (await upsert({ email: 'alan.turing@example.com', name: 'Alan Turing', tags: [tag, 'vip'], externalId: { system: 'stripe', externalId: 'cus_A' } })).data!.customerUpsert.customer;
    const edsger = (await upsert({ email: 'edsger@example.com', name: 'Edsger Dijkstra', tags: [tag] })).data!.customerUpsert.customer;
    expect(await listIds({ filter: { email: 'ALAN.TURING@example.com' } })).toEqual([alan.id]);
    expect(await listIds({ filter: { externalId: { system: 'stripe', externalId: 'cus_A' } } })).toEqual([alan.id]);
    expect(await listIds({ filter: { tags: [tag, 'vip'] } })).toEqual([alan.id]);
    expect(await listIds({ filter: { tags: [tag], createdAfter: edsger.createdAt } })).toEqual([edsger.id]);
    expect(await listIds({ filter: { tags: [tag], createdBefore: edsger.createdAt } })).toEqual([alan.id]);
    expect(await listIds({ filter: { text: 'dijkstra' } })).toEqual([edsger.id]);
    expect(await listIds({ filter: { text: 'turing alan' } })).toEqual([alan.id]);
    const touched = (await asAdmin(updateMutation, { input: { id: alan.id, tagsAdd: ['touched'] } })).body.data!.customerUpdate.customer;
    expect(touched.tags).toEqual([tag, 'vip', 'touched']);
    expect(await listIds({ filter: { tags: [tag], updatedAfter: touched.updatedAt } })).toEqual([alan.id]);
  });

  it('CUS-09 orderBy sorts by creation or update time in either direction, newest created first by default', async () => {
    const tag = 'cus-09';
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) ids.push((await upsert({ email: `${name}@cus09.example.com`, tags: [tag] })).data!.customerUpsert.customer.id);
    await asAdmin(updateMutation, { input: { id: ids[0], name: 'updated last' } });
    const filter = { tags: [tag] };
    expect(await listIds({ filter })).toEqual([...ids].reverse());
    expect(await listIds({ filter, orderBy: { field: 'CREATED_AT', direction: 'ASC' } })).toEqual(ids);
    expect(await listIds({ filter, orderBy: { field: 'UPDATED_AT', direction: 'DESC' } })).toEqual([ids[0], ids[2], ids[1]]);
  });

  it('CUS-10 paging forward and backward yields the same customers', async () => {
    for (let index = 0; index < 5; index++) await upsert({ email: `page${index}@cus10.example.com`, tags: ['cus-10'] });
    const variables = { filter: { tags: ['cus-10'] }, orderBy: { field: 'UPDATED_AT', direction: 'ASC' } };
    const forward: string[] = [];
    for (let after: string | null = null, hasNext = true; hasNext; ) {
      const page: any = (await asAdmin(customersQuery, { ...variables, first: 2, after })).body.data!.customers;
      forward.push(...page.nodes.map((node: { id: string }) => node.id));
      [after, hasNext] = [page.pageInfo.endCursor, page.pageInfo.hasNextPage];
    }
    const backward: string[] = [];
    for (let before: string | null = null, hasPrevious = true; hasPrevious; ) {
      const page: any = (await asAdmin(customersQuery, { ...variables, last: 2, before })).body.data!.customers;
      backward.unshift(...page.nodes.map((node: { id: string }) => node.id));
      [before, hasPrevious] = [page.pageInfo.startCursor, page.pageInfo.hasPreviousPage];
    }
    expect(forward).toHaveLength(5);
    expect(backward).toEqual(forward);
    expect(forward).toEqual(await listIds(variables));
  });

  it('CUS-11 a cursor from another list, another order or another customer, or a tampered one, is BAD_USER_INPUT', async () => {
    const keysCursor = (await asAdmin('{ apiKeys(first: 1) { pageInfo { endCursor } } }')).body.data!.apiKeys.pageInfo.endCursor;
    const customersCursor = (await asAdmin(customersQuery, { first: 1 })).body.data!.customers.pageInfo.endCursor;
    const [payload, signature] = customersCursor.split('.');
    const tampered = `${Buffer.from(JSON.stringify(['2000-01-01T00:00:00.000Z', 'cus_x'])).toString('base64url')}.${signature}`;
    for (const variables of [{ after: keysCursor }, { after: customersCursor, orderBy: { field: 'UPDATED_AT' } }, { after: tampered }, { first: null, last: 2, before: `${payload}.x${signature.slice(1)}` }]) {
      const response = await asAdmin(customersQuery, { first: 2, ...variables });
      expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    const [a, b] = await Promise.all([upsert({ email: 'notes-a@example.com' }), upsert({ email: 'notes-b@example.com' })]);
    const [idA, idB] = [a.data!.customerUpsert.customer.id, b.data!.customerUpsert.customer.id];
    for (const body of ['1', '2', '3']) await createNote(idA, body);
    const notesCursor = (await asAdmin(customerQuery, { id: idA })).body.data!.customer.notes.pageInfo.endCursor;
    expect((await asAdmin(customerQuery, { id: idA, notesAfter: notesCursor })).body.data!.customer.notes.nodes).toEqual([{ body: '1' }]);
    const foreignNotes = await asAdmin(customerQuery, { id: idB, notesAfter: notesCursor });
    expect(foreignNotes.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });
  });

  it('CUS-12 a key without customers:write is FORBIDDEN to write, with no side effect, and may still read', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['customers:read'] });
    const before = await countWrites();
    const refused = await postGraphQL(gateway.graphqlUrl, upsertMutation, { input: { email: 'forbidden@example.com', idempotencyKey: 'cus-12' } }, { secret: reader.secret });
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['customers:write']] });
    expect(await countWrites()).toEqual(before);
    const read = await postGraphQL(gateway.graphqlUrl, customersQuery, { first: 1 }, { secret: reader.secret });
    expect(read.body.errors).toBeUndefined();
  });

  it('CUS-13 customerUpdate adds and removes tags, merges attributes, relinks external ids, and refuses a taken email', async () => {
    const { id } = (await upsert({ email: 'update@example.com', tags: ['a', 'b'], customAttributes: { plan: 'pro', seats: 3 }, externalId: { system: 'zendesk', externalId: '1' } })).data!.customerUpsert.customer;
    const updated = await asAdmin(updateMutation, {
      input: { id, tagsAdd: ['c'], tagsRemove: ['a'], customAttributes: { seats: null, region: 'eu' }, externalIdsRemove: ['zendesk'], externalIdsAdd: [{ system: 'zendesk', externalId: '2' }] },
    });
    expect(updated.body.data!.customerUpdate.customer).toMatchObject({ tags: ['b', 'c'], customAttributes: { plan: 'pro', region: 'eu' }, externalIds: [{ system: 'zendesk', externalId: '2' }] });
    expect(await listIds({ filter: { externalId: { system: 'zendesk', externalId: '1' } } })).toEqual([]);
    const [row] = await gateway.app.orm.em.fork().execute('select count(*) as count from customer_external_ids where customer_id = ?', [id]);
    expect(Number(row.count)).toBe(1);
    await upsert({ email: 'taken@example.com' });
    const taken = await asAdmin(updateMutation, { input: { id, email: 'TAKEN@example.com' } });
    expect(taken.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', fieldErrors: [{ field: 'input.email' }] });
  });

  it('CUS-14 customerNoteCreate adds a note, listed newest first, with its customer.note_created event', async () => {
    const { id } = (await upsert({ email: 'noted@example.com' })).data!.customerUpsert.customer;
    const created = await createNote(id, 'Prefers email', 'cus-14');
    await createNote(id, 'Renewal in May');
    expect(created.data!.customerNoteCreate.note).toMatchObject({ customerId: id, author: expect.stringMatching(/^key_/), body: 'Prefers email' });
    expect((await asAdmin(customerQuery, { id })).body.data!.customer.notes.nodes).toEqual([{ body: 'Renewal in May' }, { body: 'Prefers email' }]);
    expect(await eventsOf('customer.note_created', id)).toBe(2);
    const blank = await createNote(id, '  ');
    expect(blank.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.body' }] });
  });
});
