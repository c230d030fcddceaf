import { FieldResolver, Resolver, Root, type ClassType } from 'type-graphql';
import { WebhookEndpointCreatePayload, WebhookEndpointRotateSecretPayload, type SecretRevealingPayload } from './webhook-endpoint.payloads';
import type { WebhookEndpointService } from './webhook-endpoint.service';

/**
 * `secret` of a payload that issues one: opened from the sealed form the payload (and so its
 * idempotency record) carries, in this response only.
 */
function secretRevealResolver(payloadType: ClassType<SecretRevealingPayload>) {
  @Resolver(() => payloadType)
  class WebhookSecretRevealResolver {
    constructor(readonly service: WebhookEndpointService) {}

    @FieldResolver(() => String, {
      description: 'The signing secret `whsec_…`, shown in this response only (and to a retry with the same idempotency key). Store it now.',
    })
    secret(@Root() payload: SecretRevealingPayload): string {
      return this.service.openSecret(payload.sealedSecret);
    }
  }
  return WebhookSecretRevealResolver;
}

export const WebhookEndpointCreateSecretResolver = secretRevealResolver(WebhookEndpointCreatePayload);
export const WebhookEndpointRotateSecretResolver = secretRevealResolver(WebhookEndpointRotateSecretPayload);
