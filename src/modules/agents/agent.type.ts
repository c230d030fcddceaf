import { Field, ID, Int, ObjectType } from 'type-graphql';
import { NodeInterface } from '../../platform/node';
import type { Agent, Team } from './agent.entity';

@ObjectType('Team', { implements: NodeInterface, description: 'A group of agents conversations can be routed to.' })
export class TeamType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change of a setting; send it back as expectedVersion to update only what you read.' })
  version!: number;

  @Field(() => String)
  name!: string;
}

@ObjectType('Agent', { implements: NodeInterface, description: 'A support agent conversations can be assigned to.' })
export class AgentType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Raised by one with every change of a setting; send it back as expectedVersion to update only what you read.' })
  version!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  email!: string;

  @Field(() => ID, { nullable: true })
  teamId!: string | null;

  @Field(() => Boolean, { description: 'False once deactivated: no new assignments.' })
  isActive!: boolean;

  @Field(() => Date, { nullable: true })
  deactivatedAt!: Date | null;
}

export const toTeamType = (team: Team): TeamType => ({ id: team.id, version: team.version, name: team.name });

export const toAgentType = (agent: Agent): AgentType => ({
  id: agent.id, version: agent.version, name: agent.name, email: agent.email, teamId: agent.team?.id ?? null, isActive: agent.deactivatedAt === null, deactivatedAt: agent.deactivatedAt,
});
