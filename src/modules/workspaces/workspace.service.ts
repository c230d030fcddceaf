import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '../../platform/errors';
import { Workspace } from './workspace.entity';

const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Returns the workspace with this slug, creating it when missing; safe under concurrent callers. */
export async function ensureWorkspace(em: EntityManager, slug: string): Promise<{ workspace: Workspace; isNew: boolean }> {
  if (!slugPattern.test(slug)) {
    throw badUserInput([{ field: 'workspace', message: 'Lowercase letters, digits and dashes, at most 63 characters' }]);
  }
  const inserted = await em.execute<{ id: string }[]>(
    `insert into workspaces (id, slug, name, created_at) values (gen_random_uuid(), ?, ?, now())
     on conflict (slug) do nothing returning id`,
    [slug, slug],
  );
  const workspace = await em.findOneOrFail(Workspace, { slug });
  return { workspace, isNew: inserted.length > 0 };
}
