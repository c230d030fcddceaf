import { businessMillisBetween } from './business-hours';
import { judgeTarget, type PolicyView, type SlaFacts, type SlaTargetKind } from './sla-evaluation';

/** What settling needs beyond SlaFacts: the whole history of resolutions and customer waits. */
export interface SettlementFacts extends SlaFacts {
  /** Every spell in RESOLVED, oldest first: from a move to RESOLVED until the move out of it (null: still resolved). */
  readonly resolvedSpells: readonly { readonly from: Date; readonly until: Date | null }[];
  /** Customer messages and agent or bot replies, oldest first; system messages are neither. */
  readonly messages: readonly { readonly at: Date; readonly isReply: boolean }[];
}

/** A target settled for good: met by its due time, or breached. Breaches settle at the due time, however late the target is met. */
export interface SlaOutcome {
  readonly target: SlaTargetKind;
  readonly startedAt: Date;
  readonly dueAt: Date;
  readonly settledAt: Date;
  readonly achieved: boolean;
}

/** A first response or a resolution measured in the policy calendar's open time. */
export interface BusinessDuration {
  readonly metric: 'first_response' | 'resolution';
  readonly at: Date;
  readonly businessMs: number;
}

/**
 * The outcomes of every target of the conversation that has settled by `now`, and its first
 * response and resolutions in business time (docs/sla.md). A response target (first or next) not
 * met when the conversation is resolved stops there: breached if its due time had passed, with no
 * outcome otherwise; customer messages while it stays resolved start no wait. A resolution target
 * is met by the first resolution. Facts after `now` are not
 * known yet, so a controlled clock sees the history as it was.
 */
export function settle(policy: PolicyView, facts: SettlementFacts, now: Date): { outcomes: SlaOutcome[]; durations: BusinessDuration[] } {
  const known = (at: Date | null | undefined) => (at && at <= now ? at : null);
  const spells = facts.resolvedSpells.filter((spell) => spell.from <= now).map((spell) => ({ from: spell.from, until: known(spell.until) }));
  const resolutions = spells.map((spell) => spell.from);
  const resolvedAfter = (start: Date) => resolutions.find((at) => at >= start) ?? null;
  // Nobody waits on a resolved conversation: a customer message while it is resolved starts no wait.
  const whileResolved = (at: Date) => spells.some((spell) => spell.from <= at && (spell.until === null || at < spell.until));
  const targets = policy.targets[facts.priority];
  const outcomes: SlaOutcome[] = [];
  const outcome = (target: SlaTargetKind, minutes: number | null | undefined, startedAt: Date, metAt: Date | null, stoppedAt: Date | null) => {
    if (minutes == null) return;
    const judgement = judgeTarget(policy, facts.pendingSpells, startedAt, minutes, metAt, stoppedAt, now);
    if (judgement?.settledAt) outcomes.push({ target, startedAt, dueAt: judgement.dueAt, settledAt: judgement.settledAt, achieved: judgement.status === 'ACHIEVED' });
  };
  const firstResponseAt = known(facts.firstResponseAt);
  if (targets) {
    outcome('firstResponse', targets.firstResponseMinutes, facts.createdAt, firstResponseAt, firstResponseAt ? null : resolvedAfter(facts.createdAt));
    for (const wait of waitsOf(facts.messages.filter((message) => message.at <= now), whileResolved)) {
      outcome('nextResponse', targets.nextResponseMinutes, wait.startedAt, wait.answeredAt, wait.answeredAt ? null : resolvedAfter(wait.startedAt));
    }
    outcome('resolution', targets.resolutionMinutes, facts.createdAt, resolvedAfter(facts.createdAt), null);
  }
  const durations: BusinessDuration[] = [
    ...(firstResponseAt ? [{ metric: 'first_response' as const, at: firstResponseAt }] : []),
    ...resolutions.map((at) => ({ metric: 'resolution' as const, at })),
  ].map((duration) => ({ ...duration, businessMs: businessMillisBetween(facts.createdAt, duration.at, policy.calendar) }));
  return { outcomes, durations };
}

/** Each wait after the first reply: from the first customer message no reply has answered (none while resolved) to the next reply. */
function waitsOf(messages: SettlementFacts['messages'], whileResolved: (at: Date) => boolean): { startedAt: Date; answeredAt: Date | null }[] {
  const waits: { startedAt: Date; answeredAt: Date | null }[] = [];
  let replies = 0;
  let waitingSince: Date | null = null;
  for (const message of messages) {
    if (!message.isReply) {
      if (replies > 0 && !waitingSince && !whileResolved(message.at)) waitingSince = message.at;
      continue;
    }
    if (waitingSince) waits.push({ startedAt: waitingSince, answeredAt: message.at });
    waitingSince = null;
    replies++;
  }
  if (waitingSince) waits.push({ startedAt: waitingSince, answeredAt: null });
  return waits;
}
