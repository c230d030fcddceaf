import { addOpenMinutes, type BusinessCalendarSpec, type Pause } from './business-hours';
import type { SlaConditions, SlaTargets } from './sla.entities';

export type SlaTargetKind = 'firstResponse' | 'nextResponse' | 'resolution';
export type SlaStatus = 'PENDING' | 'PAUSED' | 'ACHIEVED' | 'BREACHED';

/** What the targets are measured on; the same facts as Conversation.statistics. */
export interface SlaFacts {
  readonly priority: string;
  readonly channel: string;
  readonly inbox: string | null;
  readonly teamId: string | null;
  readonly createdAt: Date;
  readonly firstResponseAt: Date | null;
  readonly resolvedAt: Date | null;
  /** The first customer message no agent has answered yet. */
  readonly waitingSince: Date | null;
  /** Each spell in PENDING, oldest first (until null: still PENDING). */
  readonly pendingSpells: readonly Pause[];
}

export interface PolicyView {
  readonly id: string;
  readonly conditions: SlaConditions;
  readonly targets: Record<string, SlaTargets>;
  readonly calendar: BusinessCalendarSpec | null;
  readonly warnBeforeMinutes: number;
  readonly pauseWhilePending: boolean;
}

export interface TargetState {
  readonly kind: SlaTargetKind;
  readonly dueAt: Date;
  readonly warnAt: Date;
  readonly achievedAt: Date | null;
  readonly status: SlaStatus;
}

const holds = (values: readonly string[] | undefined, value: string | null) => !values?.length || (value !== null && values.includes(value));

/** The first policy, in position order, whose conditions the conversation meets and that has targets for its priority. */
export function policyFor<T extends PolicyView>(policies: readonly T[], facts: SlaFacts): T | null {
  return policies.find(({ conditions, targets }) =>
    targets[facts.priority] !== undefined && holds(conditions.priorities, facts.priority) && holds(conditions.channels, facts.channel) && holds(conditions.inboxes, facts.inbox) && holds(conditions.teamIds, facts.teamId)) ?? null;
}

/** A target's state at `now`, and when it settled: at the time it was met by its due time, or at the due time. */
export interface Judgement {
  readonly dueAt: Date;
  readonly status: SlaStatus;
  readonly settledAt: Date | null;
}

/**
 * One target started at `startedAt`, met at `metAt` (null: not yet), stopped unmet at `stoppedAt`
 * (a response target when the conversation is resolved), judged at `now`. Its due time is
 * `minutes` of open time in the policy's calendar, without the PENDING spells when the policy
 * pauses (those before `metAt` for a met target). Null when it was stopped before its due time:
 * such a target has no outcome. PAUSED while a PENDING spell holds its clock, with the due time it
 * would have if the spell ended now.
 */
export function judgeTarget(policy: PolicyView, pendingSpells: readonly Pause[], startedAt: Date, minutes: number, metAt: Date | null, stoppedAt: Date | null, now: Date): Judgement | null {
  const known = policy.pauseWhilePending ? pendingSpells.filter((spell) => spell.from <= now).map((spell) => ({ from: spell.from, until: spell.until && spell.until <= now ? spell.until : null })) : [];
  const endedBy = (at: Date) => known.filter((spell) => spell.from < at).map((spell) => ({ from: spell.from, until: spell.until && spell.until < at ? spell.until : at }));
  if (metAt) {
    const dueAt = addOpenMinutes(startedAt, minutes, policy.calendar, endedBy(metAt))!;
    return metAt <= dueAt ? { dueAt, status: 'ACHIEVED', settledAt: metAt } : { dueAt, status: 'BREACHED', settledAt: dueAt };
  }
  const dueAt = addOpenMinutes(startedAt, minutes, policy.calendar, known);
  if (!dueAt) return { dueAt: addOpenMinutes(startedAt, minutes, policy.calendar, endedBy(now))!, status: 'PAUSED', settledAt: null };
  if (stoppedAt && stoppedAt < dueAt) return null;
  return stoppedAt || now >= dueAt ? { dueAt, status: 'BREACHED', settledAt: dueAt } : { dueAt, status: 'PENDING', settledAt: null };
}

/**
 * Each target of the conversation's priority, at `now`: first response and resolution from its
 * creation; next response from the first customer message left unanswered after a first reply.
 * A first response still unmet when the conversation was resolved before its due time has none.
 */
export function evaluateTargets(policy: PolicyView, facts: SlaFacts, now: Date): TargetState[] {
  const targets = policy.targets[facts.priority];
  if (!targets) return [];
  const state = (kind: SlaTargetKind, minutes: number | null, startedAt: Date | null, achievedAt: Date | null, stoppedAt: Date | null = null): TargetState[] => {
    if (minutes === null || startedAt === null) return [];
    const judgement = judgeTarget(policy, facts.pendingSpells, startedAt, minutes, achievedAt, stoppedAt, now);
    if (!judgement) return [];
    const { dueAt, status } = judgement;
    return [{ kind, dueAt, warnAt: new Date(dueAt.getTime() - policy.warnBeforeMinutes * 60_000), achievedAt, status }];
  };
  return [
    ...state('firstResponse', targets.firstResponseMinutes, facts.createdAt, facts.firstResponseAt, facts.resolvedAt),
    ...state('nextResponse', targets.nextResponseMinutes, facts.firstResponseAt && facts.waitingSince, null),
    ...state('resolution', targets.resolutionMinutes, facts.createdAt, facts.resolvedAt),
  ];
}
