import { Client } from 'pg';
import {
  ConversationCreateDocument,
  ConversationDocument,
  ConversationResolveDocument,
  ConversationsDocument,
  ConversationUpdateDocument,
  CustomerUpsertDocument,
  ViewerDocument,
  createGatewayClient,
  type ConversationCreateInput,
  type ConversationFilter,
  type ConversationsQuery,
  type GatewayClient,
  type SyncedConversationFragment,
} from '../../client';
import { createApiKey } from '../support/api-keys';
import { startGateway, type TestGateway } from '../support/start-gateway';

const backendScopes = ['conversations:read', 'conversations:write', 'customers:read', 'customers:write'];
const crmContact = { system: 'salesforce', externalId: '0035e00000AdaLov' };
const crmTicket = { system: 'salesforce', externalId: '5005e00000Case42', url: 'https://example.my.salesforce.com/5005e00000Case42' };

describe('SYNC: a CRM backend keeps its tickets in sync through the typed client', () => {
  let gateway: TestGateway;
  let database: Client;
  let crm: GatewayClient;

  beforeAll(async () => {
    gateway = await startGateway();
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { name: 'salesforce sync', scopes: backendScopes });
    crm = createGatewayClient({ url: gateway.graphqlUrl, secret: key.secret });
  });
  afterAll(async () => {
    await database?.end();
    await gateway?.stop();
  });

  const openConversation = async (subject: string, email: string) =>
    (await crm.request(ConversationCreateDocument, { input: { subject, channel: 'EMAIL', customer: { email } } })).conversationCreate!.conversation;

  /** Follows `endCursor` until the last page, the way a sync job reads every change. */
  async function collectPages(filter: ConversationFilter, pageSize: number) {
    const nodes: SyncedConversationFragment[] = [];
    const totalCounts: number[] = [];
    let after: string | null = null;
    let hasNextPage = true;
    while (hasNextPage) {
      const { conversations }: ConversationsQuery = await crm.request(ConversationsDocument, { filter, orderBy: { field: 'UPDATED_AT', direction: 'ASC' }, first: pageSize, after });
      nodes.push(...conversations!.nodes);
      totalCounts.push(conversations!.totalCount);
      ({ hasNextPage, endCursor: after } = conversations!.pageInfo);
    }
    return { nodes, totalCounts };
  }

  it('SYNC-01 a backend upserts a customer by CRM id, opens a conversation with an idempotency key, retries it safely, stores the CRM ticket id, finds it by that id, pages through every change since a time and resolves it', async () => {
    // Given the backend's key, and two conversations it last synced yesterday
    const { viewer } = await crm.request(ViewerDocument);
    expect(viewer.scopes).toEqual(expect.arrayContaining(backendScopes));
    const invoiceCopy = await openConversation('Copy of invoice 2041', 'grace@example.com');
    const passwordReset = await openConversation('Password reset link expired', 'alan@example.com');
    await database.query(`update conversations set updated_at = now() - interval '1 day' where id = any($1)`, [[invoiceCopy.id, passwordReset.id]]);
    const since = new Date().toISOString();

    // When the CRM pushes its contact, then pushes it again renamed
    const contactCreated = (await crm.request(CustomerUpsertDocument, { input: { externalId: crmContact, email: 'ada@example.com', name: 'Ada Lovelace' } })).customerUpsert!;
    const contactMatched = (await crm.request(CustomerUpsertDocument, { input: { externalId: crmContact, name: 'Ada King' } })).customerUpsert!;
    // Then the second push updates the customer the first created
    expect(contactCreated.wasCreated).toBe(true);
    expect(contactMatched).toMatchObject({ wasCreated: false, customer: { id: contactCreated.customer.id, name: 'Ada King', email: 'ada@example.com', externalIds: [crmContact] } });

    // When it opens a conversation for that contact, and retries as if the response were lost
    const subject = 'Order 1001 arrived damaged';
    const input: ConversationCreateInput = {
      subject,
      channel: 'EMAIL',
      idempotencyKey: 'salesforce:case:5005e00000Case42:open',
      customer: { externalId: crmContact },
      firstMessage: { body: 'The box was crushed and the mug inside is broken.' },
      externalRefs: [{ system: 'shop', externalId: 'order-1001' }],
    };
    const opened = await crm.rawRequest(ConversationCreateDocument, { input });
    const retried = await crm.rawRequest(ConversationCreateDocument, { input });
    // Then the retry answers with the same conversation, says so, and nothing was created twice
    const conversation = opened.data.conversationCreate!.conversation;
    expect(opened.extensions.idempotency).toBeUndefined();
    expect(retried.data.conversationCreate!.conversation.id).toBe(conversation.id);
    expect(retried.extensions.idempotency?.replayed).toBe(true);
    expect((await database.query('select count(*)::int as count from conversations where subject = $1', [subject])).rows[0].count).toBe(1);
    expect(conversation).toMatchObject({ status: 'OPEN', customer: { id: contactCreated.customer.id, email: 'ada@example.com' } });

    // When it stores the CRM ticket id, waits on the CRM, and tags the conversation as synced
    await crm.request(ConversationUpdateDocument, { input: { id: conversation.id, externalRefsAdd: [crmTicket], status: 'PENDING', tagsAdd: ['crm-synced'] } });
    // Then the ticket id finds the conversation
    const { conversations: byTicket } = await crm.request(ConversationsDocument, { filter: { externalRef: { system: crmTicket.system, externalId: crmTicket.externalId } } });
    expect(byTicket!.totalCount).toBe(1);
    expect(byTicket!.nodes[0]).toMatchObject({ id: conversation.id, status: 'PENDING', tags: ['crm-synced'], externalRefs: expect.arrayContaining([crmTicket]) });

    // Given more changes since `since`: one of yesterday's conversations again, and two new ones
    await crm.request(ConversationUpdateDocument, { input: { id: passwordReset.id, tagsAdd: ['crm-synced'] } });
    const refund = await openConversation('Refund not received', 'grace@example.com');
    const address = await openConversation('Change of delivery address', 'alan@example.com');
    const changedSince = [conversation.id, passwordReset.id, refund.id, address.id];

    // When it pages through every change since then, two at a time
    const { nodes, totalCounts } = await collectPages({ updatedAfter: since }, 2);
    // Then it reads each changed conversation exactly once, oldest change first, and nothing older
    const ids = nodes.map((node) => node.id);
    expect([...ids].sort()).toEqual([...changedSince].sort());
    expect(ids).not.toContain(invoiceCopy.id);
    expect(totalCounts).toEqual([changedSince.length, changedSince.length]);
    const updatedAts = nodes.map((node) => node.updatedAt);
    expect(updatedAts).toEqual([...updatedAts].sort());
    expect(nodes.find((node) => node.id === conversation.id)).toMatchObject({
      customer: { id: contactCreated.customer.id, email: 'ada@example.com' },
      lastMessage: { body: 'The box was crushed and the mug inside is broken.' },
      externalRefs: expect.arrayContaining([crmTicket]),
    });

    // When the CRM closes its ticket
    const resolved = (await crm.request(ConversationResolveDocument, { input: { id: conversation.id } })).conversationResolve!.conversation;
    // Then the conversation is resolved, as read back by id
    expect(resolved.status).toBe('RESOLVED');
    const readBack = (await crm.request(ConversationDocument, { id: conversation.id })).conversation;
    expect(readBack).toMatchObject({ status: 'RESOLVED', resolvedAt: expect.any(String) });
  });
});
