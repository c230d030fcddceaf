import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ExpectedVersionField } from '../../policies/concurrency/expected-version';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';
import { AgentType, TeamType } from '../agents';

@InputType('AgentCreateInput')
export class AgentCreateInput {
  @Field(() => String, { description: '1..255 characters.' })
  name!: string;

  @Field(() => String, { description: 'Unique among the workspace’s active agents, case-insensitively (CONFLICT otherwise).' })
  email!: string;

  @Field(() => ID, { nullable: true, description: 'The team the agent works in.' })
  teamId?: string | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('AgentUpdateInput', { description: 'Absent fields stay as they are.' })
export class AgentUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => ID, { nullable: true, description: 'Moves the agent to this team (team membership); an explicit null takes the agent out of any team.' })
  teamId?: string | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('AgentDeactivateInput')
export class AgentDeactivateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('TeamCreateInput')
export class TeamCreateInput {
  @Field(() => String, { description: '1..255 characters.' })
  name!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('TeamUpdateInput')
export class TeamUpdateInput {
  @Field(() => ID)
  id!: string;

  @ExpectedVersionField()
  expectedVersion?: number | null;

  @Field(() => String, { description: '1..255 characters.' })
  name!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('AgentPayload')
export class AgentPayload {
  @Field(() => AgentType)
  agent!: AgentType;
}

@ObjectType('AgentDeactivatePayload')
export class AgentDeactivatePayload {
  @Field(() => AgentType)
  agent!: AgentType;

  @Field(() => [ID], { description: 'The conversations it was assigned that are now unassigned (their team stays).' })
  unassignedConversationIds!: string[];
}

@ObjectType('TeamPayload')
export class TeamPayload {
  @Field(() => TeamType)
  team!: TeamType;
}
