import { Client } from 'pg';
import type { EventType } from '../../src/modules/events/event-catalogue';
import { postGraphQL } from './graphql-client';
import { seedAgents } from './seed-support-data';
import { startGateway, type TestGateway } from './start-gateway';

/** Runs one operation with the workspace's admin key and returns its data; throws on any error. */
export type AdminCall = (query: string, variables?: Record<string, unknown>) => Promise<Record<string, any>>;

export interface ExampleContext {
  readonly admin: AdminCall;
  /** An agent of the workspace (agents are seeded, not created through the API). */
  readonly agentId: string;
  /** Distinguishes what each example creates (emails, names). */
  readonly unique: string;
}

export interface MutationExample {
  readonly mutation: string;
  /** What the call does, for the test name. */
  readonly situation: string;
  /** Creates what the call needs, through the API, and returns a valid input for it. */
  readonly prepare: (context: ExampleContext) => Promise<Record<string, unknown>>;
  /** The event types one call records, in sequence order: exactly these and nothing else. */
  readonly records: readonly EventType[];
}

export interface ExampleGateway {
  readonly gateway: TestGateway;
  readonly database: Client;
  readonly context: Omit<ExampleContext, 'unique'>;
  stop(): Promise<void>;
}

/**
 * A gateway for running examples: its dispatcher stays idle, so nothing but the call under test
 * writes; a client on its database; its admin key and a seeded agent for `prepare`.
 */
export async function startExampleGateway(): Promise<ExampleGateway> {
  // No export runs here either: an export created by an example stays CREATED, recording nothing.
  const gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', BULK_EXPORT_CONCURRENCY: '0' } });
  const database = new Client({ connectionString: gateway.databaseUrl });
  await database.connect();
  const { agentIds } = await seedAgents(gateway.databaseUrl);
  const admin: AdminCall = async (query, variables = {}) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
    if (response.body.errors) throw new Error(`${query}: ${JSON.stringify(response.body.errors)}`);
    return response.body.data!;
  };
  return {
    gateway,
    database,
    context: { admin, agentId: agentIds[0] },
    async stop() {
      await database.end();
      await gateway.stop();
    },
  };
}

/** `.invalid` never resolves (RFC 2606); endpoints of these examples are never delivered to. */
const receiverUrl = 'https://receiver.invalid/hooks';

const openConversation = async ({ admin, unique }: ExampleContext, extra = ''): Promise<string> =>
  (await admin(`mutation { conversationCreate(input: { subject: "Example ${unique}", channel: API ${extra} }) { conversation { id } } }`)).conversationCreate.conversation.id;
const resolvedConversation = async (context: ExampleContext): Promise<string> => {
  const id = await openConversation(context);
  await context.admin(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id });
  return id;
};
const customer = async ({ admin, unique }: ExampleContext): Promise<string> =>
  (await admin(`mutation C($email: String!) { customerUpsert(input: { email: $email }) { customer { id } } }`, { email: `${unique}@example.com` })).customerUpsert.customer.id;
const apiKey = async ({ admin, unique }: ExampleContext): Promise<string> =>
  (await admin(`mutation K($name: String!) { apiKeyCreate(input: { name: $name, scopes: ["keys:read"] }) { apiKey { id } } }`, { name: unique })).apiKeyCreate.apiKey.id;
const endpoint = async ({ admin }: ExampleContext, isEnabled = false): Promise<string> =>
  (await admin(`mutation E($url: String!, $isEnabled: Boolean!) { webhookEndpointCreate(input: { url: $url, isEnabled: $isEnabled }) { webhookEndpoint { id } } }`, { url: receiverUrl, isEnabled }))
    .webhookEndpointCreate.webhookEndpoint.id;

const slaTargets = { priority: 'URGENT', firstResponseMinutes: 15, nextResponseMinutes: null, resolutionMinutes: 240 };
const slaPolicy = async ({ admin }: ExampleContext): Promise<string> =>
  (await admin(`mutation P($targets: [SlaTargetsInput!]!) { slaPolicyCreate(input: { name: "Example", targets: $targets }) { slaPolicy { id } } }`, { targets: [slaTargets] })).slaPolicyCreate.slaPolicy.id;
const team = async ({ admin, unique }: ExampleContext): Promise<string> =>
  (await admin(`mutation T($name: String!) { teamCreate(input: { name: $name }) { team { id } } }`, { name: `Team ${unique}` })).teamCreate.team.id;
const agent = async ({ admin, unique }: ExampleContext): Promise<string> =>
  (await admin(`mutation A($email: String!) { agentCreate(input: { name: "Agent", email: $email }) { agent { id } } }`, { email: `${unique}-agent@example.com` })).agentCreate.agent.id;

/** The admin key's new export; exports it left waiting are canceled first (one at a time per key). */
const bulkExport = async ({ admin }: ExampleContext): Promise<string> => {
  const waiting = (await admin('{ bulkExports(first: 100) { nodes { id status } } }')).bulkExports.nodes.filter((node: { status: string }) => node.status === 'CREATED' || node.status === 'RUNNING');
  for (const { id } of waiting) await admin('mutation X($id: ID!) { bulkExportCancel(input: { id: $id }) { bulkExport { id } } }', { id });
  return (await admin(`mutation { bulkExportCreate(input: { query: "{ customers { nodes { id } } }" }) { bulkExport { id } } }`)).bulkExportCreate.bulkExport.id;
};

/**
 * A valid call of every mutation, and the events it records. The event-catalogue test runs each
 * and compares the events; the scope test calls them with keys lacking the scope.
 */
export const mutationExamples: readonly MutationExample[] = [
  { mutation: 'conversationCreate', situation: 'with no customer', prepare: async ({ unique }) => ({ subject: unique, channel: 'API' }), records: ['conversation.created'] },
  {
    mutation: 'conversationCreate',
    situation: 'for a new customer, with a first message',
    prepare: async ({ unique }) => ({ subject: unique, channel: 'EMAIL', customer: { email: `${unique}@example.com` }, firstMessage: { body: 'Hello' } }),
    records: ['customer.created', 'conversation.created', 'message.created'],
  },
  { mutation: 'conversationUpdate', situation: 'changing the priority', prepare: async (context) => ({ id: await openConversation(context), priority: 'HIGH' }), records: ['conversation.updated'] },
  {
    mutation: 'conversationUpdate',
    situation: 'tagging and assigning at once',
    prepare: async (context) => ({ id: await openConversation(context), tagsAdd: ['vip'], assigneeId: context.agentId }),
    records: ['conversation.updated', 'conversation.assigned'],
  },
  { mutation: 'conversationUpdate', situation: 'to PENDING', prepare: async (context) => ({ id: await openConversation(context), status: 'PENDING' }), records: ['conversation.updated'] },
  { mutation: 'conversationUpdate', situation: 'to ESCALATED', prepare: async (context) => ({ id: await openConversation(context), status: 'ESCALATED' }), records: ['conversation.escalated'] },
  { mutation: 'conversationUpdate', situation: 'a resolved one to OPEN', prepare: async (context) => ({ id: await resolvedConversation(context), status: 'OPEN' }), records: ['conversation.reopened'] },
  { mutation: 'conversationAssign', situation: 'to an agent', prepare: async (context) => ({ id: await openConversation(context), assigneeId: context.agentId }), records: ['conversation.assigned'] },
  { mutation: 'conversationEscalate', situation: 'with a reason', prepare: async (context) => ({ id: await openConversation(context), reason: 'Refund above limit' }), records: ['conversation.escalated'] },
  { mutation: 'conversationResolve', situation: 'an open conversation', prepare: async (context) => ({ id: await openConversation(context) }), records: ['conversation.resolved'] },
  { mutation: 'conversationReopen', situation: 'a resolved conversation', prepare: async (context) => ({ id: await resolvedConversation(context) }), records: ['conversation.reopened'] },
  {
    mutation: 'conversationsBatchUpdate',
    situation: 'tagging one conversation and resolving another',
    prepare: async (context) => ({ operations: [{ id: await openConversation(context), tagsAdd: ['batch'] }, { id: await openConversation(context), status: 'RESOLVED' }] }),
    records: ['conversation.updated', 'conversation.resolved'],
  },
  { mutation: 'messageCreate', situation: 'from the customer', prepare: async (context) => ({ conversationId: await openConversation(context), body: 'Any news?' }), records: ['message.created'] },
  { mutation: 'conversationNoteCreate', situation: 'an internal note', prepare: async (context) => ({ conversationId: await openConversation(context), body: 'Called them' }), records: ['conversation.note_created'] },
  { mutation: 'customerUpsert', situation: 'of a new email', prepare: async ({ unique }) => ({ email: `${unique}@example.com`, name: 'New' }), records: ['customer.created'] },
  { mutation: 'customersBatchUpsert', situation: 'of one new email', prepare: async ({ unique }) => ({ operations: [{ email: `${unique}@example.com`, name: 'New' }] }), records: ['customer.created'] },
  {
    mutation: 'customerUpsert',
    situation: 'of a known email with a new name',
    prepare: async (context) => (await customer(context), { email: `${context.unique}@example.com`, name: 'Renamed' }),
    records: ['customer.updated'],
  },
  { mutation: 'customerDelete', situation: 'a customer', prepare: async (context) => ({ id: await customer(context) }), records: ['customer.deleted'] },
  { mutation: 'customerErase', situation: 'a customer, blanking their messages', prepare: async (context) => ({ id: await customer(context), blankMessages: true }), records: ['customer.erased'] },
  {
    mutation: 'customerMerge',
    situation: 'a duplicate into another',
    prepare: async (context) => ({ sourceId: await customer(context), targetId: await customer({ ...context, unique: `${context.unique}-target` }) }),
    records: ['customer.merged'],
  },
  { mutation: 'conversationDelete', situation: 'an open conversation', prepare: async (context) => ({ id: await openConversation(context) }), records: ['conversation.deleted'] },
  { mutation: 'customerUpdate', situation: 'renaming', prepare: async (context) => ({ id: await customer(context), name: 'Renamed' }), records: ['customer.updated'] },
  { mutation: 'customerNoteCreate', situation: 'a note', prepare: async (context) => ({ customerId: await customer(context), body: 'VIP' }), records: ['customer.note_created'] },
  {
    mutation: 'satisfactionFeedbackCreate',
    situation: 'a rating of a conversation',
    prepare: async (context) => ({ conversationId: await openConversation(context, `, customer: { email: "${context.unique}@example.com" }`), rating: 5, comment: 'Quick' }),
    records: ['customer.satisfaction_feedback'],
  },
  { mutation: 'apiKeyCreate', situation: 'a read-only key', prepare: async ({ unique }) => ({ name: unique, scopes: ['keys:read'] }), records: ['api_key.created'] },
  { mutation: 'apiKeyUpdate', situation: 'renaming (audited, not an event)', prepare: async (context) => ({ id: await apiKey(context), name: 'Renamed' }), records: [] },
  { mutation: 'apiKeyRotate', situation: 'with a grace period', prepare: async (context) => ({ id: await apiKey(context), previousSecretExpiresInSeconds: 60 }), records: ['api_key.rotated'] },
  { mutation: 'apiKeyRevoke', situation: 'an active key', prepare: async (context) => ({ id: await apiKey(context) }), records: ['api_key.revoked'] },
  { mutation: 'clientTokenCreate', situation: 'a token for a browser (stored nowhere)', prepare: async () => ({ scopes: ['conversations:read'] }), records: [] },
  { mutation: 'webhookEndpointCreate', situation: 'a disabled endpoint', prepare: async () => ({ url: receiverUrl, isEnabled: false }), records: [] },
  { mutation: 'webhookEndpointUpdate', situation: 'its description', prepare: async (context) => ({ id: await endpoint(context), description: 'CRM' }), records: [] },
  { mutation: 'webhookEndpointDelete', situation: 'an endpoint', prepare: async (context) => ({ id: await endpoint(context) }), records: [] },
  { mutation: 'webhookEndpointRotateSecret', situation: 'with a grace period', prepare: async (context) => ({ id: await endpoint(context), previousSecretExpiresInSeconds: 60 }), records: [] },
  { mutation: 'webhookEndpointTest', situation: 'an enabled endpoint', prepare: async (context) => ({ id: await endpoint(context, true) }), records: ['webhook.test'] },
  {
    mutation: 'webhookDeliveryRetry',
    situation: 'a pending delivery',
    prepare: async (context) => {
      const id = await endpoint(context, true);
      return { deliveryId: (await context.admin(`mutation T($id: ID!) { webhookEndpointTest(input: { id: $id }) { delivery { id } } }`, { id })).webhookEndpointTest.delivery.id };
    },
    records: [],
  },
  { mutation: 'bulkExportCreate', situation: 'an export (its events come when it ends: EXPORT-09)', prepare: async (context) => { await bulkExport(context).then((id) => context.admin('mutation X($id: ID!) { bulkExportCancel(input: { id: $id }) { bulkExport { id } } }', { id })); return { query: '{ conversations { nodes { id subject } } }' }; }, records: [] },
  { mutation: 'bulkExportCancel', situation: 'a waiting export', prepare: async (context) => ({ id: await bulkExport(context) }), records: [] },
  { mutation: 'webhookEventsReplay', situation: 'of the last hour', prepare: async (context) => ({ endpointId: await endpoint(context), since: new Date(Date.now() - 3_600_000).toISOString() }), records: [] },
  {
    mutation: 'webhookEventResend',
    situation: 'an event the endpoint receives',
    prepare: async (context) => {
      const endpointId = await endpoint(context, true);
      const conversationId = await openConversation(context);
      const events = (await context.admin(`{ events(last: 20) { nodes { id data } } }`)).events.nodes as { id: string; data: { conversation?: { id: string } } }[];
      return { endpointId, eventId: events.find((event) => event.data.conversation?.id === conversationId)!.id };
    },
    records: [],
  },
  { mutation: 'agentCreate', situation: 'an agent in a team', prepare: async (context) => ({ name: 'New agent', email: `${context.unique}@agents.example.com`, teamId: await team(context) }), records: [] },
  { mutation: 'agentUpdate', situation: 'moving an agent to another team', prepare: async (context) => ({ id: await agent(context), teamId: await team(context) }), records: [] },
  { mutation: 'agentDeactivate', situation: 'an agent without open conversations', prepare: async (context) => ({ id: await agent(context) }), records: [] },
  {
    mutation: 'agentDeactivate',
    situation: 'an agent with an open conversation, which is unassigned',
    prepare: async (context) => {
      const id = await agent(context);
      await openConversation(context, `assigneeId: "${id}"`);
      return { id };
    },
    records: ['conversation.assigned'],
  },
  {
    mutation: 'businessCalendarCreate',
    situation: 'weekday office hours',
    prepare: async () => ({ name: 'Office', timeZone: 'Europe/Berlin', weeklyHours: [{ day: 1, opens: '09:00', closes: '17:00' }], holidays: ['2026-12-25'] }),
    records: [],
  },
  { mutation: 'slaPolicyCreate', situation: 'targets for urgent conversations', prepare: async () => ({ name: 'Urgent', targets: [slaTargets] }), records: [] },
  { mutation: 'slaPolicyUpdate', situation: 'renaming a policy', prepare: async (context) => ({ id: await slaPolicy(context), name: 'Renamed' }), records: [] },
  { mutation: 'slaPolicyDelete', situation: 'a policy', prepare: async (context) => ({ id: await slaPolicy(context) }), records: [] },
  { mutation: 'teamCreate', situation: 'a team', prepare: async () => ({ name: 'Billing' }), records: [] },
  { mutation: 'teamUpdate', situation: 'renaming a team', prepare: async (context) => ({ id: await team(context), name: 'Renamed' }), records: [] },
  { mutation: 'webhookEndpointRecover', situation: 'of the last hour', prepare: async (context) => ({ endpointId: await endpoint(context, true), since: new Date(Date.now() - 3_600_000).toISOString() }), records: [] },
];

/** Event types no mutation records, and the tests that pin who does. */
export const eventsRecordedOutsideMutations: Partial<Record<EventType, string>> = {
  'webhook_endpoint.disabled': 'the webhook dispatcher (HOOK-03, HOOK-10)',
  'webhook_delivery.exhausted': 'the webhook dispatcher (WHREC-03, WHREC-06, WHREC-11)',
  'api_key.usage_spike': 'the usage spike job (SPIKE-01)',
  'conversation.sla_warning': 'the SLA check (SLA-02)',
  'conversation.sla_breached': 'the SLA check (SLA-02)',
  'webhook_endpoint.failing': 'the webhook dispatcher (WHREC-03, WHREC-07)',
  'webhook_endpoint.recovered': 'the webhook dispatcher (WHREC-03, WHREC-07)',
  'bulk_export.completed': 'the export runner (EXPORT-09)',
  'bulk_export.failed': 'the export runner (EXPORT-09)',
};
