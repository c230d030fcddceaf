import { Field, ObjectType } from 'type-graphql';
import { ApiKeyType } from './api-key.type';

/**
 * A payload that issues a key secret carries it sealed: the idempotency record keeps the payload
 * as returned, and a retry must give back the secret the caller lost without the database ever
 * holding it in clear. `secret` is opened by ApiKeySecretRevealResolver.
 */
export interface KeySecretPayload {
  readonly apiKey: ApiKeyType;
  readonly sealedSecret: string;
}

@ObjectType('ApiKeyCreatePayload')
export class ApiKeyCreatePayload implements KeySecretPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  sealedSecret!: string;
}

@ObjectType('ApiKeyUpdatePayload')
export class ApiKeyUpdatePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}

@ObjectType('ApiKeyRotatePayload')
export class ApiKeyRotatePayload implements KeySecretPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  sealedSecret!: string;
}

@ObjectType('ApiKeyRevokePayload')
export class ApiKeyRevokePayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
}
