import { randomUUID } from 'node:crypto';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { GatewayError, isStatementTimeout, originalErrorOf } from '../../platform/errors';
import type { CompiledExecution } from '../../platform/execution';
import type { Logger } from '../../platform/observability/logger';
import { withPageSizeCeiling } from '../../platform/pagination';
import { backgroundPrincipal, type Principal } from '../../policies/auth/principal';
import { effectiveScopes } from '../../policies/auth/scopes';
import type { RequestContext } from '../../policies/request-context';
import { recordEvent } from '../events';
import { BulkExport, type BulkExportCompression } from './bulk-export.entity';
import { bulkExportEventData } from './bulk-export.events';
import type { ExportFileStore } from './export-file-store';
import { ExportLines, type LinePage, type PendingNestedPage } from './export-lines';
import { ExportPartWriter, type ExportPart } from './export-part';
import { exportPageSize, planExport, type ExportPlan } from './export-plan';
import type { SqlLineReader } from './sql-rendering/sql-line-reader';

/** Raw text per stored part; each part is one gzip member when compressed. */
const partTextLength = 4 * 1024 * 1024;
/** Runs before an export is failed; a failure that no retry can mend fails it at once. */
export const maxExportAttempts = 3;
/** Codes that a retry cannot mend: the query, the key or the data are what they are. */
const permanentCodes = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'QUERY_TIMEOUT', 'RESPONSE_TOO_LARGE', 'GRAPHQL_VALIDATION_FAILED']);

export interface BulkExportRunnerSettings {
  /** A RUNNING export whose heartbeat is older than this is taken over by the recovery sweep. */
  readonly leaseMs: number;
  /** Files are kept this long after completion. */
  readonly fileRetentionMs: number;
}

/** Builds the context an export's queries execute in: the API's own, for the creating key. */
export type ExportContextFactory = (principal: Principal, requestId: string) => RequestContext;

/** Thrown inside a run that no longer holds its export (canceled, or taken over after a stall). */
class RunEnded extends Error {}

/**
 * Produces one export's file (docs/bulk-exports.md). It reads the top-level connection in key
 * order (keyset cursors, no OFFSET), part by part: lines that PostgreSQL renders stream out of
 * COPY (`SqlLineReader`); the others come from the API's own resolvers, a thousand nodes a page.
 * Each part is stored with a checkpoint (the cursor after it, the counts) at least every few
 * seconds. A run that dies leaves a checkpoint: the next run keeps the stored parts and goes on
 * from the cursor. A PostgreSQL DECLARE cursor would pin a transaction and a connection for the
 * whole export and die with the process; the keyset cursor does neither. Memory holds a part
 * (compressed, when streamed) and a page, whatever the export's size.
 */
export class BulkExportRunner {
  constructor(
    private readonly orm: MikroORM,
    private readonly schema: GraphQLSchema,
    /** Runs the page queries on the compiled plans the API's requests use. */
    private readonly execution: CompiledExecution,
    private readonly storeFor: (em: EntityManager) => ExportFileStore,
    private readonly contextFor: ExportContextFactory,
    private readonly settings: BulkExportRunnerSettings,
    private readonly logger: Logger,
    /** Renders the lines of exports whose fields are all columns in SQL; null: every export runs on the resolvers. */
    private readonly sqlLines: SqlLineReader | null = null,
  ) {}

  /**
   * Runs the export if it is waiting or its run stalled; otherwise returns at once. When `stop`
   * aborts (the instance shuts down), the run hands the export back after its current page:
   * the recovery sweep of any instance queues it again, and it goes on from its checkpoint.
   */
  async run(exportId: string, stop?: AbortSignal): Promise<void> {
    const token = randomUUID();
    const claimed = await this.claim(exportId, token);
    if (!claimed) return;
    try {
      await this.produce(claimed, token, stop);
    } catch (error) {
      if (error instanceof RunEnded) return;
      if (stop?.aborted) return this.release(exportId, token);
      const { code, message } = failureOf(error);
      if (permanentCodes.has(code) || claimed.attempts >= maxExportAttempts) {
        this.logger.warn({ bulkExportId: exportId, code, attempts: claimed.attempts }, 'bulk export failed');
        await this.fail(claimed, token, code, message);
        return;
      }
      // The job runner retries with its backoff.
      await this.release(exportId, token);
      throw error;
    }
  }

  /** Makes the export claimable at once by the next run, which keeps what is stored. */
  private async release(exportId: string, token: string): Promise<void> {
    await this.orm.em.fork().execute(`update bulk_exports set heartbeat_at = '-infinity' where id = ? and run_token = ?`, [exportId, token]);
  }

  private async claim(exportId: string, token: string): Promise<BulkExport | null> {
    const em = this.orm.em.fork();
    const rows = await em.execute<Record<string, unknown>[]>(
      `update bulk_exports set status = 'RUNNING', run_token = ?, heartbeat_at = now(), attempts = attempts + 1, started_at = coalesce(started_at, now())
       where id = ? and (status = 'CREATED' or (status = 'RUNNING' and heartbeat_at < now() - ? * interval '1 millisecond')) returning *`,
      [token, exportId, this.settings.leaseMs],
    );
    return rows[0] ? em.map(BulkExport, rows[0]) : null;
  }

  private async produce(bulkExport: BulkExport, token: string, stop: AbortSignal | undefined): Promise<void> {
    const principal = await this.principalOf(bulkExport);
    const plan = planExport(this.schema, bulkExport.query, bulkExport.format, principal);
    const lines = new ExportLines(plan, bulkExport.format);
    const sqlPlan = bulkExport.format === 'JSONL' ? (this.sqlLines?.plan(plan.pageDocument, principal.workspaceId) ?? null) : null;
    const header = bulkExport.partCount === 0 ? lines.header() : '';
    const sqlParts = sqlPlan && this.sqlLines!.parts(sqlPlan, bulkExport.compression, partTextLength);
    const readPart = sqlParts ? (after: string | null) => sqlParts.read(after) : (after: string | null) => this.readResolverPart(plan, lines, principal, after, bulkExport.compression, header);
    await this.storeFor(this.orm.em.fork()).truncate(bulkExport.id, bulkExport.partCount);
    const progress = { partCount: bulkExport.partCount, fileSize: bulkExport.fileSize, objectCount: bulkExport.objectCount, cursor: bulkExport.resumeCursor };
    // One part is stored while the next is read; parts stay in order.
    let storing: Promise<void> = Promise.resolve();
    for (;;) {
      stop?.throwIfAborted();
      const part = await readPart(progress.cursor);
      progress.objectCount += part.lineCount;
      progress.cursor = part.endCursor ?? progress.cursor;
      const isLast = !part.hasNextPage;
      await storing;
      storing = this.storePart(bulkExport, token, part, { objectCount: progress.objectCount, cursor: progress.cursor }, progress, isLast);
      // Awaited before the next part or at the end; until then a failure must not count as unhandled.
      storing.catch(() => {});
      if (isLast) break;
    }
    await storing;
    await this.complete(bulkExport, token, sqlPlan ? 'database' : 'resolvers');
  }

  /**
   * A part read through the API's resolvers: pages of the top-level connection, each with every
   * page of its nested connections, until the part holds about `partTextLength` of text or a
   * third of the lease has passed (a checkpoint is due).
   */
  private async readResolverPart(plan: ExportPlan, lines: ExportLines, principal: Principal, after: string | null, compression: BulkExportCompression, header: string): Promise<ExportPart> {
    const startedAt = Date.now();
    const text: string[] = after === null ? [header] : [];
    let textLength = 0;
    let lineCount = 0;
    let cursor = after;
    for (;;) {
      const page = await this.readResolverPage(plan, lines, principal, cursor);
      text.push(page.text);
      textLength += page.text.length;
      lineCount += page.lineCount;
      cursor = page.endCursor ?? cursor;
      if (!page.hasNextPage || textLength >= partTextLength || Date.now() - startedAt >= this.settings.leaseMs / 3) {
        const writer = new ExportPartWriter(compression);
        writer.input.end(text.join(''));
        const content = writer.finish();
        // Awaited when the part is stored; a run that stops first drops it.
        content.catch(() => {});
        return { content, lineCount, endCursor: cursor, hasNextPage: page.hasNextPage };
      }
    }
  }

  /** A page of the top-level connection through the API's resolvers, with every page of its nested connections. */
  private async readResolverPage(plan: ExportPlan, lines: ExportLines, principal: Principal, after: string | null): Promise<LinePage> {
    const data = await this.execute(plan.pageDocument, { after }, principal);
    const page = data.page as { nodes: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    const text: string[] = [];
    const pending: PendingNestedPage[] = [];
    let lineCount = lines.append(page.nodes, plan.outline, undefined, text, pending);
    lineCount += await this.appendNestedPages(pending, lines, text, principal);
    return { text: text.join(''), lineCount, endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage };
  }

  /** Fetches the further pages of nested connections, one parent at a time (rare: a first page holds a thousand). */
  private async appendNestedPages(pending: PendingNestedPage[], lines: ExportLines, text: string[], principal: Principal): Promise<number> {
    let count = 0;
    while (pending.length > 0) {
      const { field, parentId, after } = pending.shift()!;
      const data = await this.execute(field.followUp!, { id: parentId, after }, principal);
      const page = (data.node as Record<string, { nodes: Record<string, unknown>[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>)[field.key];
      count += lines.append(page.nodes, field.children, parentId, text, pending);
      if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) pending.push({ field, parentId, after: page.pageInfo.endCursor });
    }
    return count;
  }

  private async execute(document: DocumentNode, variableValues: Record<string, unknown>, principal: Principal): Promise<Record<string, unknown>> {
    const contextValue = this.contextFor(principal, `bulk-export-${randomUUID()}`);
    const result = await withPageSizeCeiling(exportPageSize, async () => this.execution.execute({ document, contextValue, variableValues }));
    if (result.errors?.length) throw result.errors[0];
    return result.data as Record<string, unknown>;
  }

  /**
   * Stores a part and its checkpoint in one transaction, only while this run holds the export:
   * the checkpoint's row lock keeps a takeover waiting until the part is in, and a run that lost
   * the export writes nothing.
   */
  private async storePart(
    bulkExport: BulkExport,
    token: string,
    part: ExportPart,
    checkpoint: { objectCount: number; cursor: string | null },
    progress: { partCount: number; fileSize: number },
    isLast: boolean,
  ): Promise<void> {
    const { bytes, textLength } = await part.content;
    // An empty file still gets its one part when compressed: a valid, empty gzip file.
    const hasPart = textLength > 0 || (isLast && progress.partCount === 0 && bulkExport.compression === 'GZIP');
    const next = hasPart ? { partCount: progress.partCount + 1, fileSize: progress.fileSize + bytes.length } : progress;
    const isHeld = await this.orm.em.fork().transactional(async (tx) => {
      const updated = await tx.execute<{ id: string }[]>(
        `update bulk_exports set part_count = ?, file_size = ?, object_count = ?, resume_cursor = ?, heartbeat_at = now()
         where id = ? and run_token = ? and status = 'RUNNING' returning id`,
        [next.partCount, next.fileSize, checkpoint.objectCount, checkpoint.cursor, bulkExport.id, token],
      );
      if (updated.length === 0) return false;
      if (hasPart) await this.storeFor(tx).writePart(bulkExport.id, next.partCount, progress.fileSize, bytes);
      return true;
    });
    if (!isHeld) await this.ended(bulkExport.id);
    progress.partCount = next.partCount;
    progress.fileSize = next.fileSize;
  }

  /** `renderedBy`: which path wrote the lines, for the log. */
  private async complete(bulkExport: BulkExport, token: string, renderedBy: 'database' | 'resolvers'): Promise<void> {
    const em = this.orm.em.fork();
    const finished = await em.transactional(async (tx) => {
      const rows = await tx.execute<Record<string, unknown>[]>(
        `update bulk_exports set status = 'COMPLETED', completed_at = now(), file_expires_at = now() + ? * interval '1 millisecond', run_token = null, resume_cursor = null
         where id = ? and run_token = ? and status = 'RUNNING' returning *`,
        [this.settings.fileRetentionMs, bulkExport.id, token],
      );
      if (rows.length === 0) return null;
      const done = tx.map(BulkExport, rows[0]);
      await recordEvent(tx, rows[0].workspace_id as string, 'bulk_export.completed', bulkExportEventData(done));
      return done;
    });
    if (!finished) await this.ended(bulkExport.id);
    this.logger.info({ bulkExportId: bulkExport.id, objectCount: finished?.objectCount, fileSize: finished?.fileSize, renderedBy }, 'bulk export completed');
  }

  private async fail(bulkExport: BulkExport, token: string, code: string, message: string): Promise<void> {
    const em = this.orm.em.fork();
    const failed = await em.transactional(async (tx) => {
      const rows = await tx.execute<Record<string, unknown>[]>(
        `update bulk_exports set status = 'FAILED', completed_at = now(), error_code = ?, error_message = ?, run_token = null, resume_cursor = null
         where id = ? and run_token = ? and status = 'RUNNING' returning *`,
        [code, message, bulkExport.id, token],
      );
      if (rows.length === 0) return false;
      await recordEvent(tx, rows[0].workspace_id as string, 'bulk_export.failed', bulkExportEventData(tx.map(BulkExport, rows[0])));
      return true;
    });
    if (failed) await this.storeFor(this.orm.em.fork()).remove([bulkExport.id]);
  }

  /** The run lost its export: a cancel removed the file, or another run took over after a stall. */
  private async ended(exportId: string): Promise<never> {
    const [row] = await this.orm.em.fork().execute<{ status: string }[]>('select status from bulk_exports where id = ?', [exportId]);
    if (row?.status === 'CANCELED') await this.storeFor(this.orm.em.fork()).remove([exportId]);
    throw new RunEnded();
  }

  /** The creating key as it is now: revoked, expired or narrowed keys end their exports. */
  private async principalOf(bulkExport: BulkExport): Promise<Principal> {
    const workspaceId = bulkExport.workspace.id;
    const [key] = await this.orm.em.fork().execute<{ name: string; scopes: string[]; slug: string }[]>(
      `select k.name, k.scopes, w.slug from api_keys k join workspaces w on w.id = k.workspace_id
       where k.id = ? and k.workspace_id = ? and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())`,
      [bulkExport.apiKeyId, workspaceId],
    );
    if (!key) throw new GatewayError('UNAUTHENTICATED', 'The API key that created the export was revoked or has expired');
    const held = effectiveScopes(key.scopes);
    const scopes = bulkExport.requiredScopes.filter((scope) => held.has(scope));
    return backgroundPrincipal({ apiKeyId: bulkExport.apiKeyId, apiKeyName: key.name, workspaceId, workspaceSlug: key.slug, scopes });
  }
}

/** The code and message an export fails with: a GatewayError's own, or INTERNAL_SERVER_ERROR with no detail. */
function failureOf(error: unknown): { code: string; message: string } {
  const original = originalErrorOf(error as GraphQLError);
  if (original instanceof GatewayError) return { code: original.code, message: original.message };
  if (isStatementTimeout(original)) return { code: 'QUERY_TIMEOUT', message: 'A page of the export ran past STATEMENT_TIMEOUT: narrow the query with filters, or select less under each node' };
  return { code: 'INTERNAL_SERVER_ERROR', message: 'The export failed; it was retried and failed again' };
}

