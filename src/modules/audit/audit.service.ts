import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../policies/auth/actor';
import type { Page, PageArgs, Pager } from '../../platform/pagination';
import { AuditEntry } from './audit-entry.entity';

export interface AuditedChange {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  /** What changed, never a secret. */
  readonly changes: Record<string, unknown>;
}

/** Adds the entry to the caller's unit of work, so it commits (or not) with the change itself. */
export function recordAudit(em: EntityManager, actor: Actor, change: AuditedChange): AuditEntry {
  const entry = em.create(AuditEntry, {
    workspace: actor.workspaceId,
    actor: actor.label,
    actorIp: actor.ip,
    requestId: actor.requestId,
    ...change,
  });
  em.persist(entry);
  return entry;
}

export function listAuditEntries(em: EntityManager, pager: Pager, workspaceId: string, args: PageArgs): Promise<Page<AuditEntry>> {
  return pager.page(em, { entity: AuditEntry, where: { workspace: workspaceId }, sort: { field: 'createdAt', direction: 'desc' }, list: 'auditLog', workspaceId }, args);
}
