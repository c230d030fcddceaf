import { generateConversations, historyStartOf } from './conversations';
import { generateAgents, generateCustomerNotes, generateCustomers, generateTeams, settleCustomerDates } from './people';
import { createRandom } from './random';

/** Rows of the demo data set, keyed like the table columns in camelCase; the workspace is added on insert. */
export interface DemoTeam {
  id: string;
  name: string;
  createdAt: Date;
}

export interface DemoAgent {
  id: string;
  teamId: string;
  name: string;
  email: string;
  createdAt: Date;
}

export interface DemoCustomer {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  tags: string[];
  customAttributes: Record<string, unknown>;
  /** `{system: externalId}`; each entry is also a customer_external_ids row. */
  externalIds: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export interface DemoExternalIdRow {
  system: string;
  externalId: string;
  customerId: string;
}

export interface DemoExternalRefRow {
  system: string;
  externalId: string;
  conversationId: string;
}

export interface DemoConversation {
  id: string;
  customerId: string;
  subject: string;
  status: 'open' | 'pending' | 'escalated' | 'resolved';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  channel: string;
  inbox: string;
  assigneeId: string | null;
  teamId: string;
  tags: string[];
  metadata: Record<string, unknown>;
  /** Each entry is also a conversation_external_refs row. */
  externalRefs: { system: string; externalId: string; url: string | null }[];
  escalationReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
}

export interface DemoMessage {
  id: string;
  conversationId: string;
  authorType: 'customer' | 'agent' | 'bot' | 'system';
  authorAgentId: string | null;
  body: string;
  createdAt: Date;
}

export interface DemoConversationNote {
  id: string;
  conversationId: string;
  /** The writing agent's id: seeded notes have no API key behind them. */
  author: string;
  body: string;
  createdAt: Date;
}

export interface DemoCustomerNote {
  id: string;
  customerId: string;
  author: string;
  body: string;
  createdAt: Date;
}

export interface DemoFeedback {
  id: string;
  conversationId: string;
  customerId: string;
  rating: number;
  npsScore: number;
  comment: string | null;
  createdAt: Date;
}

export interface DemoDataSet {
  teams: DemoTeam[];
  agents: DemoAgent[];
  customers: DemoCustomer[];
  customerExternalIds: DemoExternalIdRow[];
  conversations: DemoConversation[];
  conversationExternalRefs: DemoExternalRefRow[];
  messages: DemoMessage[];
  conversationNotes: DemoConversationNote[];
  customerNotes: DemoCustomerNote[];
  satisfactionFeedback: DemoFeedback[];
}

export interface DemoDataOptions {
  /** Times are spread backwards from here. */
  readonly now: Date;
  /** Same seed, same shapes; ids are random regardless. Default 20261123. */
  readonly seed?: number;
  readonly customerCount?: number;
  readonly conversationCount?: number;
}

/** A believable support history: ~400 customers and ~3000 conversations over the last 90 days. */
export function generateDemoDataSet({ now, seed = 20261123, customerCount = 400, conversationCount = 3000 }: DemoDataOptions): DemoDataSet {
  const random = createRandom(seed);
  const { teams, teamIds } = generateTeams(now);
  const { agents, agentsByTeam } = generateAgents(random, now, teamIds);
  const customers = generateCustomers(random, now, customerCount);
  const history = generateConversations(random, now, { customers, agents, agentsByTeam, teamIds, count: conversationCount });
  settleCustomerDates(random, now, customers, history.conversations);
  return {
    teams,
    agents,
    customers,
    customerExternalIds: customerExternalIdRows(customers),
    conversations: history.conversations,
    conversationExternalRefs: conversationExternalRefRows(history.conversations),
    messages: history.messages,
    conversationNotes: history.notes,
    customerNotes: generateCustomerNotes(random, now, customers, agents),
    satisfactionFeedback: history.feedback,
  };
}


/** The lookup rows that mirror each customer's `externalIds` and each conversation's `externalRefs`. */
const customerExternalIdRows = (customers: readonly DemoCustomer[]): DemoExternalIdRow[] =>
  customers.flatMap((customer) => Object.entries(customer.externalIds).map(([system, externalId]) => ({ system, externalId, customerId: customer.id })));
const conversationExternalRefRows = (conversations: readonly DemoConversation[]): DemoExternalRefRow[] =>
  conversations.flatMap((conversation) => conversation.externalRefs.map(({ system, externalId }) => ({ system, externalId, conversationId: conversation.id })));

const emptyHistory = { conversations: [], conversationExternalRefs: [], messages: [], conversationNotes: [], satisfactionFeedback: [] };

/**
 * The data set for `conversationCount` conversations in parts, people first, then conversations
 * `chunkSize` at a time: a million conversations never sit in memory at once. One customer per
 * hundred conversations (at least 400), each a customer since before the history starts.
 */
export function* generateDemoDataParts({ now, seed = 20261123, conversationCount = 3000, chunkSize = 5_000 }: DemoDataOptions & { chunkSize?: number }): Generator<DemoDataSet> {
  const random = createRandom(seed);
  const { teams, teamIds } = generateTeams(now);
  const { agents, agentsByTeam } = generateAgents(random, now, teamIds);
  const customers = generateCustomers(random, now, Math.max(400, Math.round(conversationCount / 100)));
  // As if each had written at the very start of the history: their accounts are older than any conversation.
  settleCustomerDates(random, now, customers, customers.map((customer) => ({ customerId: customer.id, createdAt: historyStartOf(now) })));
  yield {
    teams,
    agents,
    customers,
    customerExternalIds: customerExternalIdRows(customers),
    customerNotes: generateCustomerNotes(random, now, customers, agents),
    ...emptyHistory,
  };
  let zendeskIdsAfter: number | undefined;
  for (let done = 0; done < conversationCount; done += chunkSize) {
    const history = generateConversations(random, now, { customers, agents, agentsByTeam, teamIds, count: Math.min(chunkSize, conversationCount - done), zendeskIdsAfter });
    zendeskIdsAfter = history.lastZendeskId;
    yield {
      teams: [], agents: [], customers: [], customerExternalIds: [], customerNotes: [],
      conversations: history.conversations,
      conversationExternalRefs: conversationExternalRefRows(history.conversations),
      messages: history.messages,
      conversationNotes: history.notes,
      satisfactionFeedback: history.feedback,
    };
  }
}
