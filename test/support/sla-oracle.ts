import { addOpenMinutes, businessMillisBetween, type BusinessCalendarSpec } from '../../src/modules/sla/business-hours';
import type { Conversation } from './analytics-oracle';

/**
 * docs/sla.md's outcomes computed the plain way, one conversation at a time in a loop over its
 * messages and status changes, as an SLA check at `checkedAt` would have recorded them. Only the
 * business-hours arithmetic is the gateway's (its own unit and property tests pin it).
 */

export interface SlaHistory {
  readonly checkedAt: number | null;
  readonly policies: readonly {
    readonly conditions: Record<string, string[] | undefined>;
    readonly targets: Record<string, { firstResponseMinutes: number | null; nextResponseMinutes: number | null; resolutionMinutes: number | null }>;
    readonly calendar: BusinessCalendarSpec | null;
    readonly pauseWhilePending: boolean;
  }[];
}

interface Occurrences {
  outcomes: { target: string; settledAt: number; achieved: boolean }[];
  durations: { metric: string; at: number; seconds: number }[];
}

const conditionColumns: Record<string, string> = { priorities: 'priority', channels: 'channel', inboxes: 'inbox', teamIds: 'team_id' };

export function slaOccurrences(sla: SlaHistory, conversation: Conversation): Occurrences {
  const result: Occurrences = { outcomes: [], durations: [] };
  const now = sla.checkedAt;
  if (now === null) return result;
  const { priority } = conversation.dimensions;
  const policy = sla.policies.find(({ conditions, targets }) =>
    targets[priority!] !== undefined &&
    Object.entries(conditions).every(([name, values]) => !values?.length || values.includes(conversation.dimensions[conditionColumns[name]] as string)));
  if (!policy) return result;

  // Only what had happened by the check.
  const changes = conversation.changes.filter((change) => change.at <= now);
  const spells: { from: number; until: number | null }[] = [];
  changes.forEach((change, index) => {
    if (change.from !== null && change.to === 'resolved') spells.push({ from: change.at, until: changes[index + 1]?.at ?? null });
  });
  const resolvedFrom = (at: number) => spells.find((spell) => spell.from >= at)?.from ?? null;
  const isResolvedAt = (at: number) => spells.some((spell) => spell.from <= at && (spell.until === null || at < spell.until));
  const messages = conversation.messages.filter((message) => message.at <= now);
  const firstResponseAt = conversation.firstResponseAt !== null && conversation.firstResponseAt <= now ? conversation.firstResponseAt : null;

  // PENDING spells stop the clock of a pausing policy; one still going at the check has no end yet.
  const pauses: { from: number; until: number | null }[] = [];
  changes.forEach((change, index) => {
    if (policy.pauseWhilePending && change.to === 'pending') pauses.push({ from: change.at, until: changes[index + 1]?.at ?? null });
  });
  const dueWith = (startedAt: number, minutes: number, endedBy: number | null) => {
    const stops = pauses.filter((pause) => endedBy === null || pause.from < endedBy).map((pause) => ({
      from: new Date(pause.from), until: endedBy === null ? (pause.until === null ? null : new Date(pause.until)) : new Date(Math.min(pause.until ?? Infinity, endedBy)),
    }));
    return addOpenMinutes(new Date(startedAt), minutes, policy.calendar, stops)?.getTime() ?? null;
  };
  const judge = (target: string, minutes: number | null, startedAt: number, metAt: number | null, stoppedAt: number | null) => {
    if (minutes === null) return;
    if (metAt !== null) {
      const dueAt = dueWith(startedAt, minutes, metAt)!;
      result.outcomes.push({ target, settledAt: Math.min(metAt, dueAt), achieved: metAt <= dueAt });
      return;
    }
    const dueAt = dueWith(startedAt, minutes, null);
    if (dueAt !== null && (stoppedAt !== null ? stoppedAt >= dueAt : now >= dueAt)) result.outcomes.push({ target, settledAt: dueAt, achieved: false });
  };
  const targets = policy.targets[priority!];
  judge('firstResponse', targets.firstResponseMinutes, conversation.createdAt, firstResponseAt, firstResponseAt === null ? resolvedFrom(conversation.createdAt) : null);
  judge('resolution', targets.resolutionMinutes, conversation.createdAt, resolvedFrom(conversation.createdAt), null);

  let replies = 0;
  let waitingSince: number | null = null;
  for (const message of messages) {
    if (message.authorType === 'customer') {
      if (replies > 0 && waitingSince === null && !isResolvedAt(message.at)) waitingSince = message.at;
      continue;
    }
    if (waitingSince !== null) judge('nextResponse', targets.nextResponseMinutes, waitingSince, message.at, null);
    waitingSince = null;
    replies++;
  }
  if (waitingSince !== null) judge('nextResponse', targets.nextResponseMinutes, waitingSince, null, resolvedFrom(waitingSince));

  const business = (at: number) => businessMillisBetween(new Date(conversation.createdAt), new Date(at), policy.calendar) / 1000;
  if (firstResponseAt !== null) result.durations.push({ metric: 'first_response', at: firstResponseAt, seconds: business(firstResponseAt) });
  for (const spell of spells) result.durations.push({ metric: 'resolution', at: spell.from, seconds: business(spell.from) });
  return result;
}
