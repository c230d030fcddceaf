import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../../policies/auth/actor';
import { GatewayError, badUserInput } from '../../../platform/errors';
import { InputErrors, limits } from '../../../platform/validation';
import type { Page, PageArgs, Pager } from '../../../platform/pagination';
import { Agent } from '../../agents';
import { recordEvent } from '../../events';
import { Conversation } from '../conversation.entity';
import { conversationSnapshot, messageSnapshot } from '../conversation.events';
import { ConversationNote, type ConversationNoteRow } from './conversation-note.entity';
import type { MessageContentInput, SatisfactionFeedbackCreateInput } from '../conversation.inputs';
import { checkMessage } from '../conversation.rules';
import { Message, type MessageRow } from './message.entity';
import { SatisfactionFeedback } from './satisfaction-feedback.entity';
import { lockWorkspaceForWrite } from '../../workspaces';
import { writeTransaction } from '../../../platform/database/write-transaction';

/** What happens inside a conversation: messages, internal notes and the customer's rating. */
export class MessageService {
  constructor(private readonly pager: Pager) {}

  /** Adds a message to a conversation already locked by the caller's transaction. */
  async addMessage(tx: EntityManager, actor: Actor, conversation: Conversation, content: MessageContentInput, field: string): Promise<Message> {
    const errors = new InputErrors();
    checkMessage(errors, field, content);
    errors.throwIfAny();
    const authorAgent = content.authorAgentId ? await tx.findOne(Agent, { id: content.authorAgentId, workspace: actor.workspaceId }) : null;
    if (content.authorAgentId && !authorAgent) {
      throw new GatewayError('NOT_FOUND', 'Agent not found', { fieldErrors: [{ field: `${field}.authorAgentId`, message: 'No such agent in this workspace' }] });
    }
    const message = tx.create(Message, {
      workspace: actor.workspaceId,
      conversation,
      authorType: content.authorType,
      authorAgent,
      body: content.body,
      attachments: (content.attachments ?? []).map((attachment) => ({ ...attachment, url: attachment.url ?? null })),
    });
    conversation.lastActivityAt = message.createdAt;
    conversation.updatedAt = message.createdAt;
    conversation.version += 1;
    if (!conversation.firstResponseAt && (content.authorType === 'agent' || content.authorType === 'bot')) conversation.firstResponseAt = message.createdAt;
    await tx.flush();
    await recordEvent(tx, actor.workspaceId, 'message.created', { message: messageSnapshot(message), conversation: conversationSnapshot(conversation) });
    return message;
  }

  async create(em: EntityManager, actor: Actor, conversationId: string, content: MessageContentInput): Promise<Message> {
    return writeTransaction(em, async (tx) => this.addMessage(tx, actor, await this.lockConversation(tx, actor, conversationId), content, 'input'));
  }

  async createNote(em: EntityManager, actor: Actor, conversationId: string, body: string): Promise<ConversationNote> {
    new InputErrors().text('input.body', body, { min: 1, max: limits.maxTextLength }).throwIfAny();
    return writeTransaction(em, async (tx) => {
      const conversation = await this.lockConversation(tx, actor, conversationId);
      const note = tx.create(ConversationNote, { workspace: actor.workspaceId, conversation, author: actor.label, body });
      await tx.flush();
      await recordEvent(tx, actor.workspaceId, 'conversation.note_created', { note: { id: note.id, conversationId, author: note.author, body, createdAt: note.createdAt.toISOString() }, conversation: conversationSnapshot(conversation) });
      return note;
    });
  }

  async createFeedback(em: EntityManager, actor: Actor, input: SatisfactionFeedbackCreateInput): Promise<SatisfactionFeedback> {
    const errors = new InputErrors().range('input.rating', input.rating, 1, 5).range('input.npsScore', input.npsScore, 0, 10).text('input.comment', input.comment, { max: limits.maxTextLength });
    if (input.rating == null && input.npsScore == null) errors.add('input.rating', 'Give a rating, an npsScore or both');
    errors.throwIfAny();
    return writeTransaction(em, async (tx) => {
      const conversation = await this.lockConversation(tx, actor, input.conversationId);
      const feedback = tx.create(SatisfactionFeedback, {
        workspace: actor.workspaceId,
        conversation,
        customer: conversation.customer,
        rating: input.rating ?? null,
        npsScore: input.npsScore ?? null,
        comment: input.comment ?? null,
      });
      await tx.flush();
      await recordEvent(tx, actor.workspaceId, 'customer.satisfaction_feedback', {
        feedback: { id: feedback.id, conversationId: conversation.id, customerId: conversation.customer?.id ?? null, rating: feedback.rating, npsScore: feedback.npsScore, comment: feedback.comment, createdAt: feedback.createdAt.toISOString() },
      });
      return feedback;
    });
  }

  /** Each conversation's messages, oldest first, for many conversations in one statement (`Pager.nestedPages`). */
  listMessages(em: EntityManager, workspaceId: string, conversationIds: readonly string[], args: PageArgs): Promise<(Page<MessageRow> | Error)[]> {
    const query = { entity: Message, parent: 'conversation', where: { workspace: workspaceId }, sort: oldestFirst, listOf: (id: string) => `conversations/${id}/messages`, workspaceId } as const;
    return this.pager.nestedPages(em, query, conversationIds, args);
  }

  /** Each conversation's internal notes, oldest first, for many conversations in one statement. */
  listNotes(em: EntityManager, workspaceId: string, conversationIds: readonly string[], args: PageArgs): Promise<(Page<ConversationNoteRow> | Error)[]> {
    const query = { entity: ConversationNote, parent: 'conversation', where: { workspace: workspaceId }, sort: oldestFirst, listOf: (id: string) => `conversations/${id}/notes`, workspaceId } as const;
    return this.pager.nestedPages(em, query, conversationIds, args);
  }

  private async lockConversation(tx: EntityManager, actor: Actor, id: string): Promise<Conversation> {
    await lockWorkspaceForWrite(tx, actor.workspaceId);
    const conversation = await tx.findOne(Conversation, { id, workspace: actor.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['customer', 'assignee', 'team'] });
    if (!conversation) throw badUserInput([{ field: 'input.conversationId', message: 'No such conversation' }], 'Conversation not found');
    return conversation;
  }
}

const oldestFirst = { field: 'createdAt', direction: 'asc' } as const;
