import { Client } from 'pg';
import { durationRelativeError } from '../../src/modules/analytics/duration-histogram';
import { slaOccurrences, type SlaHistory } from './sla-oracle';

/**
 * The figures of docs/analytics.md computed the plain way: every raw row of a workspace loaded
 * into memory, each figure a loop over it. Deliberately shares nothing with the gateway's SQL, so
 * the two agreeing on random data says the gateway is exact.
 */

export interface Conversation {
  id: string;
  createdAt: number;
  firstResponseAt: number | null;
  dimensions: Record<string, string | null>;
  tags: string[];
  customerTags: string[];
  changes: { from: string | null; to: string; at: number; order: number }[];
  /** Customer, agent and bot messages, in the order they were written. */
  messages: { authorType: string; at: number }[];
}

export interface RawHistory {
  conversations: Map<string, Conversation>;
  messages: { conversationId: string; authorType: string; at: number }[];
  feedback: { conversationId: string | null; rating: number | null; nps: number | null; at: number }[];
  /** The workspace's SLA policies and the clock of the last SLA check; no check, no SLA figures. */
  sla: SlaHistory;
}

export interface OracleFilter {
  channels?: string[];
  priorities?: string[];
  inboxes?: string[];
  teamIds?: string[];
  assigneeIds?: string[];
  tags?: string[];
  customerTags?: string[];
}

/** groupBy names the dimension as AnalyticsGroupBy's values do (channel, assignee_id, tag, …). */
export interface OracleQuestion {
  from: Date;
  to: Date;
  filter?: OracleFilter;
  group?: { by: string; key: string | null };
}

export async function loadRawHistory(databaseUrl: string, workspaceId: string, slaCheckedAt: Date | null = null): Promise<RawHistory> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const conversations = new Map<string, Conversation>();
    const rows = await client.query(
      `select c.*, coalesce(cu.tags, '{}') as customer_tags from conversations c left join customers cu on cu.id = c.customer_id where c.workspace_id = $1`,
      [workspaceId],
    );
    for (const row of rows.rows) {
      conversations.set(row.id, {
        id: row.id,
        createdAt: row.created_at.getTime(),
        firstResponseAt: row.first_response_at?.getTime() ?? null,
        dimensions: { channel: row.channel, status: row.status, priority: row.priority, inbox: row.inbox, assignee_id: row.assignee_id, team_id: row.team_id },
        tags: row.tags,
        customerTags: row.customer_tags,
        changes: [],
        messages: [],
      });
    }
    const changes = await client.query(`select * from conversation_status_changes where workspace_id = $1 order by changed_at, id`, [workspaceId]);
    for (const row of changes.rows) conversations.get(row.conversation_id)!.changes.push({ from: row.from_status, to: row.to_status, at: row.changed_at.getTime(), order: Number(row.id) });
    const messages = await client.query(`select conversation_id, author_type, created_at from messages where workspace_id = $1 order by created_at, id`, [workspaceId]);
    for (const row of messages.rows) if (row.author_type !== 'system') conversations.get(row.conversation_id)!.messages.push({ authorType: row.author_type, at: row.created_at.getTime() });
    const policies = await client.query(
      `select p.conditions, p.targets, p.pause_while_pending, c.time_zone, c.weekly_hours, c.holidays from sla_policies p left join business_calendars c on c.id = p.calendar_id
       where p.workspace_id = $1 order by p.position, p.created_at`,
      [workspaceId],
    );
    const feedback = await client.query(`select conversation_id, rating, nps_score, created_at from satisfaction_feedback where workspace_id = $1`, [workspaceId]);
    return {
      conversations,
      messages: messages.rows.map((row) => ({ conversationId: row.conversation_id, authorType: row.author_type, at: row.created_at.getTime() })),
      feedback: feedback.rows.map((row) => ({ conversationId: row.conversation_id, rating: row.rating, nps: row.nps_score, at: row.created_at.getTime() })),
      sla: {
        checkedAt: slaCheckedAt?.getTime() ?? null,
        policies: policies.rows.map((row) => ({
          conditions: row.conditions, targets: row.targets, pauseWhilePending: row.pause_while_pending,
          calendar: row.time_zone ? { timeZone: row.time_zone, weeklyHours: row.weekly_hours, holidays: row.holidays } : null,
        })),
      },
    };
  } finally {
    await client.end();
  }
}

const anyOf = (wanted: string[] | undefined, value: string | null) => !wanted || wanted.length === 0 || (value !== null && wanted.includes(value));
const overlaps = (wanted: string[] | undefined, values: string[]) => !wanted || wanted.length === 0 || values.some((value) => wanted.includes(value));

function matches(conversation: Conversation, question: OracleQuestion): boolean {
  const filter = question.filter ?? {};
  const { dimensions } = conversation;
  const passes =
    anyOf(filter.channels, dimensions.channel) && anyOf(filter.priorities, dimensions.priority) && anyOf(filter.inboxes, dimensions.inbox) &&
    anyOf(filter.teamIds, dimensions.team_id) && anyOf(filter.assigneeIds, dimensions.assignee_id) &&
    overlaps(filter.tags, conversation.tags) && overlaps(filter.customerTags, conversation.customerTags);
  if (!passes || !question.group) return passes;
  const { by, key } = question.group;
  if (by === 'tag') return key === null ? conversation.tags.length === 0 : conversation.tags.includes(key);
  return dimensions[by] === key;
}

function statusAt(conversation: Conversation, instant: number): string | undefined {
  let status: string | undefined;
  for (const change of conversation.changes) if (change.at < instant) status = change.to;
  return status;
}

/** Nearest rank: the smallest value with at least `fraction` of the values at or below it. */
function nearestRank(sorted: number[], fraction: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.ceil(fraction * sorted.length) - 1];
}

function durationStats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: values.length,
    meanSeconds: values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length,
    medianSeconds: nearestRank(sorted, 0.5),
    p90Seconds: nearestRank(sorted, 0.9),
  };
}

export function oracleMetrics(history: RawHistory, question: OracleQuestion) {
  const from = question.from.getTime();
  const to = question.to.getTime();
  const inRange = (at: number) => at >= from && at < to;
  const selected = [...history.conversations.values()].filter((conversation) => matches(conversation, question));
  const selectedIds = new Set(selected.map((conversation) => conversation.id));
  const backlogAt = (instant: number) => selected.filter((conversation) => conversation.createdAt < instant && statusAt(conversation, instant) !== 'resolved').length;

  const changes = selected.flatMap((conversation) => conversation.changes.filter((change) => inRange(change.at)).map((change) => ({ ...change, createdAt: conversation.createdAt })));
  const resolutions = changes.filter((change) => change.to === 'resolved');
  const created = selected.filter((conversation) => inRange(conversation.createdAt)).length;
  const reopened = changes.filter((change) => change.from === 'resolved').length;
  const messages = history.messages.filter((message) => selectedIds.has(message.conversationId) && inRange(message.at));
  const isUnfiltered = Object.values(question.filter ?? {}).every((values) => !values || values.length === 0);
  const orphanFeedbackCounts = isUnfiltered && (!question.group || question.group.key === null);
  const feedback = history.feedback.filter(
    (answer) => inRange(answer.at) && (answer.conversationId === null ? orphanFeedbackCounts : selectedIds.has(answer.conversationId)),
  );
  const ratings = feedback.map((answer) => answer.rating).filter((rating): rating is number => rating !== null);
  const scores = feedback.map((answer) => answer.nps).filter((score): score is number => score !== null);
  const promoters = scores.filter((score) => score >= 9).length;
  const detractors = scores.filter((score) => score <= 6).length;
  const workload = backlogAt(from) + created + reopened;
  const sla = selected.map((conversation) => slaOccurrences(history.sla, conversation));
  const outcomes = sla.flatMap(({ outcomes }) => outcomes.filter((outcome) => inRange(outcome.settledAt)));
  const businessSeconds = (metric: string) => sla.flatMap(({ durations }) => durations.filter((duration) => duration.metric === metric && inRange(duration.at)).map((duration) => duration.seconds));
  const achievement = (target?: string) => {
    const settled = outcomes.filter((outcome) => !target || outcome.target === target);
    const achieved = settled.filter((outcome) => outcome.achieved).length;
    return { achieved, breached: settled.length - achieved, achievementRate: settled.length === 0 ? null : achieved / settled.length };
  };

  return {
    conversationsCreated: created,
    conversationsResolved: resolutions.length,
    conversationsReopened: reopened,
    escalations: changes.filter((change) => change.to === 'escalated').length,
    openBacklog: backlogAt(to),
    resolutionRate: workload === 0 ? null : resolutions.length / workload,
    firstResponseTime: durationStats(
      selected.filter((conversation) => conversation.firstResponseAt !== null && inRange(conversation.firstResponseAt)).map((conversation) => (conversation.firstResponseAt! - conversation.createdAt) / 1000),
    ),
    resolutionTime: durationStats(resolutions.map((change) => (change.at - change.createdAt) / 1000)),
    firstResponseBusinessTime: durationStats(businessSeconds('first_response')),
    resolutionBusinessTime: durationStats(businessSeconds('resolution')),
    sla: { ...achievement(), firstResponse: achievement('firstResponse'), nextResponse: achievement('nextResponse'), resolution: achievement('resolution') },
    messagesIn: messages.filter((message) => message.authorType === 'customer').length,
    messagesOut: messages.filter((message) => message.authorType === 'agent' || message.authorType === 'bot').length,
    csat: { responses: ratings.length, meanRating: ratings.length === 0 ? null : ratings.reduce((sum, rating) => sum + rating, 0) / ratings.length },
    nps: { responses: scores.length, promoters, detractors, score: scores.length === 0 ? null : (100 * (promoters - detractors)) / scores.length },
  };
}

/** Integers must be equal; other numbers equal to 9 significant digits (floating-point sums differ in their last bits). */
/**
 * Every figure equal (non-integers to 9 significant digits), but percentiles: those the gateway
 * reads from duration histograms, within their stated relative error (bin 0 reads as 0: 1 ms).
 */
export function expectSameFigures(actual: unknown, expected: unknown, path = 'metrics'): void {
  if (/\.(medianSeconds|p90Seconds)$/.test(path) && typeof expected === 'number') {
    if (typeof actual !== 'number' || Math.abs(actual - expected) > durationRelativeError * expected + 0.001) throw new Error(`${path}: ${actual} is not within ${durationRelativeError * 100}% of ${expected}`);
    return;
  }
  if (typeof expected === 'number' && typeof actual === 'number' && !Number.isInteger(expected)) {
    if (Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) throw new Error(`${path}: ${actual} ≠ ${expected}`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    for (const key of Object.keys(expected)) expectSameFigures((actual as Record<string, unknown>)?.[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
}
