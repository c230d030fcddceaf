import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { connectionType } from '../../platform/pagination';
import type { AuditEntry } from './audit-entry.entity';

@ObjectType('AuditEntry', { description: 'One administrative change. Never holds a secret.' })
export class AuditEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'What happened, e.g. `api_key.created`.' })
  action!: string;

  @Field(() => String, { description: 'The acting `key_…` id, or `cli` / `bootstrap` for an operator on the server.' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'Client IP of the request that made the change.' })
  actorIp!: string | null;

  @Field(() => String, { nullable: true, description: 'The `X-Request-Id` of that request.' })
  requestId!: string | null;

  @Field(() => String)
  targetType!: string;

  @Field(() => ID)
  targetId!: string;

  @Field(() => GraphQLJSONObject, { description: 'The fields that changed, as `{field: {from, to}}` for updates.' })
  changes!: Record<string, unknown>;

  @Field(() => Date)
  createdAt!: Date;
}

export const AuditEntryConnection = connectionType('AuditEntry', AuditEntryType);

export function toAuditEntryType(entry: AuditEntry): AuditEntryType {
  const { id, action, actor, actorIp, requestId, targetType, targetId, changes, createdAt } = entry;
  return { id, action, actor, actorIp, requestId, targetType, targetId, changes, createdAt };
}
