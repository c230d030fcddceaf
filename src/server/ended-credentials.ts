import type { MikroORM } from '@mikro-orm/postgresql';
import type { Principal } from '../policies/auth/principal';

/** What a long-lived connection remembers of its principal to know when it must end. */
export type CredentialHolder = Pick<Principal, 'apiKeyId' | 'expiresAt'>;

/**
 * The holders whose credential has ended: their key (a client token's minting key) revoked or
 * expired, in one query for all the keys held, or a client token past its own expiry.
 */
export async function findEndedCredentials<Holder extends CredentialHolder>(orm: MikroORM, holders: Iterable<Holder>): Promise<Set<Holder>> {
  const all = [...holders];
  const keyIds = [...new Set(all.map((holder) => holder.apiKeyId))];
  if (keyIds.length === 0) return new Set();
  const dead = await orm.em.fork().execute<{ id: string }[]>(
    `select id from api_keys where id in (${keyIds.map(() => '?').join(', ')}) and (revoked_at is not null or expires_at <= now())`,
    keyIds,
  );
  const deadKeyIds = new Set(dead.map((row) => row.id));
  const now = Date.now();
  return new Set(all.filter((holder) => deadKeyIds.has(holder.apiKeyId) || (holder.expiresAt !== undefined && holder.expiresAt.getTime() <= now)));
}
