import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../policies/auth/actor';
import { badUserInput, GatewayError, notFound } from '../../platform/errors';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import { InputErrors } from '../../platform/validation';
import { findPlainRows, plainRowFromColumns, type RelatedRowQuery, type WithRelatedRows } from '../../platform/database/plain-rows';
import { queryRows } from '../../platform/database/prepared-statements';
import type { Page, PageArgs, PageQuery, Pager } from '../../platform/pagination';
import { Agent, Team } from '../agents';
import { Customer, type CustomerRow, type CustomerService } from '../customers';
import { checkDeletedRecordsListable, deletedRecordsBeyond } from '../deleted-records';
import { conversationTombstone } from './conversation-removal';
import { recordEvent, type EventType } from '../events';
import { assertTransition } from './conversation-status';
import { Conversation, type ConversationPriority, type ConversationRow, type ConversationStatus } from './conversation.entity';
import { conversationSnapshot } from './conversation.events';
import { linkExternalRefs } from './conversation-external-refs';
import type { ConversationChangesInput, ConversationCreateInput } from './conversation.inputs';
import { checkChanges, mergeMetadata, validateCreation } from './conversation.rules';
import { toConversationSort, toConversationWhere, type ConversationFilterInput, type ConversationOrderInput } from './conversation.filter';
import type { MessageService } from './activity/message.service';
import { lockWorkspaceForWrite } from '../workspaces';
import { writeTransaction } from '../../platform/database/write-transaction';
import type { ConversationConditions } from '../../policies/auth/conversation-conditions';
import { isConversationInReach } from './conversation-conditions.where';

const priorityRank: Record<ConversationPriority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** Conversation lifecycle. Each change is one transaction with its events. */
export class ConversationService {
  constructor(
    private readonly pager: Pager,
    private readonly customers: CustomerService,
    private readonly messages: MessageService,
  ) {}

  async create(em: EntityManager, actor: Actor, input: ConversationCreateInput): Promise<Conversation> {
    validateCreation(input);
    return writeTransaction(em, async (tx) => {
      const customer = input.customer ? await this.customers.findOrCreateByReference(tx, actor, input.customer, 'input.customer') : null;
      const conversation = tx.create(Conversation, {
        workspace: actor.workspaceId,
        subject: input.subject.trim(),
        channel: input.channel,
        priority: input.priority,
        inbox: input.inbox ?? null,
        customer,
        assignee: input.assigneeId ? await this.findAgent(tx, actor.workspaceId, input.assigneeId, 'input.assigneeId') : null,
        team: input.teamId ? await this.findTeam(tx, actor.workspaceId, input.teamId, 'input.teamId') : null,
        tags: [...new Set(input.tags ?? [])],
        metadata: input.metadata ?? {},
      });
      await tx.flush();
      conversation.externalRefs = await linkExternalRefs(tx, conversation, (input.externalRefs ?? []).map((ref) => ({ ...ref, url: ref.url ?? null })), 'input.externalRefs');
      await recordEvent(tx, actor.workspaceId, 'conversation.created', { conversation: conversationSnapshot(conversation) });
      if (input.firstMessage) await this.messages.addMessage(tx, actor, conversation, input.firstMessage, 'input.firstMessage');
      return conversation;
    });
  }

  async update(em: EntityManager, actor: Actor, id: string, changes: ConversationChangesInput, prefix = 'input'): Promise<Conversation> {
    checkChanges(new InputErrors(), prefix, changes).throwIfAny();
    return writeTransaction(em, async (tx) => {
      const conversation = await this.findForUpdate(tx, actor.workspaceId, id, changes.expectedVersion, `${prefix}.expectedVersion`);
      const events = await this.applyChanges(tx, conversation, changes, prefix);
      await this.emit(tx, actor, conversation, events);
      return conversation;
    });
  }

  async assign(em: EntityManager, actor: Actor, id: string, assigneeId: string | null, teamId: string | null | undefined, expectedVersion?: number | null): Promise<Conversation> {
    return writeTransaction(em, async (tx) => {
      const conversation = await this.findForUpdate(tx, actor.workspaceId, id, expectedVersion);
      const assignee = assigneeId ? await this.findAgent(tx, actor.workspaceId, assigneeId, 'input.assigneeId') : null;
      const team = teamId === undefined ? conversation.team : teamId ? await this.findTeam(tx, actor.workspaceId, teamId, 'input.teamId') : null;
      // An agent of a team works that team's conversations: another team would route it past them.
      if (teamId && assignee?.team && assignee.team.id !== team?.id) {
        throw badUserInput([{ field: 'input.teamId', message: `The assignee belongs to team ${assignee.team.id}; assign that team, or none` }]);
      }
      conversation.assignee = assignee;
      conversation.team = team;
      await this.emit(tx, actor, conversation, ['conversation.assigned']);
      return conversation;
    });
  }

  async escalate(em: EntityManager, actor: Actor, id: string, reason: string, priority: ConversationPriority | null | undefined, expectedVersion?: number | null): Promise<Conversation> {
    new InputErrors().text('input.reason', reason, { min: 1, max: 1000 }).throwIfAny();
    return writeTransaction(em, async (tx) => {
      const conversation = await this.findForUpdate(tx, actor.workspaceId, id, expectedVersion);
      this.changeStatus(conversation, 'escalated', 'input.id');
      conversation.escalationReason = reason.trim();
      conversation.priority = priority ?? (priorityRank[conversation.priority] < priorityRank.high ? 'high' : conversation.priority);
      await this.emit(tx, actor, conversation, ['conversation.escalated']);
      return conversation;
    });
  }

  /** conversationResolve and conversationReopen. */
  async setStatus(em: EntityManager, actor: Actor, id: string, status: 'resolved' | 'open', expectedVersion?: number | null): Promise<Conversation> {
    return writeTransaction(em, async (tx) => {
      const conversation = await this.findForUpdate(tx, actor.workspaceId, id, expectedVersion);
      if (status === 'open' && conversation.status !== 'resolved') {
        throw new GatewayError('BAD_USER_INPUT', `Only a resolved conversation can be reopened; this one is ${conversation.status}`, {
          fieldErrors: [{ field: 'input.id', message: 'Not resolved' }],
          currentStatus: conversation.status.toUpperCase(),
        });
      }
      this.changeStatus(conversation, status, 'input.id');
      await this.emit(tx, actor, conversation, [status === 'resolved' ? 'conversation.resolved' : 'conversation.reopened']);
      return conversation;
    });
  }

  /** One conversation to read (a plain row, not a managed entity); outside a client token's reach is NOT_FOUND too. */
  async find(em: EntityManager, workspaceId: string, id: string, reach?: ConversationConditions): Promise<ConversationRow> {
    const conversation = await this.findVisible(em, workspaceId, id, reach);
    if (!conversation) throw notFound('Conversation');
    return conversation;
  }

  /** The conversation, or null when the workspace has none by that id or it is outside the reach. */
  async findVisible(em: EntityManager, workspaceId: string, id: string, reach: ConversationConditions | undefined): Promise<ConversationRow | null> {
    const [conversation] = await findPlainRows<ConversationRow>(em, Conversation, { where: { id, workspace: workspaceId } });
    return conversation && isConversationInReach(reach, conversation) ? conversation : null;
  }

  /**
   * One conversation with its customer, in one statement: the conversation screen shows both, and
   * the caller primes the request's customer loader with it.
   */
  async findWithCustomer(em: EntityManager, workspaceId: string, id: string, reach?: ConversationConditions): Promise<{ conversation: ConversationRow; customer: CustomerRow | null }> {
    const [row] = await queryRows<{ conversation: Record<string, unknown>; customer: Record<string, unknown> | null }>(
      em,
      `select to_jsonb(c) as conversation, to_jsonb(cu) as customer
       from conversations c left join customers cu on cu.id = c.customer_id and cu.workspace_id = c.workspace_id where c.id = ? and c.workspace_id = ?`,
      [id, workspaceId],
    );
    const conversation = row && plainRowFromColumns<ConversationRow>(em, Conversation, row.conversation);
    if (!conversation || !isConversationInReach(reach, conversation)) throw notFound('Conversation');
    return { conversation, customer: row.customer && plainRowFromColumns<CustomerRow>(em, Customer, row.customer) };
  }

  /**
   * With `includeDeleted`, tombstones of deleted conversations come beside the live ones, in update
   * order. `related`: rows to read with each conversation of the page (live ones only).
   */
  list(
    em: EntityManager, workspaceId: string, filter: ConversationFilterInput | null | undefined, orderBy: ConversationOrderInput | null | undefined, args: PageArgs,
    reach?: ConversationConditions, includeDeleted = false, related: readonly RelatedRowQuery[] = [],
  ): Promise<Page<WithRelatedRows<ConversationRow>>> {
    const query = this.listQuery(workspaceId, filter, orderBy, reach);
    if (!includeDeleted) return this.pager.pageRows(em, { ...query, related }, args);
    checkDeletedRecordsListable(query.sort.field, reach);
    const window = { after: filter?.updatedAfter, before: filter?.updatedBefore };
    return this.pager.pageRowsAlongside<Conversation, ConversationRow>(em, query, args, async (position, order, limit) =>
      (await deletedRecordsBeyond(em, workspaceId, 'conversation', window, position, order, limit)).map(conversationTombstone),
    );
  }

  /** The keyset query of `conversations`: bulk exports read the same list. */
  listQuery(workspaceId: string, filter: ConversationFilterInput | null | undefined, orderBy: ConversationOrderInput | null | undefined, reach?: ConversationConditions): PageQuery<Conversation> {
    return { entity: Conversation, where: toConversationWhere(workspaceId, filter, reach), sort: toConversationSort(orderBy), list: 'conversations', workspaceId };
  }

  /** Each customer's conversations, for many customers in one statement (`Pager.nestedPages`). */
  listOfCustomers(em: EntityManager, workspaceId: string, customerIds: readonly string[], orderBy: ConversationOrderInput | null | undefined, args: PageArgs, reach?: ConversationConditions): Promise<(Page<ConversationRow> | Error)[]> {
    const listOf = (customerId: string) => `customers/${customerId}/conversations`;
    const query = { entity: Conversation, parent: 'customer', where: toConversationWhere(workspaceId, null, reach), sort: toConversationSort(orderBy), listOf, workspaceId } as const;
    return this.pager.nestedPages(em, query, customerIds, args);
  }

  /**
   * Applies one set of changes and says which events they make. Everything that can fail is
   * checked before the first field changes, so a refused change leaves the entity untouched.
   */
  async applyChanges(tx: EntityManager, conversation: Conversation, changes: ConversationChangesInput, prefix: string): Promise<EventType[]> {
    const isStatusChange = changes.status != null && changes.status !== conversation.status;
    if (isStatusChange) assertTransition(conversation.status, changes.status!, `${prefix}.status`);
    const assignee = changes.assigneeId != null ? await this.findAgent(tx, conversation.workspace.id, changes.assigneeId, `${prefix}.assigneeId`) : undefined;
    const metadata = changes.metadataMerge ? mergeMetadata(conversation.metadata, changes.metadataMerge, `${prefix}.metadataMerge`) : undefined;
    const externalRefs = changes.externalRefsAdd
      ? await linkExternalRefs(tx, conversation, changes.externalRefsAdd.map((ref) => ({ ...ref, url: ref.url ?? null })), `${prefix}.externalRefsAdd`)
      : undefined;

    const events = new Set<EventType>();
    if (changes.subject != null) conversation.subject = changes.subject.trim();
    if (changes.priority != null) conversation.priority = changes.priority;
    if (changes.tagsAdd || changes.tagsRemove) {
      const removed = new Set(changes.tagsRemove ?? []);
      conversation.tags = [...new Set([...conversation.tags, ...(changes.tagsAdd ?? [])])].filter((tag) => !removed.has(tag));
    }
    if (metadata) conversation.metadata = metadata;
    if (externalRefs) conversation.externalRefs = externalRefs;
    if (changes.subject != null || changes.priority != null || changes.tagsAdd || changes.tagsRemove || metadata || externalRefs) events.add('conversation.updated');
    if (assignee) {
      conversation.assignee = assignee;
      events.add('conversation.assigned');
    }
    if (isStatusChange) {
      const from = conversation.status;
      this.changeStatus(conversation, changes.status!, `${prefix}.status`);
      events.add(statusEvent(from, changes.status!));
    }
    return [...events];
  }

  async emit(tx: EntityManager, actor: Actor, conversation: Conversation, events: readonly EventType[]): Promise<void> {
    if (events.length === 0) return;
    conversation.updatedAt = new Date();
    conversation.version += 1;
    await tx.flush();
    for (const type of events) await recordEvent(tx, actor.workspaceId, type, { conversation: conversationSnapshot(conversation) });
  }

  /** Locks the conversation for a change, at `expectedVersion` when one is given (CONFLICT otherwise). */
  async findForUpdate(tx: EntityManager, workspaceId: string, id: string, expectedVersion?: number | null, versionField = 'input.expectedVersion'): Promise<Conversation> {
    await lockWorkspaceForWrite(tx, workspaceId);
    const conversation = await tx.findOne(Conversation, { id, workspace: workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['customer', 'assignee', 'team'] });
    if (!conversation) throw notFound('Conversation');
    assertExpectedVersion(conversation.version, expectedVersion, versionField);
    return conversation;
  }

  private changeStatus(conversation: Conversation, to: ConversationStatus, field: string): void {
    assertTransition(conversation.status, to, field);
    conversation.status = to;
    conversation.lastActivityAt = new Date();
    conversation.resolvedAt = to === 'resolved' ? new Date() : null;
    if (to !== 'escalated') conversation.escalationReason = to === 'resolved' ? conversation.escalationReason : null;
  }

  private async findAgent(tx: EntityManager, workspaceId: string, id: string, field: string): Promise<Agent> {
    const agent = await tx.findOne(Agent, { id, workspace: workspaceId });
    if (!agent) throw new GatewayError('NOT_FOUND', 'Agent not found', { fieldErrors: [{ field, message: 'No such agent in this workspace' }] });
    if (agent.deactivatedAt) throw badUserInput([{ field, message: `Agent ${id} was deactivated and takes no new conversations` }]);
    return agent;
  }

  private async findTeam(tx: EntityManager, workspaceId: string, id: string, field: string): Promise<Team> {
    const team = await tx.findOne(Team, { id, workspace: workspaceId });
    if (!team) throw new GatewayError('NOT_FOUND', 'Team not found', { fieldErrors: [{ field, message: 'No such team in this workspace' }] });
    return team;
  }
}

function statusEvent(from: ConversationStatus, to: ConversationStatus): EventType {
  if (to === 'resolved') return 'conversation.resolved';
  if (to === 'escalated') return 'conversation.escalated';
  return from === 'resolved' ? 'conversation.reopened' : 'conversation.updated';
}
