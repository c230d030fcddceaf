import { Field, ObjectType } from 'type-graphql';
import { ApiKeyType } from './api-key.type';

@ObjectType('ApiKeyCreatePayload')
export class ApiKeyCreatePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The secret, shown this once. Store it now: it cannot be read again.' })
  secret!: string;
}

@ObjectType('ApiKeyUpdatePayload')
export class ApiKeyUpdatePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}

@ObjectType('ApiKeyRotatePayload')
export class ApiKeyRotatePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The new secret, shown this once.' })
  secret!: string;
}

@ObjectType('ApiKeyRevokePayload')
export class ApiKeyRevokePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}
