import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { withPageSizeCeiling, type Pager } from '../../../platform/pagination';
import type { LinePage } from '../export-lines';
import { listedRowAlias, planSqlLines, type SqlLinePlan, type SqlRenderingSources } from './sql-line-plan';

/** Rows per page read with SQL: a page costs a round trip and a keyset descent, so larger pages pay. */
export const sqlLinePageSize = 5000;

/**
 * Reads an export's pages as JSONL lines that PostgreSQL renders (`planSqlLines`). Its cursors
 * are the API's own for the same list, so a run that resumes goes on from a checkpoint whichever
 * path wrote it.
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

  async readPage(em: EntityManager, plan: SqlLinePlan, after: string | null): Promise<LinePage> {
    const page = await withPageSizeCeiling(sqlLinePageSize, () => this.pager.pageComputed(em, plan.query, { first: sqlLinePageSize, after }, listedRowAlias, plan.lineSql));
    let text = '';
    for (const item of page.items) text += `${item.node.computed}\n`;
    const last = page.items[page.items.length - 1];
    return { text, lineCount: page.items.length, endCursor: last ? last.cursor : null, hasNextPage: page.hasNextPage };
  }
}
