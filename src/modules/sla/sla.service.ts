import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import { canonicalJson } from '../../platform/canonical-json';
import type { Actor } from '../../policies/auth/actor';
import { badUserInput, notFound } from '../../platform/errors';
import { InputErrors } from '../../platform/validation';
import { writeTransaction } from '../../platform/database/write-transaction';
import { recordAudit } from '../audit';
import { calendarProblems, type BusinessCalendarSpec } from './business-hours';
import { BusinessCalendar, SlaPolicy, type SlaConditions, type SlaTargets } from './sla.entities';
import type { PolicyView } from './sla-evaluation';
import { runSlaCheck, type SlaCheckResult } from './sla-check';

export interface PolicySettings {
  readonly name?: string;
  readonly position?: number;
  readonly conditions?: SlaConditions;
  readonly targets?: Record<string, SlaTargets>;
  readonly calendarId?: string | null;
  readonly warnBeforeMinutes?: number;
  readonly pauseWhilePending?: boolean;
}

export type LoadedPolicy = PolicyView & { readonly entity: SlaPolicy };

const priorities = ['low', 'normal', 'high', 'urgent'];
const maxTargetMinutes = 365 * 24 * 60;

/** SLA policies and their calendars, the targets of a conversation, and the scheduled check that announces warnings and breaches. */
export class SlaService {
  async createCalendar(em: EntityManager, actor: Actor, name: string, spec: BusinessCalendarSpec): Promise<BusinessCalendar> {
    const errors = new InputErrors().text('input.name', name, { min: 1, max: 255 });
    calendarProblems(spec).forEach((problem) => errors.add(problem.field, problem.message));
    errors.throwIfAny();
    return writeTransaction(em, async (tx) => {
      const calendar = tx.create(BusinessCalendar, { workspace: actor.workspaceId, name: name.trim(), timeZone: spec.timeZone, weeklyHours: [...spec.weeklyHours], holidays: [...new Set(spec.holidays)].sort() });
      recordAudit(tx, actor, { action: 'business_calendar.created', targetType: 'business_calendar', targetId: calendar.id, changes: { name, timeZone: spec.timeZone } });
      return calendar;
    });
  }

  async createPolicy(em: EntityManager, actor: Actor, settings: Required<Pick<PolicySettings, 'name' | 'targets'>> & PolicySettings): Promise<SlaPolicy> {
    checkPolicy(settings);
    return writeTransaction(em, async (tx) => {
      if (settings.calendarId) await findCalendar(tx, actor.workspaceId, settings.calendarId);
      const [{ next }] = await tx.execute<{ next: number }[]>('select coalesce(max(position), 0) + 1 as next from sla_policies where workspace_id = ?', [actor.workspaceId]);
      const policy = tx.create(SlaPolicy, {
        workspace: actor.workspaceId, name: settings.name.trim(), position: settings.position ?? next, conditions: settings.conditions ?? {},
        targets: settings.targets, calendarId: settings.calendarId ?? null, warnBeforeMinutes: settings.warnBeforeMinutes ?? 15,
        pauseWhilePending: settings.pauseWhilePending ?? false,
      });
      recordAudit(tx, actor, { action: 'sla_policy.created', targetType: 'sla_policy', targetId: policy.id, changes: { ...settings } });
      return policy;
    });
  }

  async updatePolicy(em: EntityManager, actor: Actor, id: string, settings: PolicySettings, expectedVersion?: number | null): Promise<SlaPolicy> {
    checkPolicy(settings);
    return writeTransaction(em, async (tx) => {
      const policy = await findPolicy(tx, actor.workspaceId, id, expectedVersion);
      const before = policySettings(policy);
      if (settings.calendarId) await findCalendar(tx, actor.workspaceId, settings.calendarId);
      Object.assign(policy, Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)));
      if (policySettings(policy) !== before) policy.version += 1;
      policy.updatedAt = new Date();
      recordAudit(tx, actor, { action: 'sla_policy.updated', targetType: 'sla_policy', targetId: id, changes: { ...settings } });
      return policy;
    });
  }

  async deletePolicy(em: EntityManager, actor: Actor, id: string, expectedVersion?: number | null): Promise<void> {
    await writeTransaction(em, async (tx) => {
      tx.remove(await findPolicy(tx, actor.workspaceId, id, expectedVersion));
      recordAudit(tx, actor, { action: 'sla_policy.deleted', targetType: 'sla_policy', targetId: id, changes: {} });
    });
  }

  /** The workspace's policies in the order they are tried, each with its calendar. */
  async policies(em: EntityManager, workspaceId: string): Promise<LoadedPolicy[]> {
    const [policies, calendars] = await Promise.all([
      em.find(SlaPolicy, { workspace: workspaceId }, { orderBy: { position: 'asc', createdAt: 'asc' } }),
      em.find(BusinessCalendar, { workspace: workspaceId }),
    ]);
    const byId = new Map(calendars.map((calendar) => [calendar.id, calendar]));
    return policies.map((entity) => ({
      entity, id: entity.id, conditions: entity.conditions, targets: entity.targets, warnBeforeMinutes: entity.warnBeforeMinutes, pauseWhilePending: entity.pauseWhilePending,
      calendar: entity.calendarId ? specOf(byId.get(entity.calendarId)!) : null,
    }));
  }

  calendars(em: EntityManager, workspaceId: string): Promise<BusinessCalendar[]> {
    return em.find(BusinessCalendar, { workspace: workspaceId }, { orderBy: { createdAt: 'asc' } });
  }

  /** One run of the SLA check (sla-check.ts) on the clock `now`: warnings and breaches announced, settled targets recorded for analytics. */
  check(orm: MikroORM, now = new Date()): Promise<SlaCheckResult> {
    return runSlaCheck(orm, (em, workspaceId) => this.policies(em, workspaceId), now);
  }
}

function specOf(calendar: BusinessCalendar): BusinessCalendarSpec {
  return { timeZone: calendar.timeZone, weeklyHours: calendar.weeklyHours, holidays: calendar.holidays };
}

function checkPolicy(settings: PolicySettings): void {
  const errors = new InputErrors();
  if (settings.name !== undefined) errors.text('input.name', settings.name, { min: 1, max: 255 });
  if (settings.warnBeforeMinutes !== undefined && (settings.warnBeforeMinutes < 0 || settings.warnBeforeMinutes > maxTargetMinutes)) errors.add('input.warnBeforeMinutes', `0..${maxTargetMinutes}`);
  for (const [priority, targets] of Object.entries(settings.targets ?? {})) {
    if (!priorities.includes(priority)) errors.add(`input.targets.${priority}`, 'Unknown priority');
    for (const [name, minutes] of Object.entries(targets)) {
      if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > maxTargetMinutes)) errors.add(`input.targets.${priority}.${name}`, `1..${maxTargetMinutes} minutes, or null`);
    }
  }
  errors.throwIfAny();
}

/** Locks the policy for a change, at `expectedVersion` when one is given (CONFLICT otherwise). */
async function findPolicy(tx: EntityManager, workspaceId: string, id: string, expectedVersion: number | null | undefined): Promise<SlaPolicy> {
  const policy = await tx.findOne(SlaPolicy, { id, workspace: workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!policy) throw notFound('SlaPolicy');
  assertExpectedVersion(policy.version, expectedVersion, 'input.expectedVersion');
  return policy;
}

/** The settings a version counts, as one comparable string. */
const policySettings = (policy: SlaPolicy) =>
  canonicalJson([policy.name, policy.position, policy.conditions, policy.targets, policy.calendarId, policy.warnBeforeMinutes, policy.pauseWhilePending]);

async function findCalendar(tx: EntityManager, workspaceId: string, id: string): Promise<BusinessCalendar> {
  const calendar = await tx.findOne(BusinessCalendar, { id, workspace: workspaceId });
  if (!calendar) throw badUserInput([{ field: 'input.businessCalendarId', message: 'No such business calendar in this workspace' }]);
  return calendar;
}
