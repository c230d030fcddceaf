import { isScope, scopes } from '../../src/policies/auth/scopes';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { mutationExamples, startExampleGateway, type ExampleGateway } from '../support/mutation-examples';
import { mutationDocument, placeholderInput, schemaMutations, type SchemaMutation } from '../support/committed-schema';

const mutations = schemaMutations();
const requiring = (mutation: SchemaMutation) => new Set(mutation.requiredScopes.flat());
/** The read scope of each write scope the mutation requires (`conversations:write` → `conversations:read`); `tokens:write` has none. */
const matchingReadScopes = (mutation: SchemaMutation) =>
  [...requiring(mutation)].map((scope) => scope.replace(/:write$/, ':read')).filter((scope) => isScope(scope) && !requiring(mutation).has(scope));
const everyOtherScope = (mutation: SchemaMutation) => scopes.filter((scope) => scope !== 'admin' && !requiring(mutation).has(scope));
const refusals = mutations.flatMap((mutation) => [
  ...(matchingReadScopes(mutation).length > 0 ? [[mutation.name, 'only the matching read scope', matchingReadScopes(mutation)] as const] : []),
  [mutation.name, 'every scope but the required one', everyOtherScope(mutation)] as const,
]);
/** Mutations that change nothing the key could not already read, and what each checks instead of a write scope. */
const readingMutations: Readonly<Record<string, string>> = {
  bulkExportCreate: 'the read scopes of every field its query selects (EXPORT-05)',
  bulkExportCancel: 'the read scopes of the export it stops (EXPORT-05)',
};
/** Written in batches by the usage recorder, whatever the request did. */
const tablesOutsideTheEffect = ['api_usage_minutes'];

describe('SCOPE: every mutation is refused, before any effect, to a key without the scope it declares', () => {
  let examples: ExampleGateway;
  const keys = new Map<string, string>();
  beforeAll(async () => {
    examples = await startExampleGateway();
  });
  afterAll(() => examples.stop());

  const secretFor = async (granted: readonly string[]) => {
    const name = granted.join(',');
    if (!keys.has(name)) {
      const key = await createWorkspaceKey(examples.gateway, 'default', [...granted]);
      // Used once now, so its once-a-minute last-use write does not land in the middle of a case.
      await postGraphQL(examples.gateway.graphqlUrl, `{ __typename }`, {}, { secret: key.secret });
      keys.set(name, key.secret);
    }
    return keys.get(name)!;
  };
  /** A digest of every row of every table (but usage counters and keys' last use), per table. */
  const snapshot = async (): Promise<Record<string, string>> => {
    const tables = (await examples.database.query(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`)).rows
      .map((row) => row.table_name as string)
      .filter((table) => !tablesOutsideTheEffect.includes(table));
    const contents = await Promise.all(
      tables.map(async (table) => {
        const row = `(to_jsonb(t) - 'last_used_at')::text`;
        return [table, (await examples.database.query(`select md5(coalesce(string_agg(${row}, e'\\n' order by ${row}), '')) as digest from "${table}" t`)).rows[0].digest];
      }),
    );
    return Object.fromEntries(contents);
  };

  it('SCOPE-06 every mutation of the schema declares the scopes it needs, each alternative a write scope (or admin), but those that only read', () => {
    const isWriting = (alternative: string[]) => alternative.some((scope) => scope.endsWith(':write') || scope === 'admin');
    const undeclared = mutations.filter((mutation) => mutation.requiredScopes.length === 0 || (!mutation.requiredScopes.every(isWriting) && !(mutation.name in readingMutations)));
    expect(undeclared.map((mutation) => `${mutation.name} ${JSON.stringify(mutation.requiredScopes)}`)).toEqual([]);
  });

  it.each(refusals)('SCOPE-07 %s is FORBIDDEN with requiredScopes to a key holding %s, with no effect and no event', async (name, _holding, granted) => {
    const mutation = mutations.find((candidate) => candidate.name === name)!;
    const example = mutationExamples.find((candidate) => candidate.mutation === name);
    // A mutation nobody wrote an example for yet is still covered, with a well-formed placeholder input.
    const input = example ? await example.prepare({ ...examples.context, unique: `scope-${name}-${granted.length}` }) : placeholderInput(mutation);
    const secret = await secretFor(granted);
    const before = await snapshot();

    const response = await postGraphQL(examples.gateway.graphqlUrl, mutationDocument(mutation), { input }, { secret });

    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ [name]: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({ path: [name], extensions: { code: 'FORBIDDEN', requiredScopes: mutation.requiredScopes, grantedScopes: granted } });
    const after = await snapshot();
    expect(Object.keys(after).filter((table) => after[table] !== before[table])).toEqual([]);
  });
});
