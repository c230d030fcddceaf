import { FieldResolver, Resolver, Root, type ClassType } from 'type-graphql';
import { ApiKeyCreatePayload, ApiKeyRotatePayload, type KeySecretPayload } from './api-key.payloads';
import type { ApiKeyService } from './api-key.service';

/** `secret` of a payload that issues one, opened from its sealed form for this response only. */
function keySecretResolver(payloadType: ClassType<KeySecretPayload>, description: string) {
  @Resolver(() => payloadType)
  class ApiKeySecretRevealResolver {
    constructor(readonly service: ApiKeyService) {}

    @FieldResolver(() => String, { description })
    secret(@Root() payload: KeySecretPayload): string {
      return this.service.openSecret(payload.sealedSecret);
    }
  }
  return ApiKeySecretRevealResolver;
}

export const ApiKeyCreateSecretResolver = keySecretResolver(
  ApiKeyCreatePayload,
  'The secret, shown in this response only (and to a retry with the same idempotency key). Store it now: it cannot be read again.',
);
export const ApiKeyRotateSecretResolver = keySecretResolver(ApiKeyRotatePayload, 'The new secret, shown in this response only (and to a retry with the same idempotency key).');
