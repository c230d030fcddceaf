import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import { GatewayError, badUserInput, notFound } from '../../platform/errors';
import type { Page, PageArgs, Pager } from '../../platform/pagination';
import { writeTransaction } from '../../platform/database/write-transaction';
import type { Principal } from '../../policies/auth/principal';
import { activeBulkExportStatuses, BulkExport } from './bulk-export.entity';
import { maxExportQueryLength, type BulkExportCreateInput, type BulkExportType } from './bulk-export.type';
import type { ExportFileStore } from './export-file-store';
import { exportLinkLifetimeMs, type ExportLinkSigner } from './export-link';
import { planExport } from './export-plan';

/** The job runner's task name; the job key makes a re-queued export replace its waiting job. */
export const bulkExportTask = 'bulk_export';
export const bulkExportJobKey = (id: string) => `bulk_export:${id}`;

/** Creates, reads and cancels export jobs; BulkExportRunner produces their files. */
export class BulkExportService {
  constructor(
    private readonly pager: Pager,
    private readonly links: ExportLinkSigner,
    private readonly storeFor: (em: EntityManager) => ExportFileStore,
    /** The origin download links start with: PUBLIC_URL, or the address the gateway listens on. */
    private readonly publicOrigin: () => string,
  ) {}

  async create(em: EntityManager, principal: Principal, input: BulkExportCreateInput, schema: GraphQLSchema): Promise<BulkExport> {
    if (isClientToken(principal)) throw new GatewayError('FORBIDDEN', 'Client tokens cannot create exports: use an API key', { requiredScopes: [], grantedScopes: principal.grantedScopes });
    if (input.query.length > maxExportQueryLength) throw badUserInput([{ field: 'input.query', message: `At most ${maxExportQueryLength} characters` }]);
    const plan = planExport(schema, input.query, input.format, principal);
    try {
      return await writeTransaction(em, async (tx) => {
        await this.refuseWhileRunning(tx, principal);
        const bulkExport = tx.create(BulkExport, {
          workspace: principal.workspaceId, apiKeyId: principal.apiKeyId, query: input.query, format: input.format, compression: input.compression, requiredScopes: plan.requiredScopes,
        });
        await tx.flush();
        // Queued in the same transaction: a committed export always has its job, a rolled-back one never.
        await tx.execute(`select graphile_worker.add_job(?, json_build_object('bulkExportId', ?::text), job_key := ?, max_attempts := 10)`, [bulkExportTask, bulkExport.id, bulkExportJobKey(bulkExport.id)]);
        return bulkExport;
      });
    } catch (error) {
      // Two creates that raced both passed the check; the partial unique index stops the second.
      if (error instanceof UniqueConstraintViolationException) await this.refuseWhileRunning(em.fork(), principal);
      throw error;
    }
  }

  async cancel(em: EntityManager, principal: Principal, id: string): Promise<BulkExport> {
    const canceled = await writeTransaction(em, async (tx) => {
      const bulkExport = await this.find(tx, principal, id);
      if (bulkExport.status === 'CANCELED') return bulkExport;
      // One conditional statement: a run finishing at this moment either wins (CONFLICT) or is canceled.
      const updated = await tx.execute<{ id: string }[]>(
        `update bulk_exports set status = 'CANCELED', completed_at = now(), run_token = null, resume_cursor = null
         where id = ? and status in ('CREATED', 'RUNNING') returning id`,
        [id],
      );
      const current = (await tx.refresh(bulkExport))!;
      if (updated.length === 0) throw new GatewayError('CONFLICT', `The export already ended: it is ${current.status}`, { status: current.status });
      return current;
    });
    // A run still writing notices at its next checkpoint and removes what it wrote after this.
    await this.storeFor(em).remove([canceled.id]);
    return canceled;
  }

  /**
   * NOT_FOUND unless the export is in the caller's workspace and the caller holds every scope its
   * query needed. Client tokens see none: a file holds the whole workspace's rows, beyond any
   * token's reach.
   */
  async find(em: EntityManager, principal: Principal, id: string): Promise<BulkExport> {
    const bulkExport = isClientToken(principal) ? null : await em.findOne(BulkExport, { id, workspace: principal.workspaceId });
    if (!bulkExport || !bulkExport.requiredScopes.every((scope) => principal.effectiveScopes.has(scope))) throw notFound('BulkExport');
    return bulkExport;
  }

  list(em: EntityManager, principal: Principal, args: PageArgs): Promise<Page<BulkExport>> {
    // A client token matches nothing: no export's scopes are contained in an empty list.
    const readable = isClientToken(principal) ? [] : [...principal.effectiveScopes];
    const where = { workspace: principal.workspaceId, requiredScopes: { $contained: readable } };
    return this.pager.page(em, { entity: BulkExport, where, sort: { field: 'createdAt', direction: 'desc' }, list: 'bulkExports', workspaceId: principal.workspaceId }, args);
  }

  toType(bulkExport: BulkExport): BulkExportType {
    const link = this.linkOf(bulkExport);
    return {
      id: bulkExport.id, status: bulkExport.status, query: bulkExport.query, format: bulkExport.format, compression: bulkExport.compression,
      objectCount: bulkExport.objectCount, fileSize: bulkExport.fileSize, url: link ? `${this.publicOrigin()}${link.path}` : null, urlExpiresAt: link?.expiresAt ?? null,
      errorCode: bulkExport.errorCode, errorMessage: bulkExport.errorMessage, requiredScopes: bulkExport.requiredScopes,
      createdAt: bulkExport.createdAt, startedAt: bulkExport.startedAt, completedAt: bulkExport.completedAt, fileExpiresAt: bulkExport.fileExpiresAt,
    };
  }

  private linkOf(bulkExport: BulkExport) {
    const fileExpiresAt = bulkExport.fileExpiresAt?.getTime() ?? 0;
    if (bulkExport.status !== 'COMPLETED' || bulkExport.fileDeletedAt || fileExpiresAt <= Date.now()) return null;
    return this.links.sign(bulkExport.id, bulkExport.workspace.id, new Date(Math.min(Date.now() + exportLinkLifetimeMs, fileExpiresAt)));
  }

  private async refuseWhileRunning(em: EntityManager, principal: Principal): Promise<void> {
    const running = await em.findOne(BulkExport, { apiKeyId: principal.apiKeyId, status: { $in: [...activeBulkExportStatuses] } }, { fields: ['id'] });
    if (running) {
      throw new GatewayError('CONFLICT', `This API key already has an export running (${running.id}); one at a time per key: wait for it to end, or cancel it`, {
        reason: 'BULK_EXPORT_IN_PROGRESS',
        bulkExportId: running.id,
      });
    }
  }
}

const isClientToken = (principal: Principal) => principal.credentialId !== principal.apiKeyId;
