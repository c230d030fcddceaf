import type { DemoAgent, DemoConversation, DemoMessage } from './demo-data-set';
import { fillTemplate, phrases } from './phrases';
import type { Random } from './random';
import type { Topic } from './topics';

const minuteMs = 60_000;

/** How long people take to answer on each channel, in minutes: [fastest, slowest]. */
const paceByChannel: Readonly<Record<string, { agent: [number, number]; customer: [number, number] }>> = {
  web_chat: { agent: [0.5, 12], customer: [0.3, 6] },
  whatsapp: { agent: [1, 45], customer: [1, 90] },
  phone: { agent: [0.2, 3], customer: [0.2, 3] },
  email: { agent: [15, 720], customer: [20, 1440] },
  api: { agent: [10, 480], customer: [30, 900] },
};

export type ThreadMessage = Pick<DemoMessage, 'authorType' | 'authorAgentId' | 'body'> & { offsetMs: number };

export interface ThreadPlan {
  readonly status: DemoConversation['status'];
  readonly channel: string;
  readonly priority: DemoConversation['priority'];
  readonly topic: Topic;
  /** The customer's first message. */
  readonly opening: string;
  readonly agent: DemoAgent;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * 2–8 messages that fit the status: open ends waiting on the agent, pending on the customer, escalated
 * with a hand-over, resolved with a solution. Offsets are from the conversation's creation.
 */
export function planThread(random: Random, { status, channel, priority, topic, opening, agent, values }: ThreadPlan) {
  const pace = paceByChannel[channel];
  const draw = ([fastest, slowest]: [number, number]) => (fastest + (slowest - fastest) * random.next() ** 2) * minuteMs;
  const urgency = priority === 'urgent' ? 0.3 : priority === 'high' ? 0.6 : 1;
  const messages: ThreadMessage[] = [];
  let offsetMs = random.between(2_000, 40_000);
  const say = (authorType: ThreadMessage['authorType'], template: string, gapMs: number) => {
    offsetMs += gapMs;
    messages.push({ authorType, authorAgentId: authorType === 'agent' ? agent.id : null, body: fillTemplate(template, values), offsetMs });
  };
  const customerSays = (template: string) => say('customer', template, draw(pace.customer));
  const agentSays = (template: string, isFirst = false) => say('agent', template, draw(pace.agent) * (isFirst ? urgency : 1));

  say('customer', opening, 0);
  if ((channel === 'web_chat' || channel === 'whatsapp') && random.chance(0.7)) say('bot', random.pick(phrases.botGreetings), random.between(2_000, 10_000));

  const isAnswered = status !== 'open' || random.chance(0.6);
  if (!isAnswered) {
    if (messages.length < 2 || random.chance(0.3)) customerSays(random.pick(phrases.customerNudges));
    return { messages, resolvedOffsetMs: null };
  }

  const ending = plannedEnding(random, status);
  if (random.chance(0.2)) say('system', phrases.systemAssigned, random.between(5_000, 60_000));
  const skipsFirstReply = (status === 'resolved' || status === 'pending') && messages.length === 1 && random.chance(0.15);
  if (!skipsFirstReply) agentSays(random.pick(topic.agentReplies), true);
  const endingMessageCount = ending.length + (ending.includes('escalation') ? 1 : 0);
  const roomForRounds = Math.floor((8 - messages.length - endingMessageCount) / 2);
  const rounds = Math.min(roomForRounds, Number(random.weighted({ '0': 45, '1': 35, '2': 20 })));
  for (let round = 0; round < rounds; round++) {
    customerSays(random.pick(topic.customerFollowUps));
    agentSays(random.pick(random.chance(0.7) ? topic.agentReplies : phrases.agentInformationRequests));
  }

  for (const step of ending) {
    switch (step) {
      case 'customerFollowUp':
        customerSays(random.pick(topic.customerFollowUps));
        break;
      case 'informationRequest':
        agentSays(random.pick(phrases.agentInformationRequests), skipsFirstReply);
        break;
      case 'escalation':
        agentSays(random.pick(phrases.agentEscalations));
        say('system', phrases.systemEscalated, random.between(1_000, 30_000));
        break;
      case 'resolution':
        agentSays(random.pick(topic.resolutions), skipsFirstReply);
        break;
      case 'thanks':
        customerSays(random.pick(phrases.customerThanks));
        break;
      case 'closing':
        agentSays(random.pick(phrases.agentClosings));
        break;
      case 'resolvedNotice':
        say('system', phrases.systemResolved, random.between(10_000, 20 * minuteMs));
        break;
    }
  }
  if (status !== 'resolved') return { messages, resolvedOffsetMs: null };
  // The system notice is the resolution itself; otherwise the agent resolves a little after the last message.
  return { messages, resolvedOffsetMs: ending.includes('resolvedNotice') ? offsetMs : offsetMs + random.between(30_000, 30 * minuteMs) };
}

type EndingStep = 'customerFollowUp' | 'informationRequest' | 'escalation' | 'resolution' | 'thanks' | 'closing' | 'resolvedNotice';

function plannedEnding(random: Random, status: DemoConversation['status']): EndingStep[] {
  switch (status) {
    case 'open':
      return ['customerFollowUp'];
    case 'pending':
      return ['informationRequest'];
    case 'escalated':
      return ['escalation'];
    case 'resolved': {
      const steps: EndingStep[] = ['resolution'];
      if (random.chance(0.6)) steps.push('thanks', ...(random.chance(0.4) ? (['closing'] as const) : []));
      if (random.chance(0.25)) steps.push('resolvedNotice');
      return steps;
    }
  }
}
