import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { ListSize } from '../../policies/cost/cost-directives';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import type { LoaderFactory } from '../../platform/request-loaders';
import { ConversationType } from '../conversations';
import { conversationStatisticsLoader } from '../conversations/insights/conversation-insights.loaders';
import { evaluateTargets, policyFor } from './sla-evaluation';
import type { SlaTargets } from './sla.entities';
import type { LoadedPolicy, SlaService } from './sla.service';
import {
  BusinessCalendarCreateInput, BusinessCalendarCreatePayload, BusinessCalendarType, ConversationSlaType, SlaPolicyCreateInput, SlaPolicyDeleteInput,
  SlaPolicyDeletePayload, SlaPolicyPayload, SlaPolicyType, SlaPolicyUpdateInput, toCalendarType, toPolicyType, toTargetStateType, type SlaTargetsType,
} from './sla.type';

const maxPolicies = 100;

/** SLA policies and business hours: managed with conversations:write, read with conversations:read; `Conversation.sla` evaluated at read time. */
@Resolver(() => ConversationType)
export class SlaResolver {
  private readonly policiesLoader: LoaderFactory<DataLoader<string, LoadedPolicy[]>>;

  constructor(private readonly service: SlaService) {
    this.policiesLoader = (em) => new DataLoader(async (workspaceIds) => Promise.all(workspaceIds.map((workspaceId) => service.policies(em, workspaceId))));
  }

  @Query(() => [SlaPolicyType], { nullable: true, description: 'SLA policies of the workspace, in the order they are tried.' })
  @RequiresScopes(['conversations:read'])
  @ListSize({ assumedSize: maxPolicies })
  async slaPolicies(@Ctx() { em, principal }: RequestContext): Promise<SlaPolicyType[]> {
    return (await this.service.policies(em, principal.workspaceId)).map((policy) => toPolicyType(policy.entity));
  }

  @Query(() => [BusinessCalendarType], { nullable: true })
  @RequiresScopes(['conversations:read'])
  @ListSize({ assumedSize: maxPolicies })
  async businessCalendars(@Ctx() { em, principal }: RequestContext): Promise<BusinessCalendarType[]> {
    return (await this.service.calendars(em, principal.workspaceId)).map(toCalendarType);
  }

  @Mutation(() => BusinessCalendarCreatePayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async businessCalendarCreate(@Arg('input', () => BusinessCalendarCreateInput) input: BusinessCalendarCreateInput, @Ctx() context: RequestContext) {
    const calendar = await this.service.createCalendar(context.em, actorOf(context), input.name, { timeZone: input.timeZone, weeklyHours: input.weeklyHours, holidays: input.holidays });
    return { businessCalendar: toCalendarType(calendar) };
  }

  @Mutation(() => SlaPolicyPayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async slaPolicyCreate(@Arg('input', () => SlaPolicyCreateInput) input: SlaPolicyCreateInput, @Ctx() context: RequestContext) {
    const policy = await this.service.createPolicy(context.em, actorOf(context), {
      name: input.name, position: input.position ?? undefined, conditions: conditionsOf(input.conditions), targets: targetsOf(input.targets),
      calendarId: input.businessCalendarId ?? null, warnBeforeMinutes: input.warnBeforeMinutes ?? undefined, pauseWhilePending: input.pauseWhilePending ?? undefined,
    });
    return { slaPolicy: toPolicyType(policy) };
  }

  @Mutation(() => SlaPolicyPayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async slaPolicyUpdate(@Arg('input', () => SlaPolicyUpdateInput) input: SlaPolicyUpdateInput, @Ctx() context: RequestContext) {
    const policy = await this.service.updatePolicy(context.em, actorOf(context), input.id, {
      name: input.name ?? undefined, position: input.position ?? undefined, conditions: input.conditions ? conditionsOf(input.conditions) : undefined,
      targets: input.targets ? targetsOf(input.targets) : undefined, calendarId: input.businessCalendarId, warnBeforeMinutes: input.warnBeforeMinutes ?? undefined,
      pauseWhilePending: input.pauseWhilePending ?? undefined,
    }, input.expectedVersion);
    return { slaPolicy: toPolicyType(policy) };
  }

  @Mutation(() => SlaPolicyDeletePayload, { nullable: true })
  @RequiresScopes(['conversations:write'])
  @Idempotent()
  async slaPolicyDelete(@Arg('input', () => SlaPolicyDeleteInput) input: SlaPolicyDeleteInput, @Ctx() context: RequestContext) {
    await this.service.deletePolicy(context.em, actorOf(context), input.id, input.expectedVersion);
    return { deletedSlaPolicyId: input.id };
  }

  @FieldResolver(() => ConversationSlaType, { nullable: true, description: 'The SLA policy that applies now and each target’s due time and state; null when no policy applies.' })
  async sla(@Root() conversation: ConversationType, @Ctx() { loaders, principal }: RequestContext): Promise<ConversationSlaType | null> {
    const [policies, statistics] = await Promise.all([
      loaders.get(this.policiesLoader).load(principal.workspaceId),
      loaders.get(conversationStatisticsLoader).load({ workspaceId: principal.workspaceId, id: conversation.id }),
    ]);
    if (!statistics) return null;
    const facts = {
      priority: conversation.priority as string, channel: conversation.channel as string, inbox: conversation.inbox, teamId: conversation.teamId,
      createdAt: statistics.createdAt, firstResponseAt: statistics.firstResponseAt, resolvedAt: statistics.resolvedAt, waitingSince: statistics.waitingSince,
      pendingSpells: statistics.pendingSpells,
    };
    const policy = policyFor(policies, facts);
    if (!policy) return null;
    const targets = evaluateTargets(policy, facts, new Date());
    const of = (kind: string) => toTargetStateType(targets.find((target) => target.kind === kind));
    return { policy: toPolicyType(policy.entity), firstResponse: of('firstResponse'), nextResponse: of('nextResponse'), resolution: of('resolution') };
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);

function targetsOf(targets: readonly SlaTargetsType[]): Record<string, SlaTargets> {
  return Object.fromEntries(targets.map(({ priority, firstResponseMinutes, nextResponseMinutes, resolutionMinutes }) => [
    priority, { firstResponseMinutes: firstResponseMinutes ?? null, nextResponseMinutes: nextResponseMinutes ?? null, resolutionMinutes: resolutionMinutes ?? null },
  ]));
}

function conditionsOf(conditions: { priorities?: string[] | null; channels?: string[] | null; inboxes?: string[] | null; teamIds?: string[] | null } | null | undefined) {
  if (!conditions) return {};
  return Object.fromEntries(Object.entries(conditions).filter(([, values]) => Array.isArray(values) && values.length > 0));
}
