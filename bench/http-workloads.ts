import { randomUUID } from 'node:crypto';
import type { LoadRequest } from './load';

/** Who answers a workload: the gateway (also on the machine's own Node, for the reads), the hand-written raw-SQL reference, or the peer. */
export type ContenderName = 'gateway' | 'gateway-machine-node' | 'raw' | 'postgraphile';

export interface HttpContender {
  readonly name: ContenderName;
  readonly request: LoadRequest;
  /** The answer reduced to what every contender must agree on. */
  readonly normalise: (body: any) => unknown;
}

export interface HttpWorkload {
  readonly name: string;
  /** The target this issue sets, as text for the report. */
  readonly target: string;
  /** Target throughput ratio to the raw reference, and most SQL statements per request (null: none set). */
  readonly minimumRatio: number;
  readonly maximumStatements: number | null;
  readonly contenders: readonly HttpContender[];
  /** Whether a contender's answers must be the same data as the others' (creations differ in ids). */
  readonly comparesData: boolean;
  /** Whether identical creations racing with one idempotency key must make exactly one conversation. */
  readonly checksSameKeyRace: boolean;
}

export interface WorkloadOrigins {
  readonly gateway: string;
  /** The same gateway build run by the machine's own Node; null where that is the serving Node's version. */
  readonly gatewayMachineNode: string | null;
  readonly raw: string;
  readonly postgraphile: string | null;
  readonly adminSecret: string;
  readonly workspaceId: string;
}

export const graphQL = (secret: string | null, query: string, variables: Record<string, unknown>, vary?: () => Record<string, unknown>): LoadRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
  body: JSON.stringify({ query, variables }),
  ...(vary ? { vary: () => JSON.stringify({ query, variables: vary() }) } : {}),
});

export const pageQuery = 'query Page($first: Int!) { conversations(first: $first) { nodes { id subject status customer { name email } lastMessage { body } tags } } }';
// The workspace condition lets PostgreSQL read the (workspace_id, created_at, id) index, as the gateway's query does.
const peerPageQuery = `query Page($first: Int!, $workspaceId: UUID!) { conversations(first: $first, condition: { workspaceId: $workspaceId }, orderBy: [CREATED_AT_DESC, ID_DESC]) {
  nodes { id subject status tags customer { name email } lastMessage: messages(first: 1, orderBy: [CREATED_AT_DESC, ID_DESC]) { nodes { body } } } } }`;
const byIdQuery = `query One($id: ID!) { conversation(id: $id) { id subject status customer { name email }
  messages(first: 50) { nodes { id authorType body createdAt } } } }`;
const peerByIdQuery = `query One($id: String!) { conversation(id: $id) { id subject status customer { name email }
  messages(first: 50, orderBy: [CREATED_AT_ASC, ID_ASC]) { nodes { id authorType body createdAt } } } }`;
const createMutation = `mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id subject status channel priority } } }`;

type PageNode = { id: string; subject: string; status: string; tags: string[]; customer: { name: string; email: string } | null; lastMessage: { body: string } | null };
const normalisePage = (nodes: PageNode[]) => nodes.map((node) => ({ ...node, status: node.status.toUpperCase() }));
const normaliseConversation = (conversation: any) =>
  conversation && {
    ...conversation,
    status: conversation.status.toUpperCase(),
    messages: conversation.messages.nodes.map((message: any) => ({ ...message, authorType: message.authorType.toUpperCase(), createdAt: new Date(message.createdAt).toISOString() })),
  };
const normaliseCreated = (conversation: any) => ({ ...conversation, id: typeof conversation.id });

/** The HTTP workloads, each answered by the gateway, the raw reference and (for reads) PostGraphile. */
export function httpWorkloads(origins: WorkloadOrigins, conversationId: string): HttpWorkload[] {
  const secret = origins.adminSecret;
  // The reads again from the gateway on the machine's Node (Node 20 here), to compare the two in one run.
  const readContenders = (contenders: HttpContender[], peer: HttpContender) => {
    const [gateway, ...others] = contenders;
    const onMachineNode = origins.gatewayMachineNode ? [{ ...gateway, name: 'gateway-machine-node' as const }] : [];
    return [gateway, ...onMachineNode, ...others, ...(origins.postgraphile ? [peer] : [])];
  };
  const replayKey = `bench-replay-${randomUUID()}`;
  const createInput = (idempotencyKey: string) => ({ subject: 'Bench: created', channel: 'API', idempotencyKey });
  return [
    {
      name: 'page of 50 conversations with customer and last message',
      target: '≥ 0.8× raw; ≤ 3 statements, equal for pages of 10 and 100',
      minimumRatio: 0.8,
      maximumStatements: 3,
      comparesData: true,
      checksSameKeyRace: false,
      contenders: readContenders(
        [
          { name: 'gateway', request: graphQL(secret, pageQuery, { first: 50 }), normalise: (body) => normalisePage(body.data.conversations.nodes) },
          { name: 'raw', request: { method: 'GET', path: '/conversations?first=50' }, normalise: (body) => normalisePage(body.data.conversations.nodes) },
        ],
        {
          name: 'postgraphile',
          request: graphQL(null, peerPageQuery, { first: 50, workspaceId: origins.workspaceId }),
          normalise: (body) => normalisePage(body.data.conversations.nodes.map((node: any) => ({ ...node, lastMessage: node.lastMessage.nodes[0] ?? null }))),
        },
      ),
    },
    {
      name: 'one conversation by id with messages',
      target: '≥ 0.7× raw; ≤ 2 statements',
      minimumRatio: 0.7,
      maximumStatements: 2,
      comparesData: true,
      checksSameKeyRace: false,
      contenders: readContenders(
        [
          { name: 'gateway', request: graphQL(secret, byIdQuery, { id: conversationId }), normalise: (body) => normaliseConversation(body.data.conversation) },
          { name: 'raw', request: { method: 'GET', path: `/conversation?id=${conversationId}` }, normalise: (body) => normaliseConversation(body.data.conversation) },
        ],
        { name: 'postgraphile', request: graphQL(null, peerByIdQuery, { id: conversationId }), normalise: (body) => normaliseConversation(body.data.conversation) },
      ),
    },
    {
      name: 'conversationCreate with a fresh idempotency key',
      target: '≥ 0.5× raw',
      minimumRatio: 0.5,
      maximumStatements: null,
      comparesData: false,
      checksSameKeyRace: false,
      contenders: [
        {
          name: 'gateway',
          request: graphQL(secret, createMutation, { input: createInput('first') }, () => ({ input: createInput(randomUUID()) })),
          normalise: (body) => normaliseCreated(body.data.conversationCreate.conversation),
        },
        {
          name: 'raw',
          request: { method: 'POST', path: '/conversations', body: JSON.stringify(createInput('first')), vary: () => JSON.stringify(createInput(randomUUID())) },
          normalise: (body) => normaliseCreated(body.data.conversationCreate.conversation),
        },
      ],
    },
    {
      name: 'conversationCreate with a replayed idempotency key',
      target: '≥ 0.7× raw; zero duplicates under same-key races',
      minimumRatio: 0.7,
      maximumStatements: null,
      comparesData: false,
      checksSameKeyRace: true,
      contenders: [
        {
          name: 'gateway',
          request: graphQL(secret, createMutation, { input: createInput(replayKey) }),
          normalise: (body) => normaliseCreated(body.data.conversationCreate.conversation),
        },
        {
          name: 'raw',
          request: { method: 'POST', path: '/conversations', body: JSON.stringify(createInput(replayKey)) },
          normalise: (body) => normaliseCreated(body.data.conversationCreate.conversation),
        },
      ],
    },
  ];
}

/** The same-key race: `concurrency` identical creations at once must all answer the one conversation they created. */
export function raceRequest(contender: ContenderName, origins: WorkloadOrigins, subject: string): LoadRequest {
  const input = { subject, channel: 'API', idempotencyKey: `bench-race-${subject}` };
  return contender === 'gateway' ? graphQL(origins.adminSecret, createMutation, { input }) : { method: 'POST', path: '/conversations', body: JSON.stringify(input) };
}
