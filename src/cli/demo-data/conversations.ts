import { newId } from '../../platform/ids';
import type { DemoAgent, DemoConversation, DemoConversationNote, DemoCustomer, DemoFeedback, DemoMessage } from './demo-data-set';
import { teamNames, type TeamKey } from './names';
import { dayMs, hourMs } from './people';
import { appPlatforms, browsers, fillTemplate, inboxesByChannel, phrases, webChatPages } from './phrases';
import type { Random } from './random';
import { planThread } from './thread';
import { topics } from './topics';

const historyMs = 90 * dayMs;

/** When the generated history begins: every conversation is created after it. */
export const historyStartOf = (now: Date) => new Date(now.getTime() - historyMs);
const minuteMs = 60_000;
const channelWeights = { web_chat: 35, email: 30, whatsapp: 15, phone: 8, api: 12 };
const priorityWeights = { low: 20, normal: 55, high: 18, urgent: 7 };
const topicWeights = Object.fromEntries(Object.entries(topics).map(([key, topic]) => [key, topic.weight]));
const ratingWeights = { '1': 4, '2': 5, '3': 11, '4': 28, '5': 52 };
/** NPS follows the rating: happy customers recommend. */
const npsRangeByRating: Readonly<Record<number, [number, number]>> = { 1: [0, 3], 2: [2, 5], 3: [5, 7], 4: [7, 9], 5: [9, 10] };

export interface ConversationContext {
  readonly customers: readonly DemoCustomer[];
  readonly agents: readonly DemoAgent[];
  readonly agentsByTeam: Readonly<Record<TeamKey, readonly DemoAgent[]>>;
  readonly teamIds: Readonly<Record<TeamKey, string>>;
  readonly count: number;
  /** Zendesk ticket numbers continue from here (one data set in several parts must not repeat one). */
  readonly zendeskIdsAfter?: number;
}

export function generateConversations(random: Random, now: Date, context: ConversationContext) {
  const conversations: DemoConversation[] = [];
  const messages: DemoMessage[] = [];
  const notes: DemoConversationNote[] = [];
  const feedback: DemoFeedback[] = [];
  const customersByActivity = random.sample(context.customers, context.customers.length);
  let nextZendeskId = context.zendeskIdsAfter ?? 48_000 + random.int(0, 2_000);

  for (let index = 0; index < context.count; index++) {
    const createdAt = drawCreatedAt(random, now);
    const ageMs = now.getTime() - createdAt.getTime();
    // Skewed towards the front of the shuffled list: a few customers write often, most rarely.
    const customer = customersByActivity[Math.floor(customersByActivity.length * random.next() ** 1.8)];
    const topic = topics[random.weighted(topicWeights)];
    const status = random.weighted(statusWeightsByAge(ageMs));
    const priority = random.weighted(priorityWeights);
    const channel = random.weighted(channelWeights);
    const team: TeamKey = status === 'escalated' ? topic.escalationTeam : topic.team;
    const agent = random.chance(0.85) ? random.pick(context.agentsByTeam[topic.team]) : random.pick(context.agents);
    const customerFirstName = customer.name?.split(' ')[0] ?? 'there';
    const values = {
      customer: customerFirstName, agent: agent.name.split(' ')[0], agentFullName: agent.name, team: teamNames[team],
      number: String(random.int(1_000, 99_999)), plan: String(customer.customAttributes.plan),
    };
    const opening = random.pick(topic.openings);
    const thread = planThread(random, { status, channel, priority, topic, opening: opening.message, agent, values });

    // Squeeze the thread into the time between creation and now; recent conversations are quick ones.
    const spanMs = Math.max(thread.resolvedOffsetMs ?? 0, thread.messages[thread.messages.length - 1].offsetMs);
    const scale = Math.min(1, (ageMs - minuteMs) / spanMs);
    const at = (offsetMs: number) => new Date(createdAt.getTime() + Math.max(1, Math.round(offsetMs * scale)));
    const conversationId = newId('conv');
    const threadMessages = thread.messages.map(({ offsetMs, ...message }) => ({ id: newId('msg'), conversationId, ...message, createdAt: at(offsetMs) }));
    const firstAgentMessage = threadMessages.find((message) => message.authorType === 'agent');
    const resolvedAt = thread.resolvedOffsetMs === null ? null : at(thread.resolvedOffsetMs);
    const lastActivityAt = resolvedAt ?? threadMessages[threadMessages.length - 1].createdAt;
    const isVip = customer.tags.includes('vip');
    const conversation: DemoConversation = {
      id: conversationId,
      customerId: customer.id,
      subject: fillTemplate(opening.subject, values),
      status,
      priority: isVip && priority === 'low' ? 'normal' : priority,
      channel,
      inbox: channel === 'email' ? (topic.team === 'billing' ? 'Billing' : 'Support') : random.pick(inboxesByChannel[channel]),
      assigneeId: firstAgentMessage || random.chance(0.3) ? agent.id : null,
      teamId: context.teamIds[team],
      tags: [...opening.tags, ...(isVip ? ['vip'] : [])],
      metadata: channelMetadata(random, channel),
      externalRefs: random.chance(0.12) ? [{ system: 'zendesk', externalId: String((nextZendeskId += random.int(1, 25))), url: null }] : [],
      escalationReason: status === 'escalated' ? random.pick(topic.escalationReasons) : null,
      createdAt,
      updatedAt: lastActivityAt,
      lastActivityAt,
      firstResponseAt: firstAgentMessage?.createdAt ?? null,
      resolvedAt,
    };
    conversations.push(conversation);
    messages.push(...threadMessages);

    if (random.chance(0.08)) {
      const noteAt = random.between(createdAt.getTime(), lastActivityAt.getTime());
      notes.push({ id: newId('note'), conversationId, author: agent.id, body: random.pick(phrases.conversationNotes), createdAt: new Date(noteAt) });
    }
    if (resolvedAt && random.chance(0.4)) {
      const feedbackAt = new Date(resolvedAt.getTime() + random.between(2 * minuteMs, 36 * hourMs));
      // A survey answered after `now` has not been answered yet.
      if (feedbackAt < now) feedback.push(drawFeedback(random, conversation, feedbackAt));
    }
  }
  return { conversations, messages, notes, feedback, lastZendeskId: nextZendeskId };
}

/** Recent conversations are still being worked on; old ones are nearly all resolved. */
function statusWeightsByAge(ageMs: number): Record<DemoConversation['status'], number> {
  if (ageMs < dayMs) return { open: 40, pending: 20, escalated: 8, resolved: 32 };
  if (ageMs < 7 * dayMs) return { open: 12, pending: 15, escalated: 8, resolved: 65 };
  return { open: 1.5, pending: 2, escalated: 1.5, resolved: 95 };
}

/** More conversations on weekdays and in working hours (UTC), and a little growth over the period. */
function drawCreatedAt(random: Random, now: Date): Date {
  for (;;) {
    const ageMs = random.between(10 * minuteMs, historyMs);
    const candidate = new Date(now.getTime() - ageMs);
    const isWeekend = candidate.getUTCDay() === 0 || candidate.getUTCDay() === 6;
    const hour = candidate.getUTCHours();
    const hourLikelihood = hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.45 : 0.12;
    const likelihood = (isWeekend ? 0.4 : 1) * hourLikelihood * (0.75 + 0.25 * (1 - ageMs / historyMs));
    if (random.next() < likelihood) return candidate;
  }
}

function channelMetadata(random: Random, channel: string): Record<string, unknown> {
  if (channel === 'web_chat') return { page: random.pick(webChatPages), browser: random.pick(browsers) };
  if (channel === 'api') return { platform: random.pick(appPlatforms), appVersion: `4.${random.int(8, 12)}.${random.int(0, 5)}` };
  return {};
}

function drawFeedback(random: Random, conversation: DemoConversation, createdAt: Date): DemoFeedback {
  const rating = Number(random.weighted(ratingWeights));
  const [lowest, highest] = npsRangeByRating[rating];
  const comments = rating <= 2 ? phrases.feedbackComments.low : rating === 3 ? phrases.feedbackComments.middle : phrases.feedbackComments.high;
  return {
    id: newId('csat'),
    conversationId: conversation.id,
    customerId: conversation.customerId,
    rating,
    npsScore: random.int(lowest, highest),
    comment: random.chance(0.4) ? random.pick(comments) : null,
    createdAt,
  };
}
