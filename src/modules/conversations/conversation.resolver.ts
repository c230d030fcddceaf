import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { customerByIdLoader } from '../customers';
import { updateConversationsInBatch } from './conversation-batch';
import { primeRelatedRows, relatedRowsSelected } from './conversation-related-rows';
import { ConversationFilterInput, ConversationOrderInput } from './conversation.filter';
import {
  ConversationAssignInput, ConversationCreateInput, ConversationEscalateInput, ConversationNoteCreateInput, ConversationStatusChangeInput,
  ConversationUpdateInput, ConversationsBatchUpdateInput, MessageCreateInput, SatisfactionFeedbackCreateInput,
} from './conversation.inputs';
import {
  ConversationAssignPayload, ConversationCreatePayload, ConversationEscalatePayload, ConversationNoteCreatePayload, ConversationReopenPayload,
  ConversationResolvePayload, ConversationUpdatePayload, ConversationsBatchUpdatePayload, MessageCreatePayload, SatisfactionFeedbackCreatePayload,
} from './conversation.payloads';
import type { ConversationService } from './conversation.service';
import { ConversationConnection, ConversationType, toConversationNoteType, toConversationType, toMessageType } from './conversation.type';
import type { MessageService } from './activity/message.service';
import { Cost } from '../../policies/cost/cost-directives';
import { ConversationDeleteInput, ConversationDeletePayload, deleteConversation } from './conversation-removal';

const includeDeletedDescription =
  'Also list tombstones of conversations deleted in the updatedAfter/updatedBefore window (kept TOMBSTONE_RETENTION, 90 days), by deletion time among the others: `deletedAt` set, other filters not applied. Needs orderBy: {field: UPDATED_AT}. For incremental syncs.';

@Resolver()
export class ConversationResolver {
  constructor(
    private readonly service: ConversationService,
    private readonly messages: MessageService,
  ) {}

  @Query(() => ConversationConnection, { nullable: true, description: 'Conversations of the workspace; newest first unless orderBy says otherwise.' })
  @RequiresScopes(['conversations:read'])
  async conversations(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ConversationFilterInput, { nullable: true }) filter: ConversationFilterInput | null,
    @Arg('orderBy', () => ConversationOrderInput, { nullable: true }) orderBy: ConversationOrderInput | null,
    @Arg('includeDeleted', () => Boolean, { defaultValue: false, description: includeDeletedDescription }) includeDeleted: boolean,
    @Ctx() { em, principal, loaders }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const conversations = await this.service.list(em, principal.workspaceId, filter, orderBy, page, principal.reach, includeDeleted, relatedRowsSelected(info));
    primeRelatedRows(loaders, principal.workspaceId, conversations.items.map((item) => item.node));
    return toConnection(conversations, toConversationType);
  }

  @Mutation(() => ConversationDeletePayload, { nullable: true, description: 'Deletes a conversation with its messages, notes and ratings; `conversation.deleted`; a tombstone stays for syncs (docs/deletion.md).' })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationDelete(@Arg('input', () => ConversationDeleteInput) input: ConversationDeleteInput, @Ctx() context: RequestContext): Promise<ConversationDeletePayload> {
    return deleteConversation(context.em, actorOf(context), input.id, input.expectedVersion);
  }

  @Query(() => ConversationType, { nullable: true, description: 'One conversation; NOT_FOUND for ids of other workspaces too.' })
  @RequiresScopes(['conversations:read'])
  async conversation(@Arg('id', () => ID) id: string, @Ctx() { em, principal, loaders }: RequestContext): Promise<ConversationType> {
    const { conversation, customer } = await this.service.findWithCustomer(em, principal.workspaceId, id, principal.reach);
    if (customer) loaders.get(customerByIdLoader).prime({ workspaceId: principal.workspaceId, id: customer.id }, customer);
    return toConversationType(conversation);
  }

  @Mutation(() => ConversationCreatePayload, { nullable: true, description: 'Opens a conversation, with its customer (found or created) and first message.' })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationCreate(@Arg('input', () => ConversationCreateInput) input: ConversationCreateInput, @Ctx() context: RequestContext) {
    return { conversation: toConversationType(await this.service.create(context.em, actorOf(context), input)) };
  }

  @Mutation(() => ConversationUpdatePayload, { nullable: true, description: 'Changes status, priority, tags, metadata, external refs or assignee.' })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationUpdate(@Arg('input', () => ConversationUpdateInput) input: ConversationUpdateInput, @Ctx() context: RequestContext) {
    return { conversation: toConversationType(await this.service.update(context.em, actorOf(context), input.id, input)) };
  }

  @Mutation(() => ConversationAssignPayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationAssign(@Arg('input', () => ConversationAssignInput) input: ConversationAssignInput, @Ctx() context: RequestContext) {
    const conversation = await this.service.assign(context.em, actorOf(context), input.id, input.assigneeId ?? null, input.teamId, input.expectedVersion);
    return { conversation: toConversationType(conversation) };
  }

  @Mutation(() => ConversationEscalatePayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationEscalate(@Arg('input', () => ConversationEscalateInput) input: ConversationEscalateInput, @Ctx() context: RequestContext) {
    const conversation = await this.service.escalate(context.em, actorOf(context), input.id, input.reason, input.priority, input.expectedVersion);
    return { conversation: toConversationType(conversation) };
  }

  @Mutation(() => ConversationResolvePayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationResolve(@Arg('input', () => ConversationStatusChangeInput) input: ConversationStatusChangeInput, @Ctx() context: RequestContext) {
    return { conversation: toConversationType(await this.service.setStatus(context.em, actorOf(context), input.id, 'resolved', input.expectedVersion)) };
  }

  @Mutation(() => ConversationReopenPayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationReopen(@Arg('input', () => ConversationStatusChangeInput) input: ConversationStatusChangeInput, @Ctx() context: RequestContext) {
    return { conversation: toConversationType(await this.service.setStatus(context.em, actorOf(context), input.id, 'open', input.expectedVersion)) };
  }

  @Mutation(() => ConversationsBatchUpdatePayload, { nullable: true, description: 'Up to 100 updates, each applied or refused on its own. Priced per operation (`operations` weighs 10 each), not per call.' })
  @RequiresScopes(['conversations:write'])
  @Cost(0)
  @Idempotent()
  async conversationsBatchUpdate(@Arg('input', () => ConversationsBatchUpdateInput) input: ConversationsBatchUpdateInput, @Ctx() context: RequestContext) {
    const results = await updateConversationsInBatch(this.service, context.em, actorOf(context), input.operations);
    const appliedCount = results.filter((result) => result.error === null).length;
    return { results, appliedCount, failedCount: results.length - appliedCount };
  }

  @Mutation(() => MessageCreatePayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async messageCreate(@Arg('input', () => MessageCreateInput) input: MessageCreateInput, @Ctx() context: RequestContext) {
    const message = await this.messages.create(context.em, actorOf(context), input.conversationId, input);
    return { message: toMessageType(message), conversation: toConversationType(message.conversation) };
  }

  @Mutation(() => ConversationNoteCreatePayload, { nullable: true, description: 'An internal note, never shown to the customer.' })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async conversationNoteCreate(@Arg('input', () => ConversationNoteCreateInput) input: ConversationNoteCreateInput, @Ctx() context: RequestContext) {
    return { note: toConversationNoteType(await this.messages.createNote(context.em, actorOf(context), input.conversationId, input.body)) };
  }

  @Mutation(() => SatisfactionFeedbackCreatePayload, { nullable: true, description: 'Records the customer’s CSAT and/or NPS answer for a conversation.' })
  @RequiresScopes(['customers:write'])
  @Idempotent()
  async satisfactionFeedbackCreate(@Arg('input', () => SatisfactionFeedbackCreateInput) input: SatisfactionFeedbackCreateInput, @Ctx() context: RequestContext) {
    const feedback = await this.messages.createFeedback(context.em, actorOf(context), input);
    const { id, rating, npsScore, comment, createdAt } = feedback;
    return { feedback: { id, rating, npsScore, comment, createdAt, conversationId: feedback.conversation.id } };
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);
