import type { EntityManager } from '@mikro-orm/postgresql';
import { bothConditions, givenConditions, type ConversationConditions } from '../../policies/auth/conversation-conditions';
import type { Principal } from '../../policies/auth/principal';
import { scopesBeyond } from '../../policies/auth/scopes';
import { forbiddenScopes, GatewayError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { checkEventFilter } from '../events/event.filter';
import type { ClientTokenSigner } from './client-token.codec';
import type { ClientTokenCreateInput } from './client-token.inputs';
import { normalizedOrigin } from '../../platform/origins';
import { defaultTokenLifeSeconds, validateTokenInput } from './client-token.rules';

export interface MintedToken {
  readonly token: string;
  readonly expiresAt: Date;
  readonly scopes: string[];
}

/** Mints client tokens. Nothing is written: a token is its own record (see ClientTokenSigner). */
export class ClientTokenService {
  constructor(private readonly signer: ClientTokenSigner) {}

  async mint(em: EntityManager, principal: Principal, input: ClientTokenCreateInput, now = new Date()): Promise<MintedToken> {
    validateTokenInput(input);
    checkEventFilter(input.filter, 'input.filter');
    const missing = scopesBeyond(principal.grantedScopes, input.scopes);
    if (missing.length > 0) throw forbiddenScopes([missing], principal.grantedScopes, `This key cannot hand out scopes it does not hold: ${missing.join(', ')}`);
    await this.assertBindingsExist(em, principal.workspaceId, input);
    const expiresAtSeconds = Math.floor(now.getTime() / 1000) + (input.expiresInSeconds ?? defaultTokenLifeSeconds);
    const scopes = [...new Set(input.scopes)];
    const token = this.signer.sign({
      id: newId('ctk'),
      apiKeyId: principal.apiKeyId,
      workspaceId: principal.workspaceId,
      scopes,
      reach: reachOf(input),
      allowedOrigins: input.allowedOrigins?.length ? input.allowedOrigins.map((origin) => normalizedOrigin(origin)!) : undefined,
      expiresAt: expiresAtSeconds,
    });
    return { token, expiresAt: new Date(expiresAtSeconds * 1000), scopes };
  }

  /** A binding to an id the workspace does not have is refused, as any other unknown id. */
  private async assertBindingsExist(em: EntityManager, workspaceId: string, input: ClientTokenCreateInput): Promise<void> {
    const bindings = [
      { id: input.conversationId, table: 'conversations', field: 'input.conversationId', what: 'Conversation' },
      { id: input.customerId, table: 'customers', field: 'input.customerId', what: 'Customer' },
    ] as const;
    for (const { id, table, field, what } of bindings) {
      if (!id) continue;
      const rows = await em.getConnection().execute(`select 1 from ${table} where id = ? and workspace_id = ?`, [id, workspaceId]);
      if (rows.length === 0) throw new GatewayError('NOT_FOUND', `${what} not found`, { fieldErrors: [{ field, message: `No such ${what.toLowerCase()} in this workspace` }] });
    }
  }
}

function reachOf(input: ClientTokenCreateInput): ConversationConditions | undefined {
  const bindings = givenConditions({ conversationIds: input.conversationId ? [input.conversationId] : null, customerIds: input.customerId ? [input.customerId] : null });
  return bothConditions(bindings, givenConditions(input.filter));
}
