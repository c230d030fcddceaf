import { BigIntType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';

export type BulkExportFormat = 'JSONL' | 'CSV';
export type BulkExportCompression = 'GZIP' | 'NONE';
export type BulkExportStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED';

/** Statuses an export may still leave; a key holds at most one export in them. */
export const activeBulkExportStatuses: readonly BulkExportStatus[] = ['CREATED', 'RUNNING'];

/** An export job and its file's metadata; the file's bytes are in bulk_export_parts. */
@Entity({ tableName: 'bulk_exports' })
export class BulkExport {
  [OptionalProps]?:
    | 'id' | 'status' | 'objectCount' | 'fileSize' | 'partCount' | 'resumeCursor' | 'attempts' | 'runToken' | 'heartbeatAt'
    | 'errorCode' | 'errorMessage' | 'createdAt' | 'startedAt' | 'completedAt' | 'fileExpiresAt' | 'fileDeletedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('bex');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  /** The creating key: its one-export-at-a-time slot, and whose scopes the run re-checks. */
  @Property({ type: 'text' })
  apiKeyId!: string;

  @Property({ type: 'text' })
  query!: string;

  @Property({ type: 'text' })
  format!: BulkExportFormat;

  @Property({ type: 'text' })
  compression!: BulkExportCompression;

  /** What the query needed: a key sees the export (and its file) only when it holds all of them. */
  @Property({ type: 'text[]' })
  requiredScopes!: string[];

  @Property({ type: 'text' })
  status: BulkExportStatus = 'CREATED';

  @Property({ type: new BigIntType('number') })
  objectCount = 0;

  @Property({ type: new BigIntType('number') })
  fileSize = 0;

  @Property({ type: 'integer' })
  partCount = 0;

  /** The top-level connection's cursor after the last stored part: where a restarted run goes on. */
  @Property({ type: 'text', nullable: true, hidden: true })
  resumeCursor: string | null = null;

  @Property({ type: 'integer' })
  attempts = 0;

  /** Names the run that holds the job; a run whose token was replaced stops at its next checkpoint. */
  @Property({ type: 'text', nullable: true, hidden: true })
  runToken: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  heartbeatAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  fileExpiresAt: Date | null = null;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime', nullable: true })
  fileDeletedAt: Date | null = null;
}
