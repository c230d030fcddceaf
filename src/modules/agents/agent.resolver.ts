import { Ctx, Query, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { Agent, Team } from './agent.entity';
import { AgentType, TeamType, toAgentType, toTeamType } from './agent.type';
import { ListSize } from '../../policies/cost/cost-directives';

/** Agents and teams are managed in the support platform; the API lists them for assignment. */
@Resolver()
export class AgentResolver {
  @Query(() => [AgentType], { nullable: true, description: 'Agents of the workspace, by name (at most 1000).' })
  @RequiresScopes(['conversations:read'])
  @ListSize({ assumedSize: 100 })
  async agents(@Ctx() { em, principal }: RequestContext): Promise<AgentType[]> {
    const agents = await em.find(Agent, { workspace: principal.workspaceId }, { orderBy: { name: 'asc', id: 'asc' }, limit: 1000 });
    return agents.map(toAgentType);
  }

  @Query(() => [TeamType], { nullable: true, description: 'Teams of the workspace, by name (at most 1000).' })
  @RequiresScopes(['conversations:read'])
  @ListSize({ assumedSize: 100 })
  async teams(@Ctx() { em, principal }: RequestContext): Promise<TeamType[]> {
    const teams = await em.find(Team, { workspace: principal.workspaceId }, { orderBy: { name: 'asc', id: 'asc' }, limit: 1000 });
    return teams.map(toTeamType);
  }
}
