import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { ClientTokenCreateInput, ClientTokenCreatePayload } from './client-token.inputs';
import type { ClientTokenService } from './client-token.service';

@Resolver()
export class ClientTokenResolver {
  constructor(private readonly service: ClientTokenService) {}

  @Mutation(() => ClientTokenCreatePayload, { nullable: true, description: 'Mints a short-lived client token for a browser (docs/client-tokens.md).' })
  @RequiresScopes(['tokens:write'])
  async clientTokenCreate(@Arg('input', () => ClientTokenCreateInput) input: ClientTokenCreateInput, @Ctx() { em, principal }: RequestContext): Promise<ClientTokenCreatePayload> {
    return this.service.mint(em, principal, input);
  }
}
