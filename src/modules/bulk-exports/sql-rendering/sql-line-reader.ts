import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ComputedLine, KeysetCopy, PageEnd, Pager } from '../../../platform/pagination';
import type { BulkExportCompression } from '../bulk-export.entity';
import { ExportPartWriter, type ExportPart } from '../export-part';
import { listedRowAlias, planSqlLines, type SqlLinePlan, type SqlRenderingSources } from './sql-line-plan';

/** Rows in a run's first part; later parts are sized from the lines written so far. */
const firstPartRows = 5_000;
const minimumPartRows = 1_000;
const maximumPartRows = 100_000;

/**
 * Reads exports whose lines PostgreSQL renders (`planSqlLines`): their parts stream out of COPY
 * (`KeysetCopy`) and are compressed as they arrive. Its cursors are the API's own for the same
 * list, so a run that resumes goes on from a checkpoint whichever path wrote it.
 */
export class SqlLineReader {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly orm: MikroORM,
    private readonly pager: Pager,
    private readonly sources: SqlRenderingSources,
  ) {}

  plan(pageDocument: DocumentNode, workspaceId: string): SqlLinePlan | null {
    return planSqlLines(this.schema, this.orm.getMetadata(), this.sources, pageDocument, workspaceId);
  }

  /** The parts of one run, each of about `partTextLength` bytes of text, read one after another. */
  parts(plan: SqlLinePlan, compression: BulkExportCompression, partTextLength: number): SqlParts {
    const copy = this.pager.copying(this.orm.em.fork(), plan.query, listedRowAlias);
    return new SqlParts(copy, { expression: plan.lineSql, joins: plan.joins }, compression, partTextLength);
  }
}

interface StartedPart {
  readonly after: string | null;
  readonly end: PageEnd;
  readonly part: Promise<ExportPart>;
}

/**
 * A run's parts, one read ahead: while a part's rows stream out of one connection, the next
 * part's end is found and its rows start on another, so PostgreSQL, zlib and the store keep
 * each other busy instead of taking turns.
 */
export class SqlParts {
  private rows = firstPartRows;
  private ahead: StartedPart | null = null;

  constructor(
    private readonly copy: KeysetCopy<{ id: string }>,
    private readonly line: ComputedLine,
    private readonly compression: BulkExportCompression,
    private readonly partTextLength: number,
  ) {}

  /** The part after `after`: the previous part's end cursor, or null for the first. */
  async read(after: string | null): Promise<ExportPart> {
    const current = this.ahead?.after === after ? this.ahead : await this.start(after);
    this.ahead = current.end.hasNextPage ? await this.start(current.end.endCursor) : null;
    const part = await current.part;
    const { textLength } = await part.content;
    if (part.lineCount > 0) this.rows = Math.min(maximumPartRows, Math.max(minimumPartRows, Math.round(this.partTextLength / (textLength / part.lineCount))));
    return part;
  }

  private async start(after: string | null): Promise<StartedPart> {
    const end = await this.copy.findPageEnd(after, this.rows);
    const writer = new ExportPartWriter(this.compression);
    const part = this.copy.copyPageRows(end, this.line, writer.input).then((lineCount) => ({ content: writer.finish(), lineCount, endCursor: end.endCursor, hasNextPage: end.hasNextPage }));
    // Awaited by `read`; a part read ahead of a run that stopped is dropped, its failure with it.
    part.catch(() => {});
    return { after, end, part };
  }
}
