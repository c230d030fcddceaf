import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { recordEvent } from '../events';
import { RequestLoaders } from '../../platform/request-loaders';
import { conversationStatisticsLoader } from '../conversations/insights/conversation-insights.loaders';
import { evaluateTargets, policyFor, type SlaFacts } from './sla-evaluation';
import { settle, type BusinessDuration, type SettlementFacts, type SlaOutcome } from './sla-settlement';
import type { LoadedPolicy } from './sla.service';

/** Conversations the check reads per statement. */
const conversationsPerBatch = 500;
/** Resolutions are looked for from the previous run's clock minus this, so one committed late is still seen. */
const resolvedLookbackMs = 10 * 60_000;

type CheckedConversation = { id: string; priority: string; channel: string; inbox: string | null; team_id: string | null; assignee_id: string | null; customer_id: string | null };

export interface SlaCheckResult {
  /** Warnings and breaches announced as events. */
  readonly announced: number;
  /** Outcomes and business durations recorded for analytics. */
  readonly settled: number;
}

/**
 * One run of the SLA check, on the clock `now`, for every workspace with policies, over its
 * conversations not resolved and those resolved since the previous run:
 * - announces `conversation.sla_warning` once a target's warning time has passed and
 *   `conversation.sla_breached` once its due time has, each once per due time;
 * - records every target that has settled (sla_outcomes) and the first response and resolutions
 *   in business time (sla_business_durations), which the analytics rollups sum.
 * Both writes are idempotent, so runs may overlap and repeat.
 */
export async function runSlaCheck(orm: MikroORM, policiesOf: (em: EntityManager, workspaceId: string) => Promise<LoadedPolicy[]>, now: Date): Promise<SlaCheckResult> {
  const em = orm.em.fork();
  const workspaces = await em.execute<{ workspace_id: string; resolved_since: Date }[]>(
    `select p.workspace_id, coalesce(max(g.resolved_since), min(p.created_at)) as resolved_since
     from sla_policies p left join sla_check_progress g on g.workspace_id = p.workspace_id group by p.workspace_id`,
  );
  let announced = 0;
  let settled = 0;
  for (const { workspace_id: workspaceId, resolved_since: resolvedSince } of workspaces) {
    const policies = await policiesOf(em, workspaceId);
    const since = new Date(new Date(resolvedSince).getTime() - resolvedLookbackMs);
    for (let after = ''; ; ) {
      const rows = await em.execute<CheckedConversation[]>(
        `select id, priority, channel, inbox, team_id, assignee_id, customer_id from conversations c
         where workspace_id = ? and id > ? and (status <> 'resolved' or id in (
           select conversation_id from conversation_status_changes where workspace_id = ? and to_status = 'resolved' and changed_at >= ?))
         order by id limit ${conversationsPerBatch}`,
        [workspaceId, after, workspaceId, since],
      );
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
      const result = await checkBatch(orm, workspaceId, policies, rows, now);
      announced += result.announced;
      settled += result.settled;
    }
    await em.execute(
      `insert into sla_check_progress (workspace_id, resolved_since) values (?, ?) on conflict (workspace_id) do update set resolved_since = excluded.resolved_since`,
      [workspaceId, now],
    );
  }
  return { announced, settled };
}

type RecordedOutcome = SlaOutcome & { readonly conversationId: string; readonly policyId: string };
type RecordedDuration = BusinessDuration & { readonly conversationId: string; readonly policyId: string; readonly calendarId: string | null };

/** Announces and settles what is due for one batch of a workspace's conversations. */
async function checkBatch(orm: MikroORM, workspaceId: string, policies: readonly LoadedPolicy[], rows: readonly CheckedConversation[], now: Date): Promise<SlaCheckResult> {
  const facts = await settlementFacts(orm, workspaceId, rows);
  const outcomes: RecordedOutcome[] = [];
  const durations: RecordedDuration[] = [];
  const due: { row: CheckedConversation; policyId: string; target: string; dueAt: Date; stage: 'warning' | 'breach' }[] = [];
  for (const row of rows) {
    const conversation = facts.get(row.id);
    const policy = conversation && policyFor(policies, conversation);
    if (!conversation || !policy) continue;
    const settlement = settle(policy, conversation, now);
    outcomes.push(...settlement.outcomes.map((outcome) => ({ ...outcome, conversationId: row.id, policyId: policy.id })));
    durations.push(...settlement.durations.map((duration) => ({ ...duration, conversationId: row.id, policyId: policy.id, calendarId: policy.entity.calendarId })));
    if (conversation.resolvedAt && conversation.resolvedAt <= now) continue;
    for (const target of evaluateTargets(policy, conversation, now)) {
      if (target.achievedAt || target.status === 'PAUSED') continue;
      const stage = now >= target.dueAt ? 'breach' : now >= target.warnAt ? 'warning' : null;
      if (stage) due.push({ row, policyId: policy.id, target: target.kind, dueAt: target.dueAt, stage });
    }
  }
  // Most of what is due was announced by an earlier run: one read finds it, so only new announcements take a transaction each.
  const announcedBefore = await notificationsOf(orm, workspaceId, rows);
  let announced = 0;
  for (const { row, policyId, target, dueAt, stage } of due) {
    if (announcedBefore.has(notificationKey(row.id, target, stage, dueAt))) continue;
    announced += await announce(orm, workspaceId, row, policyId, target, dueAt, stage, now);
  }
  return { announced, settled: await recordSettlements(orm, workspaceId, outcomes, durations) };
}

/** `?` placeholders for one per value. */
const inList = (values: readonly unknown[]) => values.map(() => '?').join(', ');

const notificationKey = (conversationId: string, target: string, stage: string, dueAt: Date) => `${conversationId}/${target}/${stage}/${dueAt.getTime()}`;

async function notificationsOf(orm: MikroORM, workspaceId: string, rows: readonly CheckedConversation[]): Promise<Set<string>> {
  const notified = await orm.em.fork().execute<{ conversation_id: string; target: string; stage: string; due_at: Date }[]>(
    `select conversation_id, target, stage, due_at from sla_notifications where workspace_id = ? and conversation_id in (${inList(rows)})`,
    [workspaceId, ...rows.map((row) => row.id)],
  );
  return new Set(notified.map((row) => notificationKey(row.conversation_id, row.target, row.stage, new Date(row.due_at))));
}

/** The facts of a batch of conversations: statistics by the loader Conversation.statistics uses, resolved spells and messages in one statement each. */
async function settlementFacts(orm: MikroORM, workspaceId: string, rows: readonly CheckedConversation[]): Promise<Map<string, SettlementFacts>> {
  const em = orm.em.fork();
  const ids = rows.map((row) => row.id);
  const loader = new RequestLoaders(em).get(conversationStatisticsLoader);
  const [statistics, resolutions, messages] = await Promise.all([
    Promise.all(rows.map((row) => loader.load({ workspaceId, id: row.id }))),
    // Each move into RESOLVED with the next move out of it.
    em.execute<{ conversation_id: string; resolved_at: Date; reopened_at: Date | null }[]>(
      `select conversation_id, changed_at as resolved_at, reopened_at from (
         select conversation_id, changed_at, from_status, to_status, lead(changed_at) over (partition by conversation_id order by changed_at, id) as reopened_at
         from conversation_status_changes where workspace_id = ? and conversation_id in (${inList(ids)})) changes
       where from_status is not null and to_status = 'resolved' order by changed_at`,
      [workspaceId, ...ids],
    ),
    em.execute<{ conversation_id: string; created_at: Date; is_reply: boolean }[]>(
      `select conversation_id, created_at, author_type <> 'customer' as is_reply from messages
       where workspace_id = ? and conversation_id in (${inList(ids)}) and author_type in ('customer', 'agent', 'bot') order by created_at, id`,
      [workspaceId, ...ids],
    ),
  ]);
  const [spellsOf, messagesOf] = [groupByConversation(resolutions), groupByConversation(messages)];
  const facts = new Map<string, SettlementFacts>();
  rows.forEach((row, index) => {
    const stats = statistics[index];
    if (!stats) return;
    const base: SlaFacts = {
      priority: row.priority, channel: row.channel, inbox: row.inbox, teamId: row.team_id,
      createdAt: stats.createdAt, firstResponseAt: stats.firstResponseAt, resolvedAt: stats.resolvedAt, waitingSince: stats.waitingSince, pendingSpells: stats.pendingSpells,
    };
    facts.set(row.id, {
      ...base,
      resolvedSpells: (spellsOf.get(row.id) ?? []).map((spell) => ({ from: new Date(spell.resolved_at), until: spell.reopened_at && new Date(spell.reopened_at) })),
      messages: (messagesOf.get(row.id) ?? []).map((message) => ({ at: new Date(message.created_at), isReply: message.is_reply })),
    });
  });
  return facts;
}

function groupByConversation<Row extends { conversation_id: string }>(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.conversation_id);
    if (group) group.push(row);
    else groups.set(row.conversation_id, [row]);
  }
  return groups;
}

/** Inserts what is not recorded yet, in one transaction; rows already there (from an earlier run) are left as they are. */
async function recordSettlements(
  orm: MikroORM,
  workspaceId: string,
  outcomes: readonly RecordedOutcome[],
  durations: readonly RecordedDuration[],
): Promise<number> {
  if (outcomes.length === 0 && durations.length === 0) return 0;
  return orm.em.fork().transactional(async (tx) => {
    const [recordedOutcomes, recordedDurations] = [
      await tx.execute<unknown[]>(
        `insert into sla_outcomes (workspace_id, conversation_id, policy_id, target, started_at, due_at, settled_at, achieved)
         select ?, r.* from jsonb_to_recordset(?::jsonb) as r(conversation_id text, policy_id text, target text, started_at timestamptz, due_at timestamptz, settled_at timestamptz, achieved boolean)
         on conflict do nothing returning 1`,
        [workspaceId, JSON.stringify(outcomes.map((o) => ({ conversation_id: o.conversationId, policy_id: o.policyId, target: o.target, started_at: o.startedAt, due_at: o.dueAt, settled_at: o.settledAt, achieved: o.achieved })))],
      ),
      await tx.execute<unknown[]>(
        `insert into sla_business_durations (workspace_id, conversation_id, policy_id, calendar_id, metric, at, business_ms)
         select ?, r.* from jsonb_to_recordset(?::jsonb) as r(conversation_id text, policy_id text, calendar_id text, metric text, at timestamptz, business_ms bigint)
         on conflict do nothing returning 1`,
        [workspaceId, JSON.stringify(durations.map((d) => ({ conversation_id: d.conversationId, policy_id: d.policyId, calendar_id: d.calendarId, metric: d.metric, at: d.at, business_ms: d.businessMs })))],
      ),
    ];
    return recordedOutcomes.length + recordedDurations.length;
  });
}

/** One announcement per conversation, target, stage and due time: the notification row and the event commit together. */
async function announce(orm: MikroORM, workspaceId: string, row: CheckedConversation, policyId: string, target: string, dueAt: Date, stage: 'warning' | 'breach', now: Date): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    const inserted = await tx.execute<unknown[]>(
      `insert into sla_notifications (workspace_id, conversation_id, target, stage, due_at, notified_at) values (?, ?, ?, ?, ?, ?) on conflict do nothing returning 1`,
      [workspaceId, row.id, target, stage, dueAt, now],
    );
    if (inserted.length === 0) return 0;
    await recordEvent(tx, workspaceId, stage === 'breach' ? 'conversation.sla_breached' : 'conversation.sla_warning', {
      conversation: {
        id: row.id, priority: String(row.priority).toUpperCase(), channel: String(row.channel).toUpperCase(), inbox: row.inbox,
        teamId: row.team_id, assigneeId: row.assignee_id, customerId: row.customer_id,
      },
      sla: { policyId, target, dueAt: dueAt.toISOString() },
    });
    return 1;
  });
}
