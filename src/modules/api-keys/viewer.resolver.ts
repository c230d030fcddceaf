import { Ctx, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../policies/request-context';
import type { ApiKeyService } from './api-key.service';
import { ApiKeyType, toApiKeyType } from './api-key.type';

@ObjectType('Workspace', { description: 'The tenant the calling key belongs to. Nothing crosses workspaces.' })
export class WorkspaceType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  slug!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType('ClientToken', { description: 'The client token a browser calls with (clientTokenCreate). Tokens are not stored: this is what the token itself says.' })
export class ClientTokenType {
  @Field(() => ID, { description: '`ctk_…`: what its limits count against.' })
  id!: string;

  @Field(() => Date, { description: 'Mint the next one before this.' })
  expiresAt!: Date;

  @Field(() => Boolean, { description: 'True when bound to a conversation, a customer or conversation conditions.' })
  isBound!: boolean;
}

@ObjectType('Viewer', { description: 'The caller: its key, workspace and effective scopes.' })
export class ViewerType {
  @Field(() => ApiKeyType, { description: 'The calling key; for a client token, the key that minted it.' })
  apiKey!: ApiKeyType;

  @Field(() => ClientTokenType, { nullable: true, description: 'The client token, when the caller uses one; null for a key.' })
  clientToken!: ClientTokenType | null;

  @Field(() => WorkspaceType)
  workspace!: WorkspaceType;

  @Field(() => [String], { description: 'Effective scopes, with `admin` expanded.' })
  scopes!: string[];
}

@Resolver()
export class ViewerResolver {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Query(() => ViewerType, { description: 'The calling API key. Needs no scope.' })
  async viewer(@Ctx() { em, principal }: RequestContext): Promise<ViewerType> {
    const apiKey = await this.apiKeys.find(em, principal.workspaceId, principal.apiKeyId);
    await em.populate(apiKey, ['workspace']);
    const { workspace } = apiKey;
    return {
      apiKey: toApiKeyType(apiKey),
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
      scopes: [...principal.effectiveScopes].sort(),
      clientToken: principal.expiresAt ? { id: principal.credentialId, expiresAt: principal.expiresAt, isBound: principal.reach !== undefined } : null,
    };
  }
}
