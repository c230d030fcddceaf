import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { buildSchema, getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { createApiKey } from '../support/api-keys';
import { postGraphQL, type GraphQLResponse } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { argumentsWith, fieldAt, findStringInputs, variableDefinitionsOf, type StringInput } from '../support/string-inputs';

/** The reviewed contract, generated from the code (a schema test keeps them equal). */
const schema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
const stringInputs = findStringInputs(schema);

/** Runs per input beyond the two fixed examples (a NUL byte, a lone surrogate): about a thousand requests in all. */
const randomRunsPerInput = 5;
const examples: [string][] = [['\u0000'], ['\ud800']];
const seed = 20261205;

/** Any code point, plus NUL and unpaired surrogate halves, which 'binary' alone never produces; some strings far over any length limit. */
const hostileCharacter = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'));
const hostileString = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: hostileCharacter, maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 256, maxLength: 20_000 }), weight: 1 },
);

/**
 * Codes that mean "fix the request": anything else, or a 5xx, fails the property. RATE_LIMITED
 * because some fields have budgets of their own (key creation, analytics) that many runs exhaust.
 */
const clientErrorCodes = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'IDEMPOTENCY_KEY_REUSED', 'RATE_LIMITED']);

interface Fixture {
  readonly customerId: string;
  readonly conversationId: string;
  readonly keyId: string;
  readonly revocableKeyId: string;
  readonly endpointId: string;
  readonly deletableEndpointId: string;
  readonly agentId: string;
  readonly teamId: string;
}

const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-31T00:00:00.000Z' };

/** Valid arguments of each field under test; strings under test are put into them one at a time. */
const baselinesOf = (f: Fixture): Record<string, Record<string, unknown>> => ({
  apiKeyCreate: { input: { name: 'probe', scopes: ['conversations:read'] } },
  apiKeyUpdate: { input: { id: f.keyId } },
  apiKeyRotate: { input: { id: f.keyId, previousSecretExpiresInSeconds: 0 } },
  apiKeyRevoke: { input: { id: f.revocableKeyId } },
  clientTokenCreate: { input: { scopes: ['conversations:read'] } },
  customersBatchUpsert: { input: { operations: [{ email: 'batch-probe@example.com' }] } },
  bulkExportCreate: { input: { query: '{ customers(first: 1) { nodes { id } } }' } },
  bulkExportCancel: { input: { id: 'bex_unknown' } },
  customerDelete: { input: { id: 'cus_unknown' } },
  customerErase: { input: { id: f.customerId } },
  customerMerge: { input: { sourceId: 'cus_unknown', targetId: f.customerId } },
  conversationDelete: { input: { id: 'conv_unknown' } },
  customerUpsert: { input: { email: 'probe@example.com' } },
  customerUpdate: { input: { id: f.customerId } },
  customerNoteCreate: { input: { customerId: f.customerId, body: 'A note' } },
  conversationCreate: { input: { subject: 'Probe', channel: 'EMAIL' } },
  conversationUpdate: { input: { id: f.conversationId } },
  conversationAssign: { input: { id: f.conversationId } },
  conversationEscalate: { input: { id: f.conversationId, reason: 'Probe' } },
  conversationResolve: { input: { id: f.conversationId } },
  conversationReopen: { input: { id: f.conversationId } },
  conversationsBatchUpdate: { input: { operations: [{ id: f.conversationId }] } },
  messageCreate: { input: { conversationId: f.conversationId, body: 'Hello', authorType: 'CUSTOMER' } },
  conversationNoteCreate: { input: { conversationId: f.conversationId, body: 'A note' } },
  satisfactionFeedbackCreate: { input: { conversationId: f.conversationId, rating: 5 } },
  webhookEndpointCreate: { input: { url: 'http://127.0.0.1:9999/probe', isEnabled: false } },
  webhookEndpointUpdate: { input: { id: f.endpointId } },
  webhookEndpointDelete: { input: { id: f.deletableEndpointId } },
  webhookEndpointRotateSecret: { input: { id: f.endpointId, previousSecretExpiresInSeconds: 0 } },
  webhookEndpointTest: { input: { id: f.endpointId } },
  webhookDeliveryRetry: { input: { deliveryId: 'whd_unknown' } },
  webhookEventsReplay: { input: { endpointId: f.endpointId, since: range.from } },
  agentCreate: { input: { name: 'Probe', email: 'probe-agent@example.com' } },
  agentUpdate: { input: { id: f.agentId } },
  agentDeactivate: { input: { id: 'agt_unknown' } },
  teamCreate: { input: { name: 'Probe' } },
  businessCalendarCreate: { input: { name: 'Probe', timeZone: 'UTC', weeklyHours: [{ day: 1, opens: '09:00', closes: '17:00' }], holidays: [] } },
  slaPolicyCreate: { input: { name: 'Probe', targets: [{ priority: 'LOW', firstResponseMinutes: 60, nextResponseMinutes: null, resolutionMinutes: null }] } },
  slaPolicyUpdate: { input: { id: 'sla_unknown' } },
  slaPolicyDelete: { input: { id: 'sla_unknown' } },
  teamUpdate: { input: { id: f.teamId, name: 'Probe' } },
  webhookEventResend: { input: { endpointId: f.endpointId, eventId: 'evt_unknown' } },
  webhookEndpointRecover: { input: { endpointId: f.endpointId, since: range.from } },
  conversations: { first: 5 },
  customers: { first: 5 },
  events: { first: 5 },
  satisfactionFeedbacks: { first: 5 },
  'analytics.summary': { range },
  'analytics.conversationSeries': { range, groupLimit: 5, timeZone: 'UTC', interval: 'DAY' },
});

/**
 * The object a mutation returns that holds the input's field under the same name, e.g.
 * `conversationCreate` → `conversation.subject` for `input.subject`: the value to read back.
 */
function readBackOf(input: StringInput): { payloadField: string; type: GraphQLObjectType; field: string } | undefined {
  if (input.operation !== 'mutation' || input.path.length !== 2) return undefined;
  const field = String(input.path[1]);
  const payload = getNamedType(fieldAt(schema, input).type) as GraphQLObjectType;
  for (const candidate of Object.values(payload.getFields())) {
    const type = getNamedType(candidate.type);
    if (!isObjectType(type) || !type.getFields().id || !type.getInterfaces().some((face) => face.name === 'Node')) continue;
    const target = type.getFields()[field];
    if (target && getNamedType(target.type).name === 'String') return { payloadField: candidate.name, type, field };
  }
  return undefined;
}

function documentOf(input: StringInput, args: Record<string, unknown>): string {
  const field = fieldAt(schema, input);
  const readBack = readBackOf(input);
  const call = `${field.name}(${field.args.filter((a) => a.name in args).map((a) => `${a.name}: $${a.name}`).join(', ')})`;
  const selection = readBack ? `{ ${readBack.payloadField} { id } }` : isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
  const [parent] = input.field.split('.');
  const body = input.field.includes('.') ? `${parent} { ${call} ${selection} }` : `${call} ${selection}`;
  return `${input.operation} Probe(${variableDefinitionsOf(field.args, args)}) { ${body} }`;
}

describe('INPUT: arbitrary strings in every String and ID input of the mutations and filters', () => {
  let gateway: TestGateway;
  let baselines: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    // About a thousand requests from one key: far above the default rate limit.
    gateway = await startGateway({ env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', DEFAULT_RATE_LIMIT: '100000/min' } });
    const data = async (query: string, variables: Record<string, unknown>) => {
      const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
      if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
      return response.body.data!;
    };
    const customer = await data('mutation($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }', { input: { email: 'fixture@example.com', name: 'Fixture' } });
    const conversation = await data('mutation($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id } } }', {
      input: { subject: 'Fixture', channel: 'EMAIL', customer: { id: customer.customerUpsert.customer.id } },
    });
    const endpoint = () => data('mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id } } }', { input: { url: 'http://127.0.0.1:9999/fixture', isEnabled: false } });
    baselines = baselinesOf({
      customerId: customer.customerUpsert.customer.id,
      conversationId: conversation.conversationCreate.conversation.id,
      keyId: (await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] })).id,
      revocableKeyId: (await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] })).id,
      endpointId: (await endpoint()).webhookEndpointCreate.webhookEndpoint.id,
      deletableEndpointId: (await endpoint()).webhookEndpointCreate.webhookEndpoint.id,
      agentId: (await data('mutation { agentCreate(input: { name: "Fixture", email: "fixture-agent@example.com" }) { agent { id } } }', {})).agentCreate.agent.id,
      teamId: (await data('mutation { teamCreate(input: { name: "Fixture" }) { team { id } } }', {})).teamCreate.team.id,
    });
  });
  afterAll(() => gateway.stop());

  it('INPUT-10 the inputs are derived from the schema, and each field under test has valid baseline arguments', () => {
    const fields = new Set(stringInputs.map((input) => input.field));
    expect(stringInputs.length).toBeGreaterThan(60);
    expect(stringInputs).toContainEqual({ operation: 'mutation', field: 'conversationCreate', path: ['input', 'firstMessage', 'attachments', 0, 'filename'] });
    expect(stringInputs).toContainEqual({ operation: 'query', field: 'analytics.summary', path: ['filter', 'tags', 0] });
    expect([...fields].filter((field) => !(field in baselines))).toEqual([]);
  });

  /** Checks one answer; returns a description of what is wrong, or undefined. */
  const problemOf = async (input: StringInput, value: string, response: GraphQLResponse): Promise<string | undefined> => {
    if (response.status >= 500) return `HTTP ${response.status}`;
    if (response.headers.get('retry-after') !== null && response.status !== 429) return 'Retry-After on a bad input';
    for (const error of response.body.errors ?? []) {
      const { code, isRetryable, fieldErrors } = error.extensions;
      if (isRetryable) return `retryable ${code}`;
      if (!clientErrorCodes.has(code)) return `code ${code}: ${error.message}`;
      if (code === 'BAD_USER_INPUT' && !(Array.isArray(fieldErrors) && fieldErrors.length > 0 && fieldErrors.every((e: { field?: unknown }) => typeof e.field === 'string' && e.field.length > 0))) {
        return `BAD_USER_INPUT without a fieldErrors path: ${error.message}`;
      }
    }
    const readBack = readBackOf(input);
    if (response.body.errors || !readBack) return undefined;
    const id = (response.body.data![input.field] as Record<string, { id: string }>)[readBack.payloadField].id;
    const stored = await postGraphQL(gateway.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on ${readBack.type.name} { ${readBack.field} } } }`, { id }, { secret: gateway.adminSecret });
    const actual = (stored.body.data?.node as Record<string, unknown> | null)?.[readBack.field];
    return actual === value ? undefined : `stored ${JSON.stringify(actual)} for ${JSON.stringify(value)}`;
  };

  it('INPUT-11 every input answers an arbitrary string with success that reads back exactly, or a 4xx code with a fieldErrors path: never a 5xx, INTERNAL_SERVER_ERROR or a retry', async () => {
    const failures: string[] = [];
    for (const input of stringInputs) {
      const property = fc.asyncProperty(hostileString, async (value) => {
        const args = argumentsWith(schema, input, baselines[input.field], value);
        const response = await postGraphQL(gateway.graphqlUrl, documentOf(input, args), args, { secret: gateway.adminSecret });
        const problem = await problemOf(input, value, response);
        if (problem) throw new Error(problem);
      });
      const details = await fc.check(property, { seed, numRuns: examples.length + randomRunsPerInput, examples, endOnFailure: true });
      if (details.failed) failures.push(`${input.field} ${input.path.join('.')}: ${String((details.errorInstance as Error)?.message)} with ${JSON.stringify(details.counterexample)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
