import { gunzipSync } from 'node:zlib';
import { postGraphQL } from './graphql-client';
import { pollUntil } from './poll-until';

export const bulkExportFields = 'id status format compression objectCount fileSize url urlExpiresAt errorCode errorMessage requiredScopes createdAt startedAt completedAt fileExpiresAt';
const createMutation = `mutation Create($input: BulkExportCreateInput!) { bulkExportCreate(input: $input) { bulkExport { ${bulkExportFields} } } }`;
const exportQuery = `query One($id: ID!) { bulkExport(id: $id) { ${bulkExportFields} } }`;

/** Export calls over real HTTP with one key, and the API's own paging to compare files with. */
export function bulkExportClient(graphqlUrl: string, secret: string) {
  const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(graphqlUrl, query, variables, { secret });
  const create = (input: Record<string, unknown>) => graphql(createMutation, { input });
  const waitForEnd = async (id: string) => {
    let last: any;
    await pollUntil(async () => {
      last = (await graphql(exportQuery, { id })).body.data?.bulkExport;
      return ['COMPLETED', 'FAILED', 'CANCELED'].includes(last?.status);
    }, { timeoutMs: 60_000, intervalMs: 100, description: `export ${id} to end` });
    return last;
  };
  return {
    graphql,
    create,
    waitForEnd,
    /** Creates an export and waits until it ends; returns the BulkExport as it ended. */
    async runExport(input: Record<string, unknown>) {
      const created = await create(input);
      if (created.body.errors) throw new Error(`bulkExportCreate failed: ${JSON.stringify(created.body.errors)}`);
      return waitForEnd(created.body.data!.bulkExportCreate.bulkExport.id);
    },
    /** Every page of a top-level connection through the API, 100 at a time. */
    async pageThroughApi(field: string, args: string, selection: string): Promise<unknown[]> {
      const nodes: unknown[] = [];
      let after: string | null = null;
      for (;;) {
        const response = await graphql(`query Page($after: String) { ${field}(${args}${args ? ', ' : ''}first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`, { after });
        if (response.body.errors) throw new Error(`paging ${field} failed: ${JSON.stringify(response.body.errors)}`);
        const page = response.body.data![field];
        nodes.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) return nodes;
        after = page.pageInfo.endCursor;
      }
    },
  };
}

/** A JSONL export's file as parsed lines, gunzipped when it is compressed. */
export async function downloadJsonLines(url: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`download answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = response.headers.get('content-type') === 'application/gzip' ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text === '' ? [] : text.trimEnd().split('\n').map((line) => JSON.parse(line));
}
