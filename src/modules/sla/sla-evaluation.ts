import { addBusinessMinutes, type BusinessCalendarSpec } from './business-hours';
import type { SlaConditions, SlaTargets } from './sla.entities';

export type SlaTargetKind = 'firstResponse' | 'nextResponse' | 'resolution';
export type SlaStatus = 'PENDING' | 'ACHIEVED' | 'BREACHED';

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
}

export interface PolicyView {
  readonly id: string;
  readonly conditions: SlaConditions;
  readonly targets: Record<string, SlaTargets>;
  readonly calendar: BusinessCalendarSpec | null;
  readonly warnBeforeMinutes: number;
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

/**
 * Each target of the conversation's priority, at `now`: first response and resolution from its
 * creation; next response from the first customer message left unanswered after a first reply.
 * A target is ACHIEVED when met by its due time, BREACHED when met late or not met by then; a
 * first response still unmet when the conversation was resolved before its due time has none.
 */
export function evaluateTargets(policy: PolicyView, facts: SlaFacts, now: Date): TargetState[] {
  const targets = policy.targets[facts.priority];
  if (!targets) return [];
  const state = (kind: SlaTargetKind, minutes: number | null, startedAt: Date | null, achievedAt: Date | null, stoppedAt: Date | null = null): TargetState[] => {
    if (minutes === null || startedAt === null) return [];
    const dueAt = addBusinessMinutes(startedAt, minutes, policy.calendar);
    // A response target still unmet when the conversation was resolved in time has no outcome (sla-settlement.ts).
    if (!achievedAt && stoppedAt && stoppedAt < dueAt) return [];
    const status: SlaStatus = achievedAt ? (achievedAt <= dueAt ? 'ACHIEVED' : 'BREACHED') : now >= dueAt ? 'BREACHED' : 'PENDING';
    return [{ kind, dueAt, warnAt: new Date(dueAt.getTime() - policy.warnBeforeMinutes * 60_000), achievedAt, status }];
  };
  return [
    ...state('firstResponse', targets.firstResponseMinutes, facts.createdAt, facts.firstResponseAt, facts.resolvedAt),
    ...state('nextResponse', targets.nextResponseMinutes, facts.firstResponseAt && facts.waitingSince, null),
    ...state('resolution', targets.resolutionMinutes, facts.createdAt, facts.resolvedAt),
  ];
}
