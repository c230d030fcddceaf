import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import { ID } from 'type-graphql';
import { actorFromPrincipal } from '../../policies/auth/actor';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { FieldRateLimit } from '../../policies/rate-limit/field-rate-limit';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection } from '../../platform/pagination';
import { ApiKeyCreateInput, ApiKeyRevokeInput, ApiKeyRotateInput, ApiKeyUpdateInput, toSettings } from './api-key.inputs';
import { ApiKeyCreatePayload, ApiKeyRevokePayload, ApiKeyRotatePayload, ApiKeyUpdatePayload } from './api-key.payloads';
import type { ApiKeyService } from './api-key.service';
import { ApiKeyConnection, ApiKeyType, toApiKeyType } from './api-key.type';

/** Minting secrets is rare for honest callers and the first thing a stolen admin key is used for. */
const credentialsPerWindow = 30;
const credentialWindowSeconds = 60;

@Resolver()
export class ApiKeyResolver {
  constructor(private readonly service: ApiKeyService) {}

  @Query(() => ApiKeyConnection, { nullable: true, description: 'API keys of the workspace, newest first.' })
  @RequiresScopes(['keys:read'])
  async apiKeys(@Args(() => PageArgs) page: PageArgs, @Ctx() { em, principal }: RequestContext) {
    return toConnection(await this.service.list(em, principal.workspaceId, page), (apiKey) => toApiKeyType(apiKey));
  }

  @Query(() => ApiKeyType, { nullable: true, description: 'One key of the workspace; NOT_FOUND for any other id.' })
  @RequiresScopes(['keys:read'])
  async apiKey(@Arg('id', () => ID) id: string, @Ctx() { em, principal }: RequestContext): Promise<ApiKeyType> {
    return toApiKeyType(await this.service.find(em, principal.workspaceId, id));
  }

  @Mutation(() => ApiKeyCreatePayload, { nullable: true, description: 'Creates a key with at most the scopes of the calling key.' })
  @RequiresScopes(['keys:write'])
  @FieldRateLimit(credentialsPerWindow, credentialWindowSeconds)
  @Idempotent()
  async apiKeyCreate(@Arg('input', () => ApiKeyCreateInput) input: ApiKeyCreateInput, @Ctx() context: RequestContext): Promise<ApiKeyCreatePayload> {
    const { apiKey, secret } = await this.service.create(context.em, actorFromPrincipal(context.principal, context.requestId), {
      name: input.name,
      scopes: input.scopes,
      allowedCidrs: input.allowedCidrs ?? undefined,
      rateLimit: input.rateLimit ?? undefined,
      costBudget: input.costBudget ?? undefined,
      expiresAt: input.expiresAt ?? null,
    });
    return { apiKey: toApiKeyType(apiKey), sealedSecret: this.service.sealSecret(secret) };
  }

  @Mutation(() => ApiKeyUpdatePayload, { nullable: true })
  @RequiresScopes(['keys:write'])
  @Idempotent()
  async apiKeyUpdate(@Arg('input', () => ApiKeyUpdateInput) input: ApiKeyUpdateInput, @Ctx() context: RequestContext): Promise<ApiKeyUpdatePayload> {
    const apiKey = await this.service.update(context.em, actorFromPrincipal(context.principal, context.requestId), input.id, toSettings(input), input.expectedVersion);
    return { apiKey: toApiKeyType(apiKey) };
  }

  @Mutation(() => ApiKeyRotatePayload, { nullable: true, description: 'Issues a new secret; the previous one works for a grace period.' })
  @RequiresScopes(['keys:write'])
  @FieldRateLimit(credentialsPerWindow, credentialWindowSeconds)
  @Idempotent()
  async apiKeyRotate(@Arg('input', () => ApiKeyRotateInput) input: ApiKeyRotateInput, @Ctx() context: RequestContext): Promise<ApiKeyRotatePayload> {
    const actor = actorFromPrincipal(context.principal, context.requestId);
    const { apiKey, secret } = await this.service.rotate(context.em, actor, input.id, input.previousSecretExpiresInSeconds, input.expectedVersion);
    return { apiKey: toApiKeyType(apiKey), sealedSecret: this.service.sealSecret(secret) };
  }

  @Mutation(() => ApiKeyRevokePayload, { nullable: true, description: 'Revokes the key at once, on every instance. Idempotent.' })
  @RequiresScopes(['keys:write'])
  async apiKeyRevoke(@Arg('input', () => ApiKeyRevokeInput) input: ApiKeyRevokeInput, @Ctx() context: RequestContext): Promise<ApiKeyRevokePayload> {
    const apiKey = await this.service.revoke(context.em, actorFromPrincipal(context.principal, context.requestId), input.id, input.expectedVersion);
    return { apiKey: toApiKeyType(apiKey) };
  }
}
