import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import { toAgentType, toTeamType } from '../agents';
import {
  AgentCreateInput, AgentDeactivateInput, AgentDeactivatePayload, AgentPayload, AgentUpdateInput, TeamCreateInput, TeamPayload, TeamUpdateInput,
} from './directory.inputs';
import type { DirectoryService } from './directory.service';

/**
 * Agent and team provisioning. One scope, `directory:write`, for both: an identity provider
 * pushes users and groups together (SCIM has both), so two scopes would always be granted as a
 * pair, and a key that may move agents between teams must be able to create those teams.
 */
@Resolver()
export class DirectoryResolver {
  constructor(private readonly service: DirectoryService) {}

  @Mutation(() => AgentPayload, { nullable: true, description: 'Adds an agent, who can be assigned conversations at once.' })
  @RequiresScopes(['directory:write'])
  @Idempotent()
  async agentCreate(@Arg('input', () => AgentCreateInput) input: AgentCreateInput, @Ctx() context: RequestContext) {
    return { agent: toAgentType(await this.service.createAgent(context.em, actorOf(context), { name: input.name, email: input.email, teamId: input.teamId ?? null })) };
  }

  @Mutation(() => AgentPayload, { nullable: true, description: 'Changes an agent’s name, email or team.' })
  @RequiresScopes(['directory:write'])
  @Idempotent()
  async agentUpdate(@Arg('input', () => AgentUpdateInput) input: AgentUpdateInput, @Ctx() context: RequestContext) {
    const fields = { name: input.name ?? undefined, email: input.email ?? undefined, teamId: input.teamId };
    return { agent: toAgentType(await this.service.updateAgent(context.em, actorOf(context), input.id, fields, input.expectedVersion)) };
  }

  @Mutation(() => AgentDeactivatePayload, {
    nullable: true,
    description: 'Deactivates an agent: no new assignments; every conversation of theirs that is not RESOLVED is unassigned (its team stays). History and analytics keep them.',
  })
  @RequiresScopes(['directory:write'])
  @Idempotent()
  async agentDeactivate(@Arg('input', () => AgentDeactivateInput) input: AgentDeactivateInput, @Ctx() context: RequestContext) {
    const { agent, unassignedConversationIds } = await this.service.deactivateAgent(context.em, actorOf(context), input.id, input.expectedVersion);
    return { agent: toAgentType(agent), unassignedConversationIds };
  }

  @Mutation(() => TeamPayload, { nullable: true })
  @RequiresScopes(['directory:write'])
  @Idempotent()
  async teamCreate(@Arg('input', () => TeamCreateInput) input: TeamCreateInput, @Ctx() context: RequestContext) {
    return { team: toTeamType(await this.service.createTeam(context.em, actorOf(context), input.name)) };
  }

  @Mutation(() => TeamPayload, { nullable: true })
  @RequiresScopes(['directory:write'])
  @Idempotent()
  async teamUpdate(@Arg('input', () => TeamUpdateInput) input: TeamUpdateInput, @Ctx() context: RequestContext) {
    return { team: toTeamType(await this.service.updateTeam(context.em, actorOf(context), input.id, input.name, undefined, input.expectedVersion)) };
  }
}

const actorOf = (context: RequestContext) => actorFromPrincipal(context.principal, context.requestId);
