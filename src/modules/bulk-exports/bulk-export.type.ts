import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import { NodeInterface } from '../../platform/node';
import { connectionType } from '../../platform/pagination';
import type { BulkExportCompression, BulkExportFormat, BulkExportStatus } from './bulk-export.entity';
import { IdempotencyKeyField } from '../../policies/idempotency/idempotency-key-field';

export const maxExportQueryLength = 10_000;

const formats = { JSONL: 'JSONL', CSV: 'CSV' } as const satisfies Record<BulkExportFormat, BulkExportFormat>;
const compressions = { GZIP: 'GZIP', NONE: 'NONE' } as const satisfies Record<BulkExportCompression, BulkExportCompression>;
const statuses = { CREATED: 'CREATED', RUNNING: 'RUNNING', COMPLETED: 'COMPLETED', FAILED: 'FAILED', CANCELED: 'CANCELED' } as const satisfies Record<BulkExportStatus, BulkExportStatus>;
registerEnumType(formats, {
  name: 'BulkExportFormat',
  valuesConfig: {
    JSONL: { description: 'One JSON object per line; nested connections as their own lines with `__parentId`.' },
    CSV: { description: 'A header line, then one row per node; single objects as dotted columns, lists as JSON text. No nested connections.' },
  },
});
registerEnumType(compressions, { name: 'BulkExportCompression' });
registerEnumType(statuses, {
  name: 'BulkExportStatus',
  description: 'CREATED → RUNNING → COMPLETED | FAILED; CREATED or RUNNING → CANCELED by bulkExportCancel.',
});

@ObjectType('BulkExport', { implements: NodeInterface, description: 'An export job and its file (docs/bulk-exports.md).' })
export class BulkExportType {
  @Field(() => ID, { description: 'Global id `bex_…`.' })
  id!: string;

  @Field(() => statuses)
  status!: BulkExportStatus;

  @Field(() => String, { description: 'The export query as given.' })
  query!: string;

  @Field(() => formats)
  format!: BulkExportFormat;

  @Field(() => compressions)
  compression!: BulkExportCompression;

  @Field(() => GraphQLSafeInt, { description: 'Objects (lines) written so far: it grows while RUNNING. Nested nodes count as objects.' })
  objectCount!: number;

  @Field(() => GraphQLSafeInt, { description: 'Bytes of the file, as stored (compressed when GZIP).' })
  fileSize!: number;

  @Field(() => String, {
    nullable: true,
    description: 'While COMPLETED and the file is kept: a signed download link, valid until urlExpiresAt (an hour), freshly minted on every read. It needs no key: treat it as a secret.',
  })
  url!: string | null;

  @Field(() => Date, { nullable: true })
  urlExpiresAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why a FAILED export failed: an `extensions.code` such as FORBIDDEN or INTERNAL_SERVER_ERROR.' })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => [String], { description: 'The scopes its query needed: a key sees this export only when it holds all of them.' })
  requiredScopes!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it COMPLETED, FAILED or was CANCELED.' })
  completedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the file is deleted: 7 days after completion.' })
  fileExpiresAt!: Date | null;
}

export const BulkExportConnection = connectionType('BulkExport', BulkExportType);

@InputType('BulkExportCreateInput')
export class BulkExportCreateInput {
  @Field(() => String, {
    description: `A GraphQL query over one top-level connection, with its filters and any selection under its nodes, e.g. \`{ conversations(filter: {status: RESOLVED}) { edges { node { id subject customer { email } } } } }\`. Paging arguments are ignored: the export reads every node. At most ${maxExportQueryLength} characters.`,
  })
  query!: string;

  @Field(() => formats, { defaultValue: 'JSONL' })
  format!: BulkExportFormat;

  @Field(() => compressions, { defaultValue: 'GZIP' })
  compression!: BulkExportCompression;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@InputType('BulkExportCancelInput')
export class BulkExportCancelInput {
  @Field(() => ID)
  id!: string;

  @IdempotencyKeyField()
  idempotencyKey?: string | null;
}

@ObjectType('BulkExportCreatePayload')
export class BulkExportCreatePayload {
  @Field(() => BulkExportType)
  bulkExport!: BulkExportType;
}

@ObjectType('BulkExportCancelPayload')
export class BulkExportCancelPayload {
  @Field(() => BulkExportType)
  bulkExport!: BulkExportType;
}
